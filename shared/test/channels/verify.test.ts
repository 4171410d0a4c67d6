import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adapterFor, channelAdapters, metaSignature } from '../../src/channels';
import type { MessengerCredentials, TelegramCredentials, WhatsAppCredentials } from '../../src/channels';
import { fixture, fixtureBytes, signatures } from './fixture.helpers';

const SECRET = 'public-fixture-meta-app-secret';
const wa: WhatsAppCredentials = {
  phoneNumberId: '106540352242922',
  accessToken: 't',
  appSecret: SECRET,
  verifyToken: 'vibecoding',
};
const ms: MessengerCredentials = {
  pageId: '117172741761305',
  pageAccessToken: 't',
  appSecret: SECRET,
  verifyToken: 'meatyhamhock',
};
const tg: TelegramCredentials = { botToken: '7012345678:AAE-secret', secretToken: 'public_fixture_TG-secret' };

const signed = Object.entries(signatures.headers).filter(([path]) => !path.startsWith('telegram/'));
function verifyMeta(
  path: string,
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  appSecret = SECRET,
) {
  const type = path.startsWith('whatsapp/') ? ('whatsapp' as const) : ('messenger' as const);
  const creds = type === 'whatsapp' ? { ...wa, appSecret } : { ...ms, appSecret };
  return adapterFor(type).verifyWebhook(creds, { rawBody, headers });
}

describe('Meta X-Hub-Signature-256', () => {
  it('the fixture secret is the one in signatures.json', () => {
    expect(signatures.meta_app_secret).toBe(SECRET);
    expect(signed.length).toBeGreaterThanOrEqual(37);
  });

  it.each(signed)('%s verifies over the exact file bytes', (path, headers) => {
    const raw = fixtureBytes(path);
    expect(verifyMeta(path, raw, headers)).toEqual({ ok: true });
    // Node gives lower-cased header names.
    expect(verifyMeta(path, raw, { 'x-hub-signature-256': headers['X-Hub-Signature-256'] })).toEqual({ ok: true });
    expect(metaSignature(SECRET, raw)).toBe(headers['X-Hub-Signature-256']);
  });

  it.each(signed)('%s fails when re-serialized or signed with another secret', (path, headers) => {
    const raw = fixtureBytes(path);
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    expect(verifyMeta(path, Buffer.from(JSON.stringify(parsed)), headers).ok).toBe(false);
    expect(verifyMeta(path, raw, headers, 'another-app-secret').ok).toBe(false);
  });

  it('a body with non-ASCII fails even re-serialized with the same indentation (Meta escapes \\uXXXX)', () => {
    const path = 'whatsapp/message_document.json';
    const raw = fixtureBytes(path);
    const same = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8')), null, 2) + '\n');
    expect(same.equals(raw)).toBe(false);
    expect(verifyMeta(path, same, signatures.headers[path]!).ok).toBe(false);
  });

  it('uppercase hex and an array-valued header are accepted', () => {
    const path = 'whatsapp/message_text.json';
    const raw = fixtureBytes(path);
    const sig = signatures.headers[path]!['X-Hub-Signature-256']!;
    expect(verifyMeta(path, raw, { 'x-hub-signature-256': `sha256=${sig.slice(7).toUpperCase()}` }).ok).toBe(true);
    expect(verifyMeta(path, raw, { 'x-hub-signature-256': [sig] }).ok).toBe(true);
  });

  it.each([
    ['missing header', {}, 'missing'],
    [
      'legacy sha1 header only',
      { 'x-hub-signature': `sha1=${createHmac('sha1', SECRET).update('x').digest('hex')}` },
      'sha1',
    ],
    ['sha1 value in the sha256 header', { 'x-hub-signature-256': `sha1=${'a'.repeat(40)}` }, 'malformed'],
    ['no prefix', { 'x-hub-signature-256': 'a'.repeat(64) }, 'malformed'],
    ['non-hex', { 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` }, 'malformed'],
    ['too short', { 'x-hub-signature-256': 'sha256=abcd' }, 'malformed'],
    ['too long', { 'x-hub-signature-256': `sha256=${'a'.repeat(66)}` }, 'malformed'],
    ['empty', { 'x-hub-signature-256': '' }, 'malformed'],
    ['right length, wrong value', { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, 'mismatch'],
  ])('%s → rejected with a reason', (_name, headers, reasonPart) => {
    const result = verifyMeta('whatsapp/message_text.json', fixtureBytes('whatsapp/message_text.json'), headers);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reasonPart);
  });

  it('a channel without an app secret rejects everything', () => {
    const path = 'messenger/message_text.json';
    expect(verifyMeta(path, fixtureBytes(path), signatures.headers[path]!, '').ok).toBe(false);
  });
});

describe('Meta GET handshake', () => {
  it.each([
    ['whatsapp', wa],
    ['messenger', ms],
  ] as const)('%s: the documented request → the challenge', (platform, creds) => {
    const req = fixture(`${platform}/verification_get.request.json`) as {
      query: Record<string, string>;
      expected_response: { body: string };
    };
    const verify = (c: typeof creds, q: Record<string, unknown>) => adapterFor(platform).verifyHandshake!(c, q);
    expect(verify(creds, req.query)).toEqual({ ok: true, challenge: req.expected_response.body });
    expect(verify(creds, { ...req.query, 'hub.verify_token': 'wrong' })).toEqual({ ok: false });
    expect(verify(creds, { ...req.query, 'hub.mode': 'unsubscribe' })).toEqual({ ok: false });
    expect(verify(creds, { 'hub.mode': 'subscribe', 'hub.verify_token': creds.verifyToken })).toEqual({ ok: false });
    expect(verify(creds, { ...req.query, 'hub.verify_token': [creds.verifyToken, 'x'] })).toEqual({ ok: false });
    // qs with allowDots nests the keys
    expect(verify(creds, { hub: { mode: 'subscribe', verify_token: creds.verifyToken, challenge: '42' } })).toEqual({
      ok: true,
      challenge: '42',
    });
  });
});

describe('Telegram secret token', () => {
  const body = fixtureBytes('telegram/message_text.json');
  const verify = (headers: Record<string, string | string[] | undefined>, creds = tg) =>
    channelAdapters.telegram.verifyWebhook(creds, { rawBody: body, headers });

  it('the documented header verifies', () => {
    const req = fixture('telegram/secret_token_header.request.json') as { headers: Record<string, string> };
    expect(verify(req.headers)).toEqual({ ok: true });
    expect(verify(signatures.headers['telegram/message_text.json']!)).toEqual({ ok: true });
    expect(verify({ 'x-telegram-bot-api-secret-token': 'public_fixture_TG-secret' })).toEqual({ ok: true });
  });

  it.each([
    ['missing', {}],
    ['wrong', { 'x-telegram-bot-api-secret-token': 'public_fixture_TG-secreT' }],
    ['different case', { 'x-telegram-bot-api-secret-token': 'PUBLIC_FIXTURE_TG-SECRET' }],
    ['prefix', { 'x-telegram-bot-api-secret-token': 'public_fixture' }],
    ['empty', { 'x-telegram-bot-api-secret-token': '' }],
  ])('%s → rejected', (_name, headers) => {
    expect(verify(headers).ok).toBe(false);
  });

  it('a channel without a secret token rejects even an empty header', () => {
    expect(verify({ 'x-telegram-bot-api-secret-token': '' }, { ...tg, secretToken: '' }).ok).toBe(false);
  });

  it('externalId is the bot id, never the token', () => {
    expect(channelAdapters.telegram.externalId(tg)).toBe('7012345678');
    expect(channelAdapters.whatsapp.externalId(wa)).toBe('106540352242922');
    expect(channelAdapters.messenger.externalId(ms)).toBe('117172741761305');
  });
});
