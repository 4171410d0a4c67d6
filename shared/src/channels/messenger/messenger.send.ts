import { z } from 'zod';
import {
  SendError,
  type MessengerCredentials,
  type OutboundRequest,
  type PlatformEndpoints,
  type SendResult,
} from '../channel.port';
import { platformRequest } from '../common/platform-http';
import { graphError } from '../meta/graph.errors';
import { assertNever } from '../../errors';

// Send API: POST /{version}/me/messages?access_token=<page token> → {recipient_id, message_id}.
// Inside the 24 h window messaging_type RESPONSE; after it, a human agent may answer for 7 days
// with MESSAGE_TAG + HUMAN_AGENT, otherwise Meta answers (#10) "outside of allowed window".
// https://developers.facebook.com/docs/messenger-platform/reference/send-api

const SendResponse = z.looseObject({ message_id: z.string().min(1), recipient_id: z.unknown().optional() });

export async function sendMessenger(
  credentials: MessengerCredentials,
  endpoints: PlatformEndpoints,
  req: OutboundRequest,
): Promise<SendResult> {
  const message = messengerMessage(req);
  const first = await post(credentials, endpoints, req, message);
  // Messenger attachments have no caption: the caption follows as its own text. It is
  // best-effort — the attachment is out, and retrying the pair would send it twice.
  const c = req.content;
  if (c.type !== 'text' && c.type !== 'template' && c.caption) {
    await post(credentials, endpoints, req, { text: c.caption }).catch(() => undefined);
  }
  return first;
}

async function post(
  credentials: MessengerCredentials,
  endpoints: PlatformEndpoints,
  req: OutboundRequest,
  message: Record<string, unknown>,
): Promise<SendResult> {
  const res = await platformRequest(
    {
      method: 'POST',
      url: `${endpoints.messengerApiUrl}/${endpoints.graphApiVersion}/me/messages`,
      params: { access_token: credentials.pageAccessToken },
      headers: { 'Content-Type': 'application/json' },
      data: {
        recipient: { id: req.to },
        ...(req.humanAgentTag ? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } : { messaging_type: 'RESPONSE' }),
        message,
      },
    },
    graphError,
  );
  const parsed = SendResponse.safeParse(res.data);
  if (!parsed.success)
    throw new SendError({ code: 'invalid_response', message: 'Messenger returned no message_id' }, false);
  return { providerMessageId: parsed.data.message_id };
}

/** The `message` object of a Send API call. Templates are WhatsApp-only. */
export function messengerMessage(req: OutboundRequest): Record<string, unknown> {
  const c = req.content;
  switch (c.type) {
    case 'text':
      return { text: c.text };
    case 'image':
    case 'video':
    case 'audio':
      return { attachment: { type: c.type, payload: { url: c.url, is_reusable: true } } };
    case 'sticker':
      return { attachment: { type: 'image', payload: { url: c.url, is_reusable: true } } };
    case 'document':
      return { attachment: { type: 'file', payload: { url: c.url, is_reusable: true } } };
    case 'template':
      throw new SendError(
        { code: 'unsupported_content', message: 'Messenger has no message templates; send text instead' },
        false,
      );
    default:
      return assertNever(c);
  }
}
