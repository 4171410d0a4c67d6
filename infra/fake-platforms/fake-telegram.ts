import type { IncomingMessage, ServerResponse } from 'node:http';
import { telegramError } from './fake-errors';
import { isRecord, nonEmpty, parseBody, readBody } from './fake-http';
import type { CallContext, FakeState } from './fake-state';

// A fake Telegram Bot API, from https://core.telegram.org/bots/api:
//   POST|GET /bot<token>/<method>   (JSON, form or query parameters) → {ok:true,result} | {ok:false,error_code,description}
//   GET      /file/bot<token>/<file_path>                              → the bytes
// Methods: sendMessage, sendPhoto, sendDocument, sendAudio, sendVideo, sendSticker, setWebhook,
// deleteWebhook, getFile, answerCallbackQuery, getMe.

const MEDIA_METHODS: Record<string, string> = {
  sendPhoto: 'photo',
  sendDocument: 'document',
  sendAudio: 'audio',
  sendVideo: 'video',
  sendSticker: 'sticker',
};
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

let nextMessageId = 1000;

export async function handleTelegram(
  state: FakeState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const path = url.pathname;
  const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
  if (file && req.method === 'GET') {
    const token = decodeURIComponent(file[1]!);
    const ctx: CallContext = { platform: 'telegram', action: 'file', kind: 'media', req, res, url, token, body: null };
    if (state.intercept(ctx)) return true;
    const filePath = decodeURIComponent(file[2]!);
    if (!filePath.startsWith('files/')) {
      state.answer(ctx, 404, telegramError(404, 'Not Found'));
      return true;
    }
    state.answerBytes(ctx, state.mediaFor(filePath.slice('files/'.length)));
    return true;
  }

  const call = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(path);
  if (!call) return false;
  const token = decodeURIComponent(call[1]!);
  const method = call[2]!;
  const raw = req.method === 'POST' ? await readBody(req) : Buffer.alloc(0);
  const parsed = parseBody(raw, req.headers['content-type']);
  const params: Record<string, unknown> = {
    ...Object.fromEntries(url.searchParams),
    ...(isRecord(parsed) ? parsed : {}),
  };
  const kind = method.startsWith('send') ? 'send' : method === 'getFile' ? 'media' : 'other';
  const ctx: CallContext = { platform: 'telegram', action: method, kind, req, res, url, token, body: params };
  if (state.intercept(ctx)) return true;
  if (!nonEmpty(token)) return reply(state, ctx, 404, telegramError(404, 'Not Found'));
  if (parsed === undefined) return reply(state, ctx, 400, telegramError(400, "Bad Request: can't parse JSON body"));

  const chatId = params['chat_id'];
  if (method === 'sendMessage' || method in MEDIA_METHODS) {
    if (!(nonEmpty(chatId) || typeof chatId === 'number'))
      return reply(state, ctx, 400, telegramError(400, 'Bad Request: chat_id is empty'));
    if (method === 'sendMessage') {
      const text = params['text'];
      if (!nonEmpty(text)) return reply(state, ctx, 400, telegramError(400, 'Bad Request: message text is empty'));
      if (text.length > 4096) return reply(state, ctx, 400, telegramError(400, 'Bad Request: message is too long'));
      return reply(state, ctx, 200, { ok: true, result: message(token, chatId, params, { text }) });
    }
    const field = MEDIA_METHODS[method]!;
    const media = params[field];
    if (!nonEmpty(media))
      return reply(state, ctx, 400, telegramError(400, `Bad Request: there is no ${field} in the request`));
    const caption = params['caption'];
    if (typeof caption === 'string' && caption.length > 1024) {
      return reply(state, ctx, 400, telegramError(400, 'Bad Request: message caption is too long'));
    }
    return reply(state, ctx, 200, {
      ok: true,
      result: message(token, chatId, params, mediaContent(field, media, caption)),
    });
  }
  switch (method) {
    case 'setWebhook': {
      if (!nonEmpty(params['url']))
        return reply(state, ctx, 400, telegramError(400, 'Bad Request: bad webhook: URL is empty'));
      const secret = params['secret_token'];
      if (secret !== undefined && (typeof secret !== 'string' || !SECRET_TOKEN.test(secret))) {
        return reply(state, ctx, 400, telegramError(400, 'Bad Request: secret token contains unallowed characters'));
      }
      state.telegramWebhooks.set(token, params);
      return reply(state, ctx, 200, { ok: true, result: true, description: 'Webhook was set' });
    }
    case 'deleteWebhook':
      state.telegramWebhooks.delete(token);
      return reply(state, ctx, 200, { ok: true, result: true, description: 'Webhook was deleted' });
    case 'getFile': {
      const fileId = params['file_id'];
      if (!nonEmpty(fileId)) return reply(state, ctx, 400, telegramError(400, 'Bad Request: file_id is empty'));
      const stored = state.mediaFor(fileId);
      return reply(state, ctx, 200, {
        ok: true,
        result: {
          file_id: fileId,
          file_unique_id: `u${fileId.length}`,
          file_size: stored.data.length,
          file_path: `files/${fileId}`,
        },
      });
    }
    case 'answerCallbackQuery':
      if (!nonEmpty(params['callback_query_id'])) {
        return reply(
          state,
          ctx,
          400,
          telegramError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid'),
        );
      }
      return reply(state, ctx, 200, { ok: true, result: true });
    case 'getMe':
      return reply(state, ctx, 200, {
        ok: true,
        result: { id: botId(token), is_bot: true, first_name: 'Fake Bot', username: 'fake_bot' },
      });
    default:
      return reply(state, ctx, 404, telegramError(404, 'Not Found: method not found'));
  }
}

function reply(state: FakeState, ctx: CallContext, status: number, body: unknown): true {
  state.answer(ctx, status, body);
  return true;
}

function botId(token: string): number {
  const prefix = Number(token.split(':')[0]);
  return Number.isSafeInteger(prefix) && prefix > 0 ? prefix : 1;
}

function message(token: string, chatId: unknown, params: Record<string, unknown>, content: Record<string, unknown>) {
  const chat = typeof chatId === 'string' && /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
  const replyParams = params['reply_parameters'];
  const replyTo = isRecord(replyParams) ? replyParams['message_id'] : params['reply_to_message_id'];
  return {
    message_id: nextMessageId++,
    from: { id: botId(token), is_bot: true, first_name: 'Fake Bot', username: 'fake_bot' },
    chat: { id: chat, type: 'private' },
    date: Math.floor(Date.now() / 1000),
    ...(replyTo !== undefined
      ? { reply_to_message: { message_id: Number(replyTo), chat: { id: chat, type: 'private' }, date: 0 } }
      : {}),
    ...content,
  };
}

function mediaContent(field: string, ref: string, caption: unknown): Record<string, unknown> {
  const file = {
    file_id: `fake-${field}-${Buffer.from(ref).toString('base64url').slice(0, 24)}`,
    file_unique_id: 'fake',
    file_size: 1,
  };
  const media = field === 'photo' ? [{ ...file, width: 90, height: 90 }] : file;
  return { [field]: media, ...(typeof caption === 'string' && caption ? { caption } : {}) };
}
