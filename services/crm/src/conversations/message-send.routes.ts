import { createHash, randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import {
  findMediaFileById,
  IdempotencyKey,
  insertMediaUpload,
  Message,
  mediaUrlKey,
  outboundDepsOf,
  retryFailedMessage,
  sendAgentMessage,
  SendMessageBody,
  verifyMediaToken,
} from '@hub/shared/domain';
import { AppError, notFound } from '@hub/shared/errors';
import type { Runtime } from '@hub/shared/runtime';
import { createMediaStorage } from '@hub/shared/storage';
import { access, type ApiRouter } from '../http/route';

// Agents writing: POST /conversations/:id/messages (text, media, template, private note; with
// an Idempotency-Key header), POST /messages/:id/retry, the upload of a file to send
// (POST /media) and the signed public link platforms fetch sent media from
// (GET /media/public/:token). The sending itself is @hub/shared/domain's sendAgentMessage —
// the socket's message:send calls the same function.

/** Largest upload: WhatsApp takes videos up to 16 MB and documents up to 100 MB; Telegram fetches 20 MB by URL. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

const SendAccepted = z.object({ message: Message }).meta({ id: 'SendAccepted' });

export const MediaUploaded = z
  .object({
    id: z.uuid(),
    mimeType: z.string(),
    fileName: z.string().nullable(),
    size: z.number().int(),
    sha256: z.string(),
  })
  .meta({ id: 'MediaUploaded' });

function idempotencyKeyOf(req: Request): string | undefined {
  const raw = req.get('idempotency-key');
  if (raw === undefined) return undefined;
  const parsed = IdempotencyKey.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('validation_failed', 'validation_failed', 'invalid Idempotency-Key', [
      { field: 'Idempotency-Key', message: parsed.error.issues[0]?.message ?? 'invalid' },
    ]);
  }
  return parsed.data;
}

/** The request body as bytes (the JSON parser leaves other content types unread). */
async function readBody(req: Request, limit: number): Promise<Buffer> {
  if (req.readableEnded || req.body !== undefined) {
    throw new AppError('bad_request', 'upload_body_missing', 'send the file as the raw body or as multipart/form-data');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new AppError('payload_too_large', 'payload_too_large', `files are limited to ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const MIME = /^[a-z]+\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

/** Raw body with its Content-Type, or multipart/form-data with a `file` part. */
async function uploadedFile(req: Request): Promise<{ data: Buffer; mimeType: string; fileName: string | null }> {
  const type = (req.get('content-type') ?? '').toLowerCase();
  if (!type) {
    throw new AppError('validation_failed', 'validation_failed', 'invalid Content-Type', [
      { field: 'Content-Type', message: "the file's media type is required (e.g. image/jpeg)" },
    ]);
  }
  if (type.startsWith('application/json')) {
    throw new AppError('validation_failed', 'validation_failed', 'invalid Content-Type', [
      { field: 'Content-Type', message: 'upload the file itself (raw body or multipart/form-data), not JSON' },
    ]);
  }
  const data = await readBody(req, MAX_UPLOAD_BYTES + 64 * 1024);
  if (type.startsWith('multipart/form-data')) {
    // The platform's own multipart parser (undici, in Node): no extra dependency.
    let form: FormData;
    try {
      form = await new Response(data, { headers: { 'content-type': req.get('content-type')! } }).formData();
    } catch {
      throw new AppError('bad_request', 'invalid_multipart', 'the multipart body could not be read');
    }
    const file = form.get('file');
    if (!file || typeof file === 'string') {
      throw new AppError('validation_failed', 'validation_failed', 'invalid file', [
        { field: 'file', message: 'a multipart part named "file" holding the file is required' },
      ]);
    }
    const bytes = Buffer.from(await file.arrayBuffer());
    const mimeType = file.type.split(';')[0]!.trim() || 'application/octet-stream';
    return { data: bytes, mimeType, fileName: (file as File).name || null };
  }
  const mimeType = type.split(';')[0]!.trim();
  if (!MIME.test(mimeType)) {
    throw new AppError('validation_failed', 'validation_failed', 'invalid Content-Type', [
      { field: 'Content-Type', message: 'not a media type' },
    ]);
  }
  const name = req.get('x-file-name');
  return { data, mimeType, fileName: name ? decodeURIComponent(name).slice(0, 255) : null };
}

export function messageSendRoutes(api: ApiRouter, rt: Runtime): void {
  const deps = outboundDepsOf(rt);
  const storage = createMediaStorage(rt.config);
  const mediaKey = mediaUrlKey(rt.config.encryptionKey);
  const tags = ['Conversations'];

  api.route({
    method: 'post',
    path: '/conversations/:id/messages',
    access: access.can('messages', 'create'),
    summary: 'Send a message (text, media, WhatsApp template) or add a private note',
    description:
      'Answers 202 with the message `queued`; the outbound dispatcher sends it and `message:updated` follows ' +
      '(`sent`, then `delivered`/`read` from receipts, or `failed` with the platform’s code). ' +
      'Header `Idempotency-Key`: the same key again in this conversation returns the same message (one send). ' +
      'Bodies: `{"text"}`; `{"text","private":true}` (a note: stored, never sent; `@<user id>` or `@<email>` ' +
      'notify those users); `{"type":"image|video|audio|document","mediaId"|"url","caption"?,"fileName"?}` ' +
      '(`mediaId` from POST /api/v1/media); `{"type":"template","template":{"name","language","variables"}}` ' +
      '(WhatsApp). Any of them may add `replyToMessageId`. WhatsApp outside the 24-hour window: 422 ' +
      '`whatsapp_window_closed` (a template is needed); Messenger: HUMAN_AGENT tag up to 7 days, then 422.',
    tags,
    body: SendMessageBody,
    status: 202,
    response: SendAccepted,
    errors: {
      422: 'The platform would refuse it now (whatsapp_window_closed, messenger_window_closed, template_unsupported, channel_unavailable).',
    },
    handler: async (c) => {
      const key = idempotencyKeyOf(c.req);
      const { message } = await sendAgentMessage(deps, c.auth, c.params.id!, c.body, { idempotencyKey: key });
      return { message };
    },
  });

  api.route({
    method: 'post',
    path: '/messages/:id/retry',
    access: access.can('messages', 'create'),
    summary: 'Send a failed message again',
    description:
      'Only `failed` messages (409 `message_not_failed` otherwise). The window rules apply as for a new send.',
    tags,
    status: 202,
    response: SendAccepted,
    errors: { 409: 'The message is not failed.', 422: 'The platform would refuse it now.' },
    handler: async (c) => ({ message: await retryFailedMessage(deps, c.auth, c.params.id!) }),
  });

  api.route({
    method: 'post',
    path: '/media',
    access: access.can('messages', 'create'),
    summary: 'Upload a file to send (then POST …/messages with its `mediaId`)',
    description:
      `The raw file as the body with its \`Content-Type\` (and optionally \`X-File-Name\`), or ` +
      `\`multipart/form-data\` with a part named \`file\`. At most ${MAX_UPLOAD_BYTES} bytes. Platforms fetch sent ` +
      'media from a signed, expiring link under HUB_PUBLIC_URL (GET /api/v1/media/public/{token}).',
    tags,
    status: 201,
    response: MediaUploaded,
    handler: async (c) => {
      const file = await uploadedFile(c.req);
      if (file.data.length === 0) {
        throw new AppError('validation_failed', 'validation_failed', 'invalid file', [
          { field: 'file', message: 'the file is empty' },
        ]);
      }
      if (file.data.length > MAX_UPLOAD_BYTES) {
        throw new AppError('payload_too_large', 'payload_too_large', `files are limited to ${MAX_UPLOAD_BYTES} bytes`);
      }
      const id = randomUUID();
      const storageKey = `${c.auth.workspaceId}/uploads/${id}`;
      const sha256 = createHash('sha256').update(file.data).digest('hex');
      await storage.put(storageKey, file.data);
      const row = await insertMediaUpload(rt.database.db, {
        id,
        workspace_id: c.auth.workspaceId,
        storage_key: storageKey,
        mime_type: file.mimeType,
        file_name: file.fileName,
        size_bytes: file.data.length,
        sha256,
        uploaded_by: c.auth.userId,
      });
      return {
        id: row.id,
        mimeType: row.mime_type,
        fileName: row.file_name,
        size: Number(row.size_bytes),
        sha256: row.sha256,
      };
    },
  });

  api.route({
    method: 'get',
    path: '/media/public/:token',
    access: access.public,
    params: z.object({ token: z.string().min(1).max(200) }),
    summary: 'A sent file, for the platform to fetch (signed, expiring link)',
    description:
      'The link the outbound dispatcher hands to WhatsApp, Messenger and Telegram for media it sends. It names ' +
      'one file and expires after 24 hours; anything else answers 404.',
    tags,
    handler: async (c) => {
      const fileId = verifyMediaToken(mediaKey, c.params.token, c.now);
      if (!fileId) throw notFound('media');
      const file = await findMediaFileById(rt.database.db, fileId);
      const obj = file ? await storage.get(file.storage_key) : undefined;
      if (!file || !obj) throw notFound('media');
      c.res.setHeader('Content-Type', file.mime_type);
      c.res.setHeader('Content-Length', String(obj.size));
      c.res.setHeader('Cache-Control', 'private, max-age=300');
      c.res.setHeader('X-Content-Type-Options', 'nosniff');
      c.res.setHeader(
        'Content-Disposition',
        `attachment; filename*=UTF-8''${encodeURIComponent(file.file_name ?? file.id)}`,
      );
      await new Promise<void>((resolve, reject) => {
        obj.stream().on('error', reject).pipe(c.res).on('finish', resolve).on('error', reject);
      });
    },
  });
}
