import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakePlatforms, platformErrors, type FakePlatforms } from '../../../infra/fake-platforms';
import {
  channelAdapters,
  SendError,
  type MessengerCredentials,
  type PlatformEndpoints,
  type TelegramCredentials,
  type WhatsAppCredentials,
} from '../../src/channels';

// Each adapter's send / fetchMedia / register against the fake platform servers (real HTTP).

let fake: FakePlatforms;
let endpoints: PlatformEndpoints;
const wa: WhatsAppCredentials = {
  phoneNumberId: '106540352242922',
  accessToken: 'wa-token',
  appSecret: 's',
  verifyToken: 'v',
};
const ms: MessengerCredentials = {
  pageId: '117172741761305',
  pageAccessToken: 'page-token',
  appSecret: 's',
  verifyToken: 'v',
};
const tg: TelegramCredentials = { botToken: '7012345678:AAE-fake_token', secretToken: 'tg-secret' };

beforeAll(async () => {
  fake = await startFakePlatforms();
  endpoints = {
    whatsappApiUrl: fake.graphUrl,
    messengerApiUrl: fake.graphUrl,
    telegramApiUrl: fake.telegramUrl,
    graphApiVersion: 'v21.0',
  };
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

async function sendError(p: Promise<unknown>): Promise<SendError> {
  const err = await p.then(
    () => {
      throw new Error('expected the send to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SendError);
  return err as SendError;
}

describe('WhatsApp send', () => {
  const send = (req: Parameters<typeof channelAdapters.whatsapp.send>[2], creds = wa) =>
    channelAdapters.whatsapp.send(creds, endpoints, req);

  it('text → POST /{version}/{phoneNumberId}/messages with the Bearer token; the wamid comes back', async () => {
    const result = await send({ to: '16505551234', content: { type: 'text', text: 'Hello there' } });
    expect(fake.sent).toHaveLength(1);
    const call = fake.sent[0]!;
    expect(call).toMatchObject({
      platform: 'whatsapp',
      method: 'POST',
      path: '/v21.0/106540352242922/messages',
      token: 'wa-token',
      status: 200,
    });
    expect(call.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'text',
      text: { body: 'Hello there', preview_url: false },
    });
    expect(result.providerMessageId).toMatch(/^wamid\./);
    expect(result.providerMessageId).toBe((call.response as { messages: { id: string }[] }).messages[0]!.id);
  });

  it('a reply carries context.message_id', async () => {
    await send({
      to: '16505551234',
      content: { type: 'text', text: 'yes' },
      replyToProviderMessageId: 'wamid.ORIGINAL',
    });
    expect(fake.sent[0]!.body).toMatchObject({ context: { message_id: 'wamid.ORIGINAL' } });
  });

  it('media by link: caption for images, filename for documents, neither for audio', async () => {
    await send({ to: '1', content: { type: 'image', url: 'https://cdn.example/a.jpg', caption: 'look' } });
    await send({
      to: '1',
      content: { type: 'document', url: 'https://cdn.example/q.pdf', fileName: 'quote.pdf', caption: 'Quote' },
    });
    await send({ to: '1', content: { type: 'audio', url: 'https://cdn.example/v.ogg', caption: 'ignored' } });
    expect(fake.sent.map((r) => r.body)).toEqual([
      expect.objectContaining({ type: 'image', image: { link: 'https://cdn.example/a.jpg', caption: 'look' } }),
      expect.objectContaining({
        type: 'document',
        document: { link: 'https://cdn.example/q.pdf', caption: 'Quote', filename: 'quote.pdf' },
      }),
      expect.objectContaining({ type: 'audio', audio: { link: 'https://cdn.example/v.ogg' } }),
    ]);
    expect(fake.sent.every((r) => r.status === 200)).toBe(true);
  });

  it('template with positional body variables', async () => {
    const result = await send({
      to: '1',
      content: { type: 'template', name: 'order_update', language: 'es_MX', variables: ['Ana', '#1042'] },
    });
    expect(fake.sent[0]!.body).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'es_MX' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: '#1042' },
            ],
          },
        ],
      },
    });
    expect(result.providerMessageId).toMatch(/^wamid\./);
  });

  it('131047 (window closed) → permanent, code 131047', async () => {
    fake.failNext('whatsapp', 1, platformErrors.whatsappReengagement);
    const err = await sendError(send({ to: '1', content: { type: 'text', text: 'late' } }));
    expect(err.retryable).toBe(false);
    expect(err.error.code).toBe('131047');
    expect(err.error.message).toContain('Re-engagement message');
  });

  it('131026 → permanent', async () => {
    fake.failNext('whatsapp', 1, platformErrors.whatsappUndeliverable);
    const err = await sendError(send({ to: '1', content: { type: 'text', text: 'x' } }));
    expect([err.error.code, err.retryable]).toEqual(['131026', false]);
  });

  it('429 → retryable (130429), honouring a Retry-After header when present', async () => {
    fake.failNext('whatsapp', 1, { status: 429 });
    const err = await sendError(send({ to: '1', content: { type: 'text', text: 'x' } }));
    expect([err.error.code, err.retryable]).toEqual(['130429', true]);
    fake.failNext('whatsapp', 1, { status: 429, headers: { 'Retry-After': '3' } });
    const again = await sendError(send({ to: '1', content: { type: 'text', text: 'x' } }));
    expect(again.retryAfterMs).toBe(3000);
  });

  it('500 → retryable; the next attempt succeeds', async () => {
    fake.failNext('whatsapp', 1, { status: 500 });
    const err = await sendError(send({ to: '1', content: { type: 'text', text: 'x' } }));
    expect(err.retryable).toBe(true);
    await expect(send({ to: '1', content: { type: 'text', text: 'x' } })).resolves.toMatchObject({
      providerMessageId: expect.stringMatching(/^wamid\./),
    });
    expect(fake.sent.map((r) => r.status)).toEqual([500, 200]);
  });

  it('131056 pair rate limit with HTTP 400 is still retryable', async () => {
    fake.failNext('whatsapp', 1, {
      status: 400,
      body: { error: { message: '(#131056) Pair rate limit hit', type: 'OAuthException', code: 131056 } },
    });
    const err = await sendError(send({ to: '1', content: { type: 'text', text: 'x' } }));
    expect([err.error.code, err.retryable]).toEqual(['131056', true]);
  });

  it('an empty access token → 401 code 190, permanent', async () => {
    const err = await sendError(send({ to: '1', content: { type: 'text', text: 'x' } }, { ...wa, accessToken: '' }));
    expect([err.error.code, err.retryable]).toEqual(['190', false]);
  });

  it('an invalid body is refused by the fake (empty text) → permanent 100', async () => {
    const err = await sendError(send({ to: '1', content: { type: 'text', text: '' } }));
    expect([err.error.code, err.retryable]).toEqual(['100', false]);
  });

  it('a network failure → retryable network_error', async () => {
    const down = { ...endpoints, whatsappApiUrl: 'http://127.0.0.1:9' };
    const err = await sendError(
      channelAdapters.whatsapp.send(wa, down, { to: '1', content: { type: 'text', text: 'x' } }),
    );
    expect([err.error.code, err.retryable]).toEqual(['network_error', true]);
  });
});

describe('WhatsApp media', () => {
  it('GET /{version}/{mediaId} with Bearer, then the returned url with the same Bearer', async () => {
    const data = Buffer.from('\x89PNG fake image bytes');
    fake.putMedia('1003383421387256', { data, mimeType: 'image/png' });
    const media = await channelAdapters.whatsapp.fetchMedia(wa, endpoints, {
      providerMediaId: '1003383421387256',
      url: null,
    });
    expect(media.data.equals(data)).toBe(true);
    expect(media.mimeType).toBe('image/png');
    expect(fake.requests.map((r) => [r.action, r.path, r.token, r.status])).toEqual([
      ['media', '/v21.0/1003383421387256', 'wa-token', 200],
      ['media-bytes', '/media-bytes/1003383421387256', 'wa-token', 200],
    ]);
  });

  it('the bytes url refuses another token', async () => {
    await channelAdapters.whatsapp.fetchMedia(wa, endpoints, { providerMediaId: 'm-1', url: null });
    const res = await fetch(`${fake.graphUrl}/media-bytes/m-1`, { headers: { authorization: 'Bearer someone-else' } });
    expect(res.status).toBe(401);
  });

  it('a failing lookup → SendError (5xx retryable)', async () => {
    fake.failNext('whatsapp', 1, { status: 503 }, 'media');
    const err = await sendError(
      channelAdapters.whatsapp.fetchMedia(wa, endpoints, { providerMediaId: 'm-2', url: null }),
    );
    expect(err.retryable).toBe(true);
  });
});

describe('Messenger send', () => {
  const send = (req: Parameters<typeof channelAdapters.messenger.send>[2]) =>
    channelAdapters.messenger.send(ms, endpoints, req);

  it('text → POST /{version}/me/messages?access_token=<page token>, RESPONSE; message_id comes back', async () => {
    const result = await send({ to: '3383290475046708', content: { type: 'text', text: 'Hi!' } });
    const call = fake.sent[0]!;
    expect(call).toMatchObject({
      platform: 'messenger',
      path: '/v21.0/me/messages',
      query: { access_token: 'page-token' },
      token: 'page-token',
      status: 200,
    });
    expect(call.body).toEqual({
      recipient: { id: '3383290475046708' },
      messaging_type: 'RESPONSE',
      message: { text: 'Hi!' },
    });
    expect(result.providerMessageId).toMatch(/^m_/);
    expect(result.providerMessageId).toBe((call.response as { message_id: string }).message_id);
  });

  it('outside the window: MESSAGE_TAG + HUMAN_AGENT', async () => {
    await send({ to: '1', content: { type: 'text', text: 'late reply' }, humanAgentTag: true });
    expect(fake.sent[0]!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  it('attachment by url (document → file); a caption follows as text', async () => {
    const result = await send({
      to: '1',
      content: { type: 'document', url: 'https://cdn.example/q.pdf', caption: 'Your quote' },
    });
    expect(fake.sent.map((r) => (r.body as { message: unknown }).message)).toEqual([
      { attachment: { type: 'file', payload: { url: 'https://cdn.example/q.pdf', is_reusable: true } } },
      { text: 'Your quote' },
    ]);
    expect(result.providerMessageId).toBe((fake.sent[0]!.response as { message_id: string }).message_id);
  });

  it('templates are refused before any request', async () => {
    const err = await sendError(
      send({ to: '1', content: { type: 'template', name: 't', language: 'en', variables: [] } }),
    );
    expect([err.error.code, err.retryable]).toEqual(['unsupported_content', false]);
    expect(fake.sent).toHaveLength(0);
  });

  it.each([
    ['(#10) outside the window', platformErrors.messengerOutsideWindow, '10', false],
    ['(#551) person unavailable', platformErrors.messengerUnavailable, '551', false],
    ['190 invalid token', platformErrors.invalidToken, '190', false],
    ['429 (#613)', { status: 429 }, '613', true],
    ['500', { status: 500 }, '2', true],
  ] as const)('%s → code %s, retryable %s', async (_name, spec, code, retryable) => {
    fake.failNext('messenger', 1, spec);
    const err = await sendError(send({ to: '1', content: { type: 'text', text: 'x' } }));
    expect([err.error.code, err.retryable]).toEqual([code, retryable]);
  });

  it('media: a plain GET of the attachment url', async () => {
    const data = Buffer.from('fake mp4');
    fake.putMedia('clip.mp4', { data, mimeType: 'video/mp4' });
    const media = await channelAdapters.messenger.fetchMedia(ms, endpoints, {
      providerMediaId: null,
      url: fake.cdnUrl('clip.mp4'),
    });
    expect(media).toMatchObject({ mimeType: 'video/mp4', fileName: 'clip.mp4' });
    expect(media.data.equals(data)).toBe(true);
  });
});

describe('Telegram send', () => {
  const send = (req: Parameters<typeof channelAdapters.telegram.send>[2]) =>
    channelAdapters.telegram.send(tg, endpoints, req);

  it('text → POST /bot<token>/sendMessage; providerMessageId "<chat.id>:<message_id>"', async () => {
    const result = await send({ to: '23', content: { type: 'text', text: 'Hello' } });
    const call = fake.sent[0]!;
    expect(call).toMatchObject({
      platform: 'telegram',
      action: 'sendMessage',
      path: `/bot${tg.botToken}/sendMessage`,
      token: tg.botToken,
      status: 200,
    });
    expect(call.body).toEqual({ chat_id: 23, text: 'Hello' });
    const sent = (call.response as { result: { message_id: number } }).result;
    expect(result.providerMessageId).toBe(`23:${sent.message_id}`);
  });

  it('a reply: reply_parameters.message_id from the provider id; chat id before the colon', async () => {
    await send({ to: '23:1', content: { type: 'text', text: 'yes' }, replyToProviderMessageId: '23:5' });
    expect(fake.sent[0]!.body).toEqual({
      chat_id: 23,
      text: 'yes',
      reply_parameters: { message_id: 5, allow_sending_without_reply: true },
    });
  });

  it.each([
    ['image', 'sendPhoto', 'photo'],
    ['document', 'sendDocument', 'document'],
    ['audio', 'sendAudio', 'audio'],
    ['video', 'sendVideo', 'video'],
    ['sticker', 'sendSticker', 'sticker'],
  ] as const)('%s → %s by url', async (type, method, field) => {
    const result = await send({ to: '23', content: { type, url: 'https://cdn.example/f', caption: 'cap' } });
    const call = fake.sent[0]!;
    expect(call.action).toBe(method);
    expect(call.body).toMatchObject({ chat_id: 23, [field]: 'https://cdn.example/f' });
    expect((call.body as Record<string, unknown>)['caption']).toBe(type === 'sticker' ? undefined : 'cap');
    expect(result.providerMessageId).toMatch(/^23:\d+$/);
  });

  it('429 → retryable with retryAfterMs from retry_after', async () => {
    fake.failNext('telegram', 1, { status: 429, retryAfter: 7 });
    const err = await sendError(send({ to: '23', content: { type: 'text', text: 'x' } }));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 7000, error: { code: '429' } });
    expect(err.error.message).toContain('Too Many Requests');
  });

  it('500 → retryable; 403 blocked → permanent', async () => {
    fake.failNext('telegram', 1, { status: 500 });
    expect((await sendError(send({ to: '23', content: { type: 'text', text: 'x' } }))).retryable).toBe(true);
    fake.failNext('telegram', 1, platformErrors.telegramBlocked);
    const err = await sendError(send({ to: '23', content: { type: 'text', text: 'x' } }));
    expect(err).toMatchObject({
      retryable: false,
      error: { code: '403', message: 'Forbidden: bot was blocked by the user' },
    });
  });

  it('an empty text is refused by the fake → permanent 400', async () => {
    const err = await sendError(send({ to: '23', content: { type: 'text', text: '' } }));
    expect([err.error.code, err.retryable]).toEqual(['400', false]);
  });

  it('register = setWebhook with url, secret_token and allowed_updates', async () => {
    await channelAdapters.telegram.register(tg, endpoints, 'https://hub.example/webhooks/telegram/ch-1');
    expect(fake.telegramWebhooks.get(tg.botToken)).toEqual({
      url: 'https://hub.example/webhooks/telegram/ch-1',
      secret_token: 'tg-secret',
      allowed_updates: ['message', 'edited_message', 'callback_query', 'my_chat_member'],
    });
    fake.failNext('telegram', 1, { status: 502 }, 'any');
    const err = await sendError(channelAdapters.telegram.register(tg, endpoints, 'https://hub.example/x'));
    expect(err.retryable).toBe(true);
  });

  it('answerCallbackQuery', async () => {
    await channelAdapters.telegram.answerCallbackQuery(tg, endpoints, '4382bfdwdsb323b2d9');
    expect(fake.requests.at(-1)).toMatchObject({
      action: 'answerCallbackQuery',
      status: 200,
      body: { callback_query_id: '4382bfdwdsb323b2d9' },
    });
  });

  it('media: getFile → file_path → /file/bot<token>/<path>', async () => {
    const data = Buffer.from('OggS fake voice');
    fake.putMedia('AwACAgUAAxkBAANjYVwn', { data, mimeType: 'audio/ogg' });
    const media = await channelAdapters.telegram.fetchMedia(tg, endpoints, {
      providerMediaId: 'AwACAgUAAxkBAANjYVwn',
      url: null,
    });
    expect(media.data.equals(data)).toBe(true);
    expect(media.mimeType).toBe('audio/ogg');
    expect(fake.requests.map((r) => [r.action, r.token])).toEqual([
      ['getFile', tg.botToken],
      ['file', tg.botToken],
    ]);
    expect(fake.requests[1]!.path).toBe(`/file/bot${tg.botToken}/files/AwACAgUAAxkBAANjYVwn`);
  });
});

describe('per-token rate limit of the fakes', () => {
  let limited: FakePlatforms;
  const clock = { now: 1_000_000 };
  beforeAll(async () => {
    limited = await startFakePlatforms({ rateLimit: { perSecond: 2 }, now: () => clock.now });
  });
  afterAll(() => limited.close());

  it('beyond the budget: Telegram 429 with retry_after, per token; a new second refills it', async () => {
    const ep = { ...endpoints, telegramApiUrl: limited.telegramUrl };
    const sendAs = (token: string) =>
      channelAdapters.telegram.send({ ...tg, botToken: token }, ep, { to: '23', content: { type: 'text', text: 'x' } });
    await sendAs('1:a');
    await sendAs('1:a');
    const err = await sendError(sendAs('1:a'));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 1000, error: { code: '429' } });
    await expect(sendAs('2:b')).resolves.toBeTruthy();
    clock.now += 1001;
    await expect(sendAs('1:a')).resolves.toBeTruthy();
  });

  it('WhatsApp: 429 with code 130429', async () => {
    const ep = { ...endpoints, whatsappApiUrl: limited.graphUrl };
    const token = { ...wa, accessToken: 'limited-wa' };
    const req = { to: '1', content: { type: 'text' as const, text: 'x' } };
    await channelAdapters.whatsapp.send(token, ep, req);
    await channelAdapters.whatsapp.send(token, ep, req);
    const err = await sendError(channelAdapters.whatsapp.send(token, ep, req));
    expect([err.error.code, err.retryable]).toEqual(['130429', true]);
  });
});
