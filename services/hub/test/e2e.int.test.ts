import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOUND_QUEUE, OUTBOUND_QUEUE } from '@hub/shared/domain';
import { describeDrivers, startTestService } from '@hub/shared/testing';
import {
  messengerDeliveryWebhook,
  messengerTextWebhook,
  metaJson,
  postTelegramUpdate,
  signMeta,
  startFakePlatforms,
  telegramTextUpdate,
  whatsappStatusWebhook,
  whatsappTextWebhook,
  type FakePlatforms,
} from '../../../infra/fake-platforms';
import { TestClient, type Received } from '../../gateway/test/gateway.helpers';
import { addUser, call, team, type Session, type Team } from '../../crm/test/crm-test-client';
import { buildHub } from '../src/hub.app';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers and socket payloads are probed freely */

// The whole hub as `npm start` runs it (buildHub), end to end with real sockets: a customer's
// webhook reaches the agent's socket as message:created; the agent's reply reaches the fake
// platform exactly once with the right shape and token and comes back as message:updated
// `sent`, then `delivered` and `read` from the platform's receipt webhooks — on WhatsApp,
// Messenger and Telegram. And an agent never receives a word of a conversation it may not see.

const META_SECRET = 'e2e-meta-app-secret';
const TG_SECRET = 'e2e_tg_secret';

async function startHubWithFakes(set: Parameters<typeof startTestService>[0]) {
  const fake: FakePlatforms = await startFakePlatforms();
  const svc = await startTestService(set, buildHub, {
    HUB_ALLOW_SIGNUP: 'true',
    HUB_PUBLIC_URL: 'https://hub.example.com',
    WHATSAPP_API_URL: fake.graphUrl,
    MESSENGER_API_URL: fake.graphUrl,
    TELEGRAM_API_URL: fake.telegramUrl,
  });
  const stop = svc.cleanup.bind(svc);
  return Object.assign(svc, {
    fake,
    async cleanup() {
      await stop();
      await fake.close();
    },
  });
}
type Hub = Awaited<ReturnType<typeof startHubWithFakes>>;

let seq = 3_000_000 + Math.floor(Math.random() * 900_000);
const next = () => ++seq;

describeDrivers('hub end to end', startHubWithFakes, (hub) => {
  let t: Team;
  let wa: { id: string; phoneNumberId: string; token: string };
  let fb: { id: string; pageId: string; token: string };
  let tg: { id: string; botToken: string };
  const clients: TestClient[] = [];
  beforeAll(async () => {
    t = await team(hub() as never);
    const mk = async (body: unknown) => {
      const res = await call(hub() as never, 'POST', '/api/v1/channels', { token: t.admin.accessToken, body });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const n = next();
    wa = { id: '', phoneNumberId: `10${n}`, token: `wa-e2e-${n}` };
    wa.id = await mk({
      type: 'whatsapp',
      name: 'WA',
      config: { phoneNumberId: wa.phoneNumberId, accessToken: wa.token, appSecret: META_SECRET, verifyToken: 'v' },
    });
    fb = { id: '', pageId: `20${n}`, token: `page-e2e-${n}` };
    fb.id = await mk({
      type: 'messenger',
      name: 'FB',
      config: { pageId: fb.pageId, pageAccessToken: fb.token, appSecret: META_SECRET, verifyToken: 'v' },
    });
    tg = { id: '', botToken: `${n}:AAe2ebottokenbottoken` };
    tg.id = await mk({ type: 'telegram', name: 'TG', config: { botToken: tg.botToken, secretToken: TG_SECRET } });
  });
  afterAll(() => clients.forEach((c) => c.close()));

  const socketOf = async (s: Session) => {
    const c = new TestClient(hub().url, { token: s.accessToken });
    clients.push(c);
    await c.ready();
    return c;
  };
  const meta = async (type: 'whatsapp' | 'messenger', channelId: string, payload: unknown) => {
    const body = metaJson(payload);
    const res = await fetch(`${hub().url}/webhooks/${type}/${channelId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(body, META_SECRET) },
      body,
    });
    expect(res.status).toBe(200);
  };
  const reply = (s: Session, conversationId: string, text: string) =>
    call(hub() as never, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: s.accessToken,
      body: { text },
    });
  const sendsFor = (token: string) => hub().fake.sent.filter((r) => r.token === token);
  const updatedTo = (c: TestClient, messageId: string, status: string) =>
    c.waitFor(
      (e) =>
        e.event === 'message:updated' &&
        (e.payload as any).message.id === messageId &&
        (e.payload as any).message.status === status,
      `message:updated ${status}`,
    );
  const createdWith = (c: TestClient, text: string) =>
    c.waitFor(
      (e) => e.event === 'message:created' && (e.payload as any).message.text === text,
      `message:created ${text}`,
    );

  it('WhatsApp: webhook → socket, reply → one platform request → sent → delivered → read', async () => {
    const agent = await socketOf(t.agent);
    const from = `1415${next()}`;
    await meta(
      'whatsapp',
      wa.id,
      whatsappTextWebhook({ phoneNumberId: wa.phoneNumberId, from, name: 'Ana', text: 'Hola!' }),
    );
    const created: Received = await createdWith(agent, 'Hola!');
    const p = created.payload as any;
    expect(p.message).toMatchObject({ direction: 'in', type: 'text', status: 'received' });
    expect(typeof p.seq).toBe('number');
    const conversationId = p.conversationId as string;

    const before = sendsFor(wa.token).length;
    const res = await reply(t.agent, conversationId, '¡Hola Ana!');
    expect(res.status).toBe(202);
    const messageId = res.body.message.id as string;
    const sent = await updatedTo(agent, messageId, 'sent');
    const sends = sendsFor(wa.token).slice(before);
    expect(sends).toHaveLength(1);
    expect(sends[0]!.path).toBe(`/v21.0/${wa.phoneNumberId}/messages`);
    expect(sends[0]!.headers['authorization']).toBe(`Bearer ${wa.token}`);
    expect(sends[0]!.body).toMatchObject({
      messaging_product: 'whatsapp',
      to: from,
      type: 'text',
      text: { body: '¡Hola Ana!' },
    });
    const wamid = (sends[0]!.response as any).messages[0].id;
    expect((sent.payload as any).message.providerMessageId).toBe(wamid);

    for (const status of ['delivered', 'read'] as const) {
      await meta(
        'whatsapp',
        wa.id,
        whatsappStatusWebhook({ phoneNumberId: wa.phoneNumberId, id: wamid, status, recipientId: from }),
      );
      await updatedTo(agent, messageId, status);
    }
    expect(sendsFor(wa.token).length - before).toBe(1);
  });

  it('Messenger: the page token, RESPONSE, and delivery/read watermarks', async () => {
    const agent = await socketOf(t.agent);
    const psid = `77${next()}`;
    await meta('messenger', fb.id, messengerTextWebhook({ pageId: fb.pageId, psid, text: 'Hi page' }));
    const conversationId = (await createdWith(agent, 'Hi page')).payload.conversationId as string;
    const before = sendsFor(fb.token).length;
    const res = await reply(t.agent, conversationId, 'Hi person');
    const messageId = res.body.message.id as string;
    const sent = await updatedTo(agent, messageId, 'sent');
    const sends = sendsFor(fb.token).slice(before);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ path: '/v21.0/me/messages', query: { access_token: fb.token } });
    expect(sends[0]!.body).toMatchObject({
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: { text: 'Hi person' },
    });
    expect((sent.payload as any).message.providerMessageId).toBe((sends[0]!.response as any).message_id);
    const watermark = Date.now() + 1000;
    await meta('messenger', fb.id, messengerDeliveryWebhook({ pageId: fb.pageId, psid, watermark }));
    await updatedTo(agent, messageId, 'delivered');
    await meta('messenger', fb.id, messengerDeliveryWebhook({ pageId: fb.pageId, psid, watermark, read: true }));
    await updatedTo(agent, messageId, 'read');
  });

  it('Telegram: the bot token in the path and the chat id', async () => {
    const agent = await socketOf(t.agent);
    const chatId = next();
    const res0 = await postTelegramUpdate(
      `${hub().url}/webhooks/telegram/${tg.id}`,
      telegramTextUpdate({ chatId, text: 'Hi bot' }),
      TG_SECRET,
    );
    expect(res0.status).toBe(200);
    const conversationId = (await createdWith(agent, 'Hi bot')).payload.conversationId as string;
    const before = sendsFor(tg.botToken).length;
    const res = await reply(t.agent, conversationId, 'Hi human');
    await updatedTo(agent, res.body.message.id, 'sent');
    const sends = sendsFor(tg.botToken).slice(before);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ action: 'sendMessage', path: `/bot${tg.botToken}/sendMessage` });
    expect(sends[0]!.body).toMatchObject({ chat_id: chatId, text: 'Hi human' });
  });

  describe('visibility', () => {
    it('gives an agent only the conversations it may see, and revokes one that is reassigned', async () => {
      const [a, b] = await Promise.all([
        addUser(hub() as never, t.admin, 'agent', 'A'),
        addUser(hub() as never, t.admin, 'agent', 'B'),
      ]);
      const [sa, sb, sup] = await Promise.all([socketOf(a), socketOf(b), socketOf(t.supervisor)]);
      const from = `1415${next()}`;
      const customer = async (text: string) => {
        await meta(
          'whatsapp',
          wa.id,
          whatsappTextWebhook({ phoneNumberId: wa.phoneNumberId, from, name: 'Vis', text }),
        );
      };
      // Unassigned: every agent sees the shared queue (the workspace default).
      await customer('anyone there?');
      const conversationId = (await createdWith(sb, 'anyone there?')).payload.conversationId as string;
      await createdWith(sa, 'anyone there?');
      // Assigned to A: B loses it.
      const assigned = await call(hub() as never, 'POST', `/api/v1/conversations/${conversationId}/assign`, {
        token: t.supervisor.accessToken,
        body: { assigneeId: a.user.id },
      });
      expect(assigned.status).toBe(200);
      await sb.waitFor(
        (e) => e.event === 'conversation:revoked' && e.payload.conversationId === conversationId,
        'revoked',
      );
      await customer('it is private now');
      await createdWith(sa, 'it is private now');
      await createdWith(sup, 'it is private now');
      const res = await reply(a, conversationId, 'only A answers');
      await updatedTo(sa, res.body.message.id, 'sent');
      // B's stream, flushed from the last event it got (the ack of a sync comes after every
      // event emitted before it): nothing of the conversation after the revoke.
      const lastSeq = Math.max(...sb.events.map((e) => Number((e.payload as any).seq ?? 0)));
      await sb.flush(lastSeq);
      const revokedAt = sb.events.findIndex((e) => e.event === 'conversation:revoked');
      const leaks = sb.events.slice(revokedAt + 1).filter((e) => {
        const p = e.payload as any;
        return p.conversationId === conversationId || p.conversation?.id === conversationId;
      });
      expect(leaks).toEqual([]);
      expect(JSON.stringify(sb.events)).not.toContain('only A answers');
      expect(JSON.stringify(sb.events)).not.toContain('it is private now');
      // B cannot read or write it over REST either.
      expect(
        (
          await call(hub() as never, 'GET', `/api/v1/conversations/${conversationId}/messages`, {
            token: b.accessToken,
          })
        ).status,
      ).toBe(404);
      expect((await reply(b, conversationId, 'sneaky')).status).toBe(404);
    });
  });

  it('a new conversation becomes a lead, attributed to the ad the customer clicked', async () => {
    const admin = t.admin.accessToken;
    const settings = (autoCreateLead: boolean) =>
      call(hub() as never, 'PATCH', '/api/v1/workspace', { token: admin, body: { settings: { autoCreateLead } } });
    expect((await settings(true)).status).toBe(200);
    try {
      const adId = `ad${next()}`;
      const campaign = await call(hub() as never, 'POST', '/api/v1/campaigns', {
        token: admin,
        body: { name: 'Click to WhatsApp', channel: 'whatsapp', currency: 'USD', adIds: [adId] },
      });
      expect(campaign.status).toBe(201);
      const watcher = await socketOf(t.admin);
      const from = `1415${next()}`;
      const clicked = whatsappTextWebhook({
        phoneNumberId: wa.phoneNumberId,
        from,
        name: 'Ad click',
        text: 'Saw your ad',
      });
      // The referral Meta puts on the first message after a click-to-WhatsApp ad.
      (clicked.entry[0]!.changes[0]!.value as any).messages[0].referral = {
        source_type: 'ad',
        source_id: adId,
        source_url: 'https://fb.me/ad',
        headline: 'Sale',
        ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ',
      };
      await meta('whatsapp', wa.id, clicked);
      const created = await createdWith(watcher, 'Saw your ad');
      const conversationId = (created.payload as any).conversationId as string;
      const leadsOf = async () =>
        ((await call(hub() as never, 'GET', '/api/v1/leads?limit=100', { token: admin })).body.items as any[]).filter(
          (l) => l.conversationId === conversationId,
        );
      const [lead, ...others] = await leadsOf();
      expect(others).toEqual([]);
      expect(lead).toMatchObject({ source: 'whatsapp', campaignId: campaign.body.id, status: 'new' });

      // The next message of the same conversation adds no second lead.
      await meta(
        'whatsapp',
        wa.id,
        whatsappTextWebhook({ phoneNumberId: wa.phoneNumberId, from, name: 'Ad click', text: 'Still there?' }),
      );
      await createdWith(watcher, 'Still there?');
      expect((await leadsOf()).map((l) => l.id)).toEqual([lead.id]);
    } finally {
      await settings(false);
    }
  });

  it('leaves the queues idle', async () => {
    await hub().rt.queues.queue(INBOUND_QUEUE).idle();
    await hub().rt.queues.queue(OUTBOUND_QUEUE).idle();
  });
});

export type { Hub };
