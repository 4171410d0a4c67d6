import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { whatsappTextWebhook } from '../../../infra/fake-platforms';
import { call, team, type Team } from './crm-test-client';
import { META_SECRET, PUBLIC_URL, startInbox } from './inbox-test-hub';

// /api/v1/channels as CONTRACT.md has it: admins create, secrets never come back (nor sit in
// the database in clear), Telegram registers its webhook or nothing is created, another
// workspace's channel is a 404 — and the webhook side follows changes at once.

const waConfig = (phoneNumberId: string, appSecret = META_SECRET) => ({
  phoneNumberId,
  accessToken: `EAAG-secret-access-token-${phoneNumberId}`,
  appSecret,
  verifyToken: `verify-${phoneNumberId}`,
});
const newId = () => `1${Math.floor(Math.random() * 1e14)}`;

describeDrivers('channels API', startInbox, (hub) => {
  let t: Team;
  let other: Team;
  beforeAll(async () => {
    [t, other] = await Promise.all([team(hub()), team(hub())]);
  });
  const as = (s: { accessToken: string }) => ({ token: s.accessToken });

  it('creates a WhatsApp channel: 201 with id, type, name, webhookUrl — and no secret anywhere', async () => {
    const config = waConfig(newId());
    const res = await call(hub(), 'POST', '/api/v1/channels', {
      ...as(t.admin),
      body: { type: 'whatsapp', name: 'Sales line', config },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['id', 'name', 'type', 'webhookUrl']);
    expect(res.body).toEqual({
      id: res.body.id,
      type: 'whatsapp',
      name: 'Sales line',
      webhookUrl: `${PUBLIC_URL}/webhooks/whatsapp/${res.body.id}`,
    });

    const list = await call(hub(), 'GET', '/api/v1/channels', as(t.agent));
    expect(list.status).toBe(200);
    const item = list.body.items.find((c: { id: string }) => c.id === res.body.id);
    expect(item).toMatchObject({
      type: 'whatsapp',
      name: 'Sales line',
      externalId: config.phoneNumberId,
      config: { phoneNumberId: config.phoneNumberId },
    });
    const one = await call(hub(), 'GET', `/api/v1/channels/${res.body.id}`, as(t.supervisor));
    expect(one.status).toBe(200);
    for (const text of [JSON.stringify(list.body), JSON.stringify(one.body)]) {
      for (const secret of [config.accessToken, config.appSecret, config.verifyToken])
        expect(text).not.toContain(secret);
    }
    const row = await hub()
      .rt.database.db.selectFrom('channels')
      .select('credentials')
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(row.credentials).toMatch(/^v1\./);
    for (const secret of [config.accessToken, config.appSecret, config.verifyToken])
      expect(row.credentials).not.toContain(secret);
  });

  it('names the field at fault, refuses non-admins, and 409s a number that is already connected', async () => {
    const bad = await call(hub(), 'POST', '/api/v1/channels', {
      ...as(t.admin),
      body: { type: 'whatsapp', name: 'x', config: { phoneNumberId: '1', accessToken: 'a', verifyToken: 'v' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toContain('config.appSecret');
    const badType = await call(hub(), 'POST', '/api/v1/channels', {
      ...as(t.admin),
      body: { type: 'fax', name: 'x', config: {} },
    });
    expect(badType.status).toBe(400);
    const badSecret = await call(hub(), 'POST', '/api/v1/channels', {
      ...as(t.admin),
      body: { type: 'telegram', name: 'x', config: { botToken: '1:a', secretToken: 'has spaces!' } },
    });
    expect(badSecret.status).toBe(400);
    expect(badSecret.body.error.details.map((d: { field: string }) => d.field)).toContain('config.secretToken');

    const body = { type: 'whatsapp', name: 'y', config: waConfig(newId()) };
    expect((await call(hub(), 'POST', '/api/v1/channels', { ...as(t.agent), body })).status).toBe(403);
    expect((await call(hub(), 'POST', '/api/v1/channels', { body })).status).toBe(401);
    expect((await call(hub(), 'POST', '/api/v1/channels', { ...as(t.admin), body })).status).toBe(201);
    const again = await call(hub(), 'POST', '/api/v1/channels', { ...as(t.admin), body });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('channel_exists');
  });

  it('registers a Telegram bot’s webhook with its secret; a refusal answers 502 and creates nothing', async () => {
    const botToken = `${Math.floor(Math.random() * 1e9)}:AAH-token`;
    const res = await call(hub(), 'POST', '/api/v1/channels', {
      ...as(t.admin),
      body: { type: 'telegram', name: 'Bot', config: { botToken, secretToken: 'tg_Secret-1' } },
    });
    expect(res.status).toBe(201);
    expect(hub().fake.telegramWebhooks.get(botToken)).toMatchObject({
      url: `${PUBLIC_URL}/webhooks/telegram/${res.body.id}`,
      secret_token: 'tg_Secret-1',
    });

    const refused = `${Math.floor(Math.random() * 1e9)}:AAH-refused`;
    hub().fake.failNext('telegram', 1, { status: 401 }, 'any');
    const failed = await call(hub(), 'POST', '/api/v1/channels', {
      ...as(t.admin),
      body: { type: 'telegram', name: 'Bot 2', config: { botToken: refused, secretToken: 'tg_secret' } },
    });
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('telegram_register_failed');
    const list = await call(hub(), 'GET', '/api/v1/channels', as(t.admin));
    expect(list.body.items.map((c: { name: string }) => c.name)).not.toContain('Bot 2');
  });

  describe('deleting a Telegram channel', () => {
    const newBot = () => `${Math.floor(1e8 + Math.random() * 9e8)}:AAH-${randomUUID().slice(0, 8)}`;
    const deleteWebhookCalls = (botToken: string) =>
      hub().fake.requests.filter(
        (r) => r.platform === 'telegram' && r.action === 'deleteWebhook' && r.token === botToken,
      );
    const connect = async (owner: Team, botToken: string, name = 'Bot') => {
      const res = await call(hub(), 'POST', '/api/v1/channels', {
        ...as(owner.admin),
        body: { type: 'telegram', name, config: { botToken, secretToken: 'tg_secret' } },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };

    it('removes the bot’s webhook at Telegram: one deleteWebhook with that bot’s token', async () => {
      const botToken = newBot();
      const id = await connect(t, botToken);
      expect(hub().fake.telegramWebhooks.has(botToken)).toBe(true);
      expect((await call(hub(), 'DELETE', `/api/v1/channels/${id}`, as(t.admin))).status).toBe(204);
      const calls = deleteWebhookCalls(botToken);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ method: 'POST', path: `/bot${botToken}/deleteWebhook`, status: 200 });
      expect(hub().fake.telegramWebhooks.has(botToken)).toBe(false);
      expect((await call(hub(), 'GET', `/api/v1/channels/${id}`, as(t.admin))).status).toBe(404);
    });

    it('still deletes the channel (204) when Telegram answers 500', async () => {
      const botToken = newBot();
      const id = await connect(t, botToken);
      hub().fake.failNext('telegram', 1, { status: 500 }, 'any');
      expect((await call(hub(), 'DELETE', `/api/v1/channels/${id}`, as(t.admin))).status).toBe(204);
      expect(deleteWebhookCalls(botToken).map((r) => r.status)).toEqual([500]);
      expect((await call(hub(), 'GET', `/api/v1/channels/${id}`, as(t.admin))).status).toBe(404);
      const list = await call(hub(), 'GET', '/api/v1/channels', as(t.admin));
      expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    });

    it('leaves the webhook alone while another workspace still has the bot as a channel', async () => {
      const botToken = newBot();
      const mine = await connect(t, botToken);
      const theirs = await connect(other, botToken);
      expect((await call(hub(), 'DELETE', `/api/v1/channels/${mine}`, as(t.admin))).status).toBe(204);
      expect(deleteWebhookCalls(botToken)).toHaveLength(0);
      expect((await call(hub(), 'DELETE', `/api/v1/channels/${theirs}`, as(other.admin))).status).toBe(204);
      expect(deleteWebhookCalls(botToken)).toHaveLength(1);
    });

    it('removes the old bot’s webhook when a channel is switched to another bot', async () => {
      const oldBot = newBot();
      const newer = newBot();
      const id = await connect(t, oldBot);
      const patched = await call(hub(), 'PATCH', `/api/v1/channels/${id}`, {
        ...as(t.admin),
        body: { config: { botToken: newer } },
      });
      expect(patched.status).toBe(200);
      expect(deleteWebhookCalls(oldBot)).toHaveLength(1);
      expect(deleteWebhookCalls(newer)).toHaveLength(0);
      expect(hub().fake.telegramWebhooks.get(newer)).toMatchObject({
        url: `${PUBLIC_URL}/webhooks/telegram/${id}`,
      });
    });
  });

  it('hides another workspace’s channel behind 404', async () => {
    const res = await call(hub(), 'POST', '/api/v1/channels', {
      ...as(t.admin),
      body: { type: 'whatsapp', name: 'Mine', config: waConfig(newId()) },
    });
    const id = res.body.id as string;
    expect((await call(hub(), 'GET', `/api/v1/channels/${id}`, as(other.admin))).status).toBe(404);
    expect(
      (await call(hub(), 'PATCH', `/api/v1/channels/${id}`, { ...as(other.admin), body: { name: 'stolen' } })).status,
    ).toBe(404);
    expect((await call(hub(), 'DELETE', `/api/v1/channels/${id}`, as(other.admin))).status).toBe(404);
    expect(
      (await call(hub(), 'GET', '/api/v1/channels', as(other.admin))).body.items.map((c: { id: string }) => c.id),
    ).not.toContain(id);
    expect((await call(hub(), 'GET', `/api/v1/channels/${randomUUID()}`, as(t.admin))).status).toBe(404);
  });

  it('applies a new app secret to the webhook at once, and a deleted channel stops taking webhooks', async () => {
    const phoneNumberId = newId();
    const created = await call(hub(), 'POST', '/api/v1/channels', {
      ...as(t.admin),
      body: { type: 'whatsapp', name: 'Rotating', config: waConfig(phoneNumberId) },
    });
    const id = created.body.id as string;
    const payload = whatsappTextWebhook({ phoneNumberId, from: '16505551234', text: 'hi' });
    expect((await hub().meta('whatsapp', id, payload)).status).toBe(200);
    // The handshake answers with the channel's verify token.
    const hs = await fetch(
      `${hub().url}/webhooks/whatsapp/${id}?hub.mode=subscribe&hub.challenge=42&hub.verify_token=verify-${phoneNumberId}`,
    );
    expect(await hs.text()).toBe('42');

    const patched = await call(hub(), 'PATCH', `/api/v1/channels/${id}`, {
      ...as(t.admin),
      body: { name: 'Rotated', config: { appSecret: 'rotated-app-secret' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: 'Rotated', config: { phoneNumberId } });
    await expect.poll(async () => (await hub().meta('whatsapp', id, payload, 'rotated-app-secret')).status).toBe(200);
    expect((await hub().meta('whatsapp', id, payload)).status).toBe(401);

    const badPatch = await call(hub(), 'PATCH', `/api/v1/channels/${id}`, {
      ...as(t.admin),
      body: { config: { accessToken: '' } },
    });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error.details.map((d: { field: string }) => d.field)).toContain('config.accessToken');

    expect((await call(hub(), 'DELETE', `/api/v1/channels/${id}`, as(t.admin))).status).toBe(204);
    await expect.poll(async () => (await hub().meta('whatsapp', id, payload, 'rotated-app-secret')).status).toBe(404);
    expect((await call(hub(), 'GET', `/api/v1/channels/${id}`, as(t.admin))).status).toBe(404);
    await hub().settle();
  });
});
