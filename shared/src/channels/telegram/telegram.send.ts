import { z } from 'zod';
import {
  SendError,
  type OutboundRequest,
  type PlatformEndpoints,
  type SendResult,
  type TelegramCredentials,
} from '../channel.port';
import { assertNever } from '../../errors';
import { callTelegram } from './telegram.api';

// sendMessage / sendPhoto / sendDocument / sendAudio / sendVideo / sendSticker; media by URL
// (Telegram fetches it). Result: the sent Message → providerMessageId "<chat.id>:<message_id>".
// https://core.telegram.org/bots/api#available-methods

const SentMessage = z.looseObject({
  message_id: z.number(),
  chat: z.looseObject({ id: z.union([z.number(), z.string()]) }),
});

export async function sendTelegram(
  credentials: TelegramCredentials,
  endpoints: PlatformEndpoints,
  req: OutboundRequest,
): Promise<SendResult> {
  const { method, params } = telegramSendCall(req);
  const result = SentMessage.safeParse(await callTelegram(credentials, endpoints, method, params));
  if (!result.success)
    throw new SendError({ code: 'invalid_response', message: `${method} returned no message` }, false);
  return { providerMessageId: `${result.data.chat.id}:${result.data.message_id}` };
}

export function telegramSendCall(req: OutboundRequest): { method: string; params: Record<string, unknown> } {
  // A provider id is "<chat.id>:<message_id>": the chat is the part before the first ':'.
  const chatId = chatIdOf(req.to);
  const params: Record<string, unknown> = { chat_id: chatId };
  const replyTo = messageIdOf(req.replyToProviderMessageId);
  // allow_sending_without_reply: a deleted original must not sink the answer.
  if (replyTo !== null) params['reply_parameters'] = { message_id: replyTo, allow_sending_without_reply: true };
  const c = req.content;
  switch (c.type) {
    case 'text':
      return { method: 'sendMessage', params: { ...params, text: c.text } };
    case 'image':
      return { method: 'sendPhoto', params: { ...params, photo: c.url, ...caption(c.caption) } };
    case 'document':
      return { method: 'sendDocument', params: { ...params, document: c.url, ...caption(c.caption) } };
    case 'audio':
      return { method: 'sendAudio', params: { ...params, audio: c.url, ...caption(c.caption) } };
    case 'video':
      return { method: 'sendVideo', params: { ...params, video: c.url, ...caption(c.caption) } };
    case 'sticker':
      return { method: 'sendSticker', params: { ...params, sticker: c.url } };
    case 'template':
      throw new SendError(
        { code: 'unsupported_content', message: 'Telegram has no message templates; send text instead' },
        false,
      );
    default:
      return assertNever(c);
  }
}

function caption(text: string | undefined): Record<string, unknown> {
  return text ? { caption: text } : {};
}

function chatIdOf(to: string): string | number {
  const chat = to.split(':')[0] ?? to;
  // Numeric ids go as numbers; "@channelname" stays a string.
  return /^-?\d+$/.test(chat) && Number.isSafeInteger(Number(chat)) ? Number(chat) : chat;
}

/** "<chat.id>:<message_id>" → message_id; ids of non-messages (callback "<chat>:cb:<id>") → null. */
function messageIdOf(providerId: string | undefined): number | null {
  if (!providerId) return null;
  const parts = providerId.split(':');
  const last = parts.length === 2 ? parts[1] : undefined;
  return last !== undefined && /^\d+$/.test(last) ? Number(last) : null;
}
