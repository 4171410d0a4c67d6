import type { IncomingMessage, ServerResponse } from 'node:http';
import { graphError } from './fake-errors';
import { bearerToken, isRecord, nonEmpty, parseBody, readBody } from './fake-http';
import { randomId, sha256Hex, type CallContext, type FakeState } from './fake-state';

// A fake Graph API for WhatsApp Cloud API and Messenger, from the documented shapes:
//   POST /{v}/{phone-number-id}/messages  (Bearer)          → {messaging_product, contacts, messages:[{id}]}
//   GET  /{v}/{media-id}                  (Bearer)          → {url, mime_type, sha256, file_size, id}
//   GET  /media-bytes/{media-id}          (the same Bearer) → the bytes
//   POST /{v}/me/messages?access_token=   (page token)      → {recipient_id, message_id}
//   GET  /cdn/{name}                                         → Messenger attachment bytes (no auth)
// https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages
// https://developers.facebook.com/docs/messenger-platform/reference/send-api

const VERSION = /^v\d+\.\d+$/;
const WA_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'template',
  'interactive',
  'location',
  'contacts',
  'reaction',
];
const WA_MEDIA = ['image', 'audio', 'video', 'document', 'sticker'];
const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'];
const ATTACHMENT_TYPES = ['image', 'audio', 'video', 'file', 'template'];

export async function handleGraph(
  state: FakeState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const method = req.method ?? 'GET';

  if (method === 'GET' && parts[0] === 'media-bytes' && parts.length === 2) {
    const id = parts[1]!;
    const ctx = context(req, res, url, 'whatsapp', 'media-bytes', 'media', bearerToken(req), null);
    if (state.intercept(ctx)) return true;
    const owner = state.mediaTokens.get(id);
    if (!ctx.token || owner === undefined || owner !== ctx.token) {
      state.answer(ctx, 401, graphError(190, 'Invalid OAuth access token for this media URL'));
      return true;
    }
    state.answerBytes(ctx, state.mediaFor(id));
    return true;
  }

  if (method === 'GET' && parts[0] === 'cdn' && parts.length >= 2) {
    const ctx = context(req, res, url, 'messenger', 'media-bytes', 'media', null, null);
    if (state.intercept(ctx)) return true;
    state.answerBytes(ctx, state.mediaFor(parts.slice(1).join('/')));
    return true;
  }

  if (!parts[0] || !VERSION.test(parts[0])) return false;

  if (method === 'POST' && parts.length === 3 && parts[2] === 'messages') {
    const raw = await readBody(req);
    const body = parseBody(raw, req.headers['content-type']);
    const messenger = parts[1] === 'me' || !(isRecord(body) && body['messaging_product'] === 'whatsapp');
    if (messenger) messengerSend(state, req, res, url, body);
    else whatsappSend(state, req, res, url, body);
    return true;
  }

  if (method === 'GET' && parts.length === 2) {
    const id = parts[1]!;
    const ctx = context(req, res, url, 'whatsapp', 'media', 'media', bearerToken(req), null);
    if (state.intercept(ctx)) return true;
    if (!ctx.token) {
      state.answer(ctx, 401, graphError(190, 'Invalid OAuth access token - Cannot parse access token'));
      return true;
    }
    const media = state.mediaFor(id);
    state.mediaTokens.set(id, ctx.token);
    state.answer(ctx, 200, {
      messaging_product: 'whatsapp',
      url: `${state.baseUrl}/media-bytes/${encodeURIComponent(id)}`,
      mime_type: media.mimeType,
      sha256: sha256Hex(media.data),
      file_size: media.data.length,
      id,
    });
    return true;
  }
  return false;
}

function whatsappSend(state: FakeState, req: IncomingMessage, res: ServerResponse, url: URL, body: unknown): void {
  const ctx = context(req, res, url, 'whatsapp', 'messages', 'send', bearerToken(req), body);
  if (state.intercept(ctx)) return;
  if (!ctx.token)
    return state.answer(ctx, 401, graphError(190, 'Invalid OAuth access token - Cannot parse access token'));
  const problem = whatsappProblem(body);
  if (problem) return state.answer(ctx, 400, graphError(100, '(#100) Invalid parameter', { details: problem }));
  const b = body as Record<string, unknown>;
  state.answer(ctx, 200, {
    messaging_product: 'whatsapp',
    contacts: [{ input: b['to'], wa_id: b['to'] }],
    messages: [{ id: `wamid.${randomId()}`, ...(b['type'] === 'template' ? { message_status: 'accepted' } : {}) }],
  });
}

function whatsappProblem(body: unknown): string | null {
  if (!isRecord(body)) return 'body must be a JSON object';
  if (body['messaging_product'] !== 'whatsapp') return "messaging_product must be 'whatsapp'";
  if (!nonEmpty(body['to'])) return 'to is required';
  const type = body['type'] ?? 'text';
  if (typeof type !== 'string' || !WA_TYPES.includes(type)) return `type '${String(type)}' is not supported`;
  const content = body[type];
  if (!isRecord(content)) return `${type} object is required`;
  if (type === 'text') {
    if (!nonEmpty(content['body'])) return 'text.body is required';
    if ((content['body'] as string).length > 4096) return 'text.body is longer than 4096 characters';
  }
  if (WA_MEDIA.includes(type) && !nonEmpty(content['link']) && !nonEmpty(content['id']))
    return `${type}.link or ${type}.id is required`;
  if (type === 'template') {
    if (!nonEmpty(content['name'])) return 'template.name is required';
    if (!isRecord(content['language']) || !nonEmpty(content['language']['code']))
      return 'template.language.code is required';
  }
  const context = body['context'];
  if (context !== undefined && (!isRecord(context) || !nonEmpty(context['message_id'])))
    return 'context.message_id is required';
  return null;
}

function messengerSend(state: FakeState, req: IncomingMessage, res: ServerResponse, url: URL, body: unknown): void {
  const fromBody = isRecord(body) && nonEmpty(body['access_token']) ? body['access_token'] : null;
  const token = url.searchParams.get('access_token')?.trim() || fromBody || bearerToken(req);
  const ctx = context(req, res, url, 'messenger', 'messages', 'send', token, body);
  if (state.intercept(ctx)) return;
  if (!ctx.token)
    return state.answer(ctx, 400, graphError(190, 'An access token is required to request this resource.'));
  const problem = messengerProblem(body);
  if (problem) return state.answer(ctx, 400, graphError(100, `(#100) ${problem}`));
  const recipient = (body as { recipient: { id: string } }).recipient.id;
  state.answer(ctx, 200, { recipient_id: recipient, message_id: `m_${randomId()}` });
}

function messengerProblem(body: unknown): string | null {
  if (!isRecord(body)) return 'body must be a JSON object';
  if (
    !isRecord(body['recipient']) ||
    !(nonEmpty(body['recipient']['id']) || typeof body['recipient']['id'] === 'number')
  ) {
    return 'param recipient[id] must be non-empty';
  }
  const type = body['messaging_type'];
  if (type !== undefined && (typeof type !== 'string' || !MESSAGING_TYPES.includes(type)))
    return 'param messaging_type is invalid';
  if (type === 'MESSAGE_TAG' && !nonEmpty(body['tag'])) return 'param tag is required with MESSAGE_TAG';
  const message = body['message'];
  if (!isRecord(message)) return 'param message must be an object';
  if (message['text'] !== undefined) {
    if (!nonEmpty(message['text'])) return 'param message[text] must be non-empty';
    if ((message['text'] as string).length > 2000) return 'param message[text] must be at most 2000 characters';
    return null;
  }
  const att = message['attachment'];
  if (!isRecord(att)) return 'param message must have text or attachment';
  if (typeof att['type'] !== 'string' || !ATTACHMENT_TYPES.includes(att['type']))
    return 'param message[attachment][type] is invalid';
  if (!isRecord(att['payload'])) return 'param message[attachment][payload] is required';
  if (att['type'] !== 'template' && !nonEmpty(att['payload']['url']) && !nonEmpty(att['payload']['attachment_id'])) {
    return 'param message[attachment][payload][url] is required';
  }
  return null;
}

function context(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  platform: 'whatsapp' | 'messenger',
  action: string,
  kind: CallContext['kind'],
  token: string | null,
  body: unknown,
): CallContext {
  return { platform, action, kind, req, res, url, token, body };
}
