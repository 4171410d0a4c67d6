import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  messengerDeliveryWebhook,
  messengerEchoWebhook,
  messengerTextWebhook,
  metaJson,
  postMetaWebhook,
  postTelegramUpdate,
  signMeta,
  telegramTextUpdate,
  whatsappStatusWebhook,
  whatsappTextWebhook,
} from '../../../infra/fake-platforms';
import {
  channelAdapters,
  type MessengerCredentials,
  type TelegramCredentials,
  type WhatsAppCredentials,
} from '../../src/channels';
import { InboundEvent } from '../../src/events';
import { bodyFixtures, fixture, fixtureBytes, oneMessage, only, signatures } from './fixture.helpers';

// The webhook emitters of the fakes, checked against the adapters: what they POST must verify
// and normalize exactly like the platforms' own payloads.

const SECRET = 'emitter-app-secret';
const wa: WhatsAppCredentials = { phoneNumberId: '555000111', accessToken: 't', appSecret: SECRET, verifyToken: 'v' };
const ms: MessengerCredentials = { pageId: '777000111', pageAccessToken: 't', appSecret: SECRET, verifyToken: 'v' };
const tg: TelegramCredentials = { botToken: '1:x', secretToken: 'emitter_secret-1' };

let server: Server;
let url: string;
let received: { raw: Buffer; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ raw: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = [];
});

const last = () => received.at(-1)!;
const parse = (raw: Buffer) => JSON.parse(raw.toString('utf8')) as unknown;

describe('metaJson / signMeta', () => {
  it('escapes non-ASCII as Meta does (emoji as surrogate pairs) and parses back to the same value', () => {
    const value = { text: 'Olá 👍 — ok', n: 1 };
    const body = metaJson(value);
    expect(body).toBe('{"text":"Ol\\u00e1 \\ud83d\\udc4d \\u2014 ok","n":1}');
    expect(/^[\x20-\x7e]*$/.test(body)).toBe(true);
    expect(JSON.parse(body)).toEqual(value);
  });

  it.each([...bodyFixtures('whatsapp'), ...bodyFixtures('messenger')])(
    '%s: same escaping as the fixture bytes',
    (path) => {
      const compactOriginal = fixtureBytes(path).toString('utf8').replace(/\n\s*/g, '').replace(/": /g, '":');
      expect(metaJson(fixture(path))).toBe(compactOriginal);
    },
  );

  it('signs exactly like the published fixture signatures', () => {
    const path = 'whatsapp/message_document.json';
    expect(signMeta(fixtureBytes(path), signatures.meta_app_secret)).toBe(
      signatures.headers[path]!['X-Hub-Signature-256'],
    );
  });
});

describe('WhatsApp emitters', () => {
  it('text webhook: posted escaped and signed; verifies and normalizes', async () => {
    const payload = whatsappTextWebhook({
      phoneNumberId: wa.phoneNumberId,
      from: '5215512345678',
      name: 'José',
      text: 'Olá 👋',
      id: 'wamid.T1',
      timestamp: 1749416383,
    });
    const res = await postMetaWebhook(url, payload, SECRET);
    expect(res.status).toBe(200);
    const { raw, headers } = last();
    expect(/^[\x20-\x7e]*$/.test(raw.toString('latin1'))).toBe(true);
    expect(channelAdapters.whatsapp.verifyWebhook(wa, { rawBody: raw, headers })).toEqual({ ok: true });
    expect(channelAdapters.whatsapp.verifyWebhook({ ...wa, appSecret: 'other' }, { rawBody: raw, headers }).ok).toBe(
      false,
    );
    const e = oneMessage(channelAdapters.whatsapp.normalize(parse(raw)));
    expect(e).toMatchObject({
      routeKey: wa.phoneNumberId,
      providerMessageId: 'wamid.T1',
      type: 'text',
      text: 'Olá 👋',
      timestamp: '2025-06-08T20:59:43.000Z',
      contact: { identities: [{ kind: 'whatsapp', value: '5215512345678' }], name: 'José', phone: '5215512345678' },
    });
  });

  it('status webhook, failed with an error', async () => {
    const payload = whatsappStatusWebhook({
      phoneNumberId: wa.phoneNumberId,
      id: 'wamid.OUT1',
      status: 'failed',
      recipientId: '16505551234',
      error: { code: 131047, title: 'Re-engagement message' },
    });
    await postMetaWebhook(url, payload, SECRET);
    const e = only(channelAdapters.whatsapp.normalize(parse(last().raw)), 'status');
    expect(e).toMatchObject({
      providerMessageId: 'wamid.OUT1',
      status: 'failed',
      recipient: '16505551234',
      error: { code: '131047' },
    });
  });

  it('status webhook, delivered', () => {
    const e = only(
      channelAdapters.whatsapp.normalize(
        whatsappStatusWebhook({ phoneNumberId: '1', id: 'wamid.X', status: 'delivered', recipientId: '2' }),
      ),
      'status',
    );
    expect(e).toMatchObject({ status: 'delivered', error: null, routeKey: '1' });
  });
});

describe('Messenger emitters', () => {
  it('text webhook', async () => {
    await postMetaWebhook(
      url,
      messengerTextWebhook({ pageId: ms.pageId, psid: '42', text: 'Ça va?', mid: 'm_1', timestamp: 1648581633369 }),
      SECRET,
    );
    const { raw, headers } = last();
    expect(channelAdapters.messenger.verifyWebhook(ms, { rawBody: raw, headers })).toEqual({ ok: true });
    expect(oneMessage(channelAdapters.messenger.normalize(parse(raw)))).toMatchObject({
      routeKey: ms.pageId,
      providerMessageId: 'm_1',
      text: 'Ça va?',
      direction: 'in',
      timestamp: '2022-03-29T19:20:33.369Z',
      contact: { identities: [{ kind: 'messenger', value: '42' }] },
    });
  });

  it('echo and delivery webhooks', () => {
    const echo = oneMessage(
      channelAdapters.messenger.normalize(
        messengerEchoWebhook({ pageId: ms.pageId, psid: '42', text: 'from the page', appId: 99 }),
      ),
    );
    expect(echo).toMatchObject({
      direction: 'out',
      details: { app_id: '99' },
      contact: { identities: [{ value: '42' }] },
    });
    const delivery = only(
      channelAdapters.messenger.normalize(
        messengerDeliveryWebhook({ pageId: ms.pageId, psid: '42', watermark: 1458668856253, mids: ['m_1'] }),
      ),
      'watermark',
    );
    expect(delivery).toMatchObject({
      status: 'delivered',
      providerMessageIds: ['m_1'],
      watermark: '2016-03-22T17:47:36.253Z',
    });
  });
});

describe('Telegram emitters', () => {
  it('text update with the secret header', async () => {
    await postTelegramUpdate(
      url,
      telegramTextUpdate({ chatId: 23, text: 'Привет', messageId: 9, firstName: 'Ivan', lastName: 'P' }),
      tg.secretToken,
    );
    const { raw, headers } = last();
    expect(channelAdapters.telegram.verifyWebhook(tg, { rawBody: raw, headers })).toEqual({ ok: true });
    const events = channelAdapters.telegram.normalize(parse(raw));
    expect(events.every((e) => InboundEvent.safeParse(e).success)).toBe(true);
    expect(oneMessage(events)).toMatchObject({
      providerMessageId: '23:9',
      text: 'Привет',
      contact: { name: 'Ivan P' },
    });
  });
});
