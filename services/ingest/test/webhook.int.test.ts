import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  claimContact,
  getOrCreateConversation,
  INBOUND_QUEUE,
  insertMessage,
  insertWebhookEvent,
  messageRowToMessage,
  applyPendingStatuses,
  type InboundJobData,
} from '@hub/shared/domain';
import { describeDrivers } from '@hub/shared/testing';
import { requeueStranded } from '../../worker/src/recovery/webhook-recovery';
import { replayWebhookEvents } from '../../worker/src/replay';
import { createChannel, createWorkspace, waCredentials, waSender } from '../../worker/test/inbound.helpers';
import {
  metaJson,
  signMeta,
  telegramTextUpdate,
  whatsappMessageWebhook,
  whatsappStatusWebhook,
  whatsappTextWebhook,
  messengerWebhook,
} from '../../../infra/fake-platforms';
import { META_SECRET, post, startPipeline, TG_SECRET } from './pipeline.helpers';

// HTTP → queue → database for the webhook routes: the contract's answers (200/400/401/404/413,
// handshake), durability, dedupe, ordering, routing by number, statuses, Telegram edits, media.

describeDrivers('webhooks', startPipeline, (hub, set) => {
  const db = () => hub().rt.database.db;

  async function whatsappChannel(
    phoneNumberId = `10${Math.floor(Math.random() * 1e12)}`,
    secret = META_SECRET,
    workspaceId?: string,
  ) {
    const ws = workspaceId ?? (await createWorkspace(db()));
    const id = await createChannel(db(), ws, 'whatsapp', waCredentials(phoneNumberId, secret), phoneNumberId);
    return { workspaceId: ws, channelId: id, phoneNumberId, url: `${hub().url}/webhooks/whatsapp/${id}` };
  }

  async function telegramChannel() {
    const ws = await createWorkspace(db());
    const botToken = `${Math.floor(Math.random() * 1e9)}:fake-token`;
    const id = await createChannel(db(), ws, 'telegram', { botToken, secretToken: TG_SECRET }, botToken.split(':')[0]!);
    return { workspaceId: ws, channelId: id, botToken, url: `${hub().url}/webhooks/telegram/${id}` };
  }

  const signed = (url: string, payload: unknown, secret = META_SECRET) => {
    const body = metaJson(payload);
    return post(url, body, { 'x-hub-signature-256': signMeta(body, secret) });
  };
  const tg = (url: string, update: unknown) =>
    post(url, JSON.stringify(update), { 'x-telegram-bot-api-secret-token': TG_SECRET });

  const messages = (channelId: string) =>
    db()
      .selectFrom('messages')
      .selectAll()
      .where('channel_id', '=', channelId)
      .orderBy('sent_at')
      .orderBy('seq')
      .execute();
  const rawLog = (channelId: string) =>
    db().selectFrom('webhook_events').selectAll().where('channel_id', '=', channelId).execute();

  it('acknowledges a signed WhatsApp message with 200 and stores it after the queue', async () => {
    const ch = await whatsappChannel();
    const res = await signed(
      ch.url,
      whatsappTextWebhook({ phoneNumberId: ch.phoneNumberId, from: '16505551234', text: 'hola ñandú 👋', name: 'Ana' }),
    );
    expect(res.status).toBe(200);
    await hub().settle();
    const [m] = await messages(ch.channelId);
    expect(m).toMatchObject({ type: 'text', text: 'hola ñandú 👋', direction: 'in', status: 'received' });
    const log = await rawLog(ch.channelId);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: 'processed', event_count: 1 });
  });

  it.runIf(set === 'embedded')(
    'has the raw body in webhook_events before the 200 leaves (in-process queue)',
    async () => {
      const ch = await whatsappChannel();
      const payload = whatsappTextWebhook({ phoneNumberId: ch.phoneNumberId, from: '16505551234', text: 'durable' });
      const res = await signed(ch.url, payload);
      expect(res.status).toBe(200);
      const log = await rawLog(ch.channelId);
      expect(log).toHaveLength(1);
      expect(log[0]!.body).toBe(metaJson(payload));
      await hub().settle();
    },
  );

  it('refuses a wrong or missing signature with 401 and stores nothing', async () => {
    const ch = await whatsappChannel();
    const payload = whatsappTextWebhook({ phoneNumberId: ch.phoneNumberId, from: '16505551234', text: 'forged' });
    const wrong = await signed(ch.url, payload, 'not-the-app-secret');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('invalid_signature');
    const missing = await post(ch.url, metaJson(payload), {});
    expect(missing.status).toBe(401);
    const tgCh = await telegramChannel();
    const badSecret = await post(tgCh.url, JSON.stringify(telegramTextUpdate({ chatId: 5, text: 'x' })), {
      'x-telegram-bot-api-secret-token': 'nope',
    });
    expect(badSecret.status).toBe(401);
    await hub().settle();
    expect(await messages(ch.channelId)).toHaveLength(0);
    expect(await rawLog(ch.channelId)).toHaveLength(0);
    expect(await rawLog(tgCh.channelId)).toHaveLength(0);
  });

  it('answers 400 to a signed body that is not JSON, 413 over 5 MiB, 404 for unknown channels', async () => {
    const ch = await whatsappChannel();
    const bad = '{"object": "whatsapp_business_account", ';
    const res = await post(ch.url, bad, { 'x-hub-signature-256': signMeta(bad, META_SECRET) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_json');

    const huge = Buffer.alloc(5 * 1024 * 1024 + 10, 0x20);
    const big = await post(ch.url, huge, { 'x-hub-signature-256': signMeta(huge, META_SECRET) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');

    const unknown = await signed(`${hub().url}/webhooks/whatsapp/${randomUUID()}`, {});
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('channel_not_found');
    expect((await signed(`${hub().url}/webhooks/whatsapp/not-a-uuid`, {})).status).toBe(404);
    // The right id under another platform's path is not that channel.
    expect((await signed(`${hub().url}/webhooks/messenger/${ch.channelId}`, {})).status).toBe(404);
    expect((await signed(`${hub().url}/webhooks/instagram/${ch.channelId}`, {})).status).toBe(404);
    await hub().settle();
    expect(await rawLog(ch.channelId)).toHaveLength(0);
  });

  it('answers the Meta verification handshake with the challenge as plain text, 403 on a wrong token', async () => {
    const ch = await whatsappChannel();
    const ok = await fetch(`${ch.url}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(`${ch.url}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong`)).status).toBe(403);
    expect((await fetch(`${ch.url}?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=verify-me`)).status).toBe(403);
    expect((await fetch(`${hub().url}/webhooks/whatsapp/${randomUUID()}?hub.mode=subscribe`)).status).toBe(404);
  });

  it('stores one row for the same POST delivered three times', async () => {
    const ch = await whatsappChannel();
    const payload = whatsappTextWebhook({
      phoneNumberId: ch.phoneNumberId,
      from: '16505551234',
      text: 'once',
      id: `wamid.${randomUUID()}`,
    });
    for (let i = 0; i < 3; i++) expect((await signed(ch.url, payload)).status).toBe(200);
    await hub().settle();
    expect(await messages(ch.channelId)).toHaveLength(1);
    const conv = await db()
      .selectFrom('conversations')
      .selectAll()
      .where('channel_id', '=', ch.channelId)
      .executeTakeFirstOrThrow();
    expect(conv.unread_count).toBe(1);
    expect((await rawLog(ch.channelId)).map((r) => r.status)).toEqual(['processed', 'processed', 'processed']);
  });

  it('stores every message and status of a batched POST', async () => {
    const ch = await whatsappChannel();
    const one = whatsappTextWebhook({
      phoneNumberId: ch.phoneNumberId,
      from: '16505551234',
      text: 'first',
      timestamp: 1_750_000_000,
    });
    const two = whatsappTextWebhook({
      phoneNumberId: ch.phoneNumberId,
      from: '16505559876',
      text: 'second',
      timestamp: 1_750_000_001,
    });
    const status = whatsappStatusWebhook({
      phoneNumberId: ch.phoneNumberId,
      id: 'wamid.batched-status',
      status: 'delivered',
      recipientId: '16505551234',
    } as never);
    const value = one.entry[0]!.changes[0]!.value as unknown as Record<string, unknown[]>;
    const value2 = two.entry[0]!.changes[0]!.value as unknown as Record<string, unknown[]>;
    value['messages']!.push(...value2['messages']!);
    value['contacts']!.push(...value2['contacts']!);
    // A second entry in the same POST, as Meta batches them.
    one.entry.push(...(status.entry as typeof one.entry));
    expect((await signed(ch.url, one)).status).toBe(200);
    await hub().settle();
    expect((await messages(ch.channelId)).map((m) => m.text)).toEqual(['first', 'second']);
    const pending = await db()
      .selectFrom('pending_updates')
      .selectAll()
      .where('channel_id', '=', ch.channelId)
      .execute();
    expect(pending.map((p) => [p.provider_message_id, p.status])).toEqual([['wamid.batched-status', 'delivered']]);
    expect(
      (await db().selectFrom('conversations').select('id').where('channel_id', '=', ch.channelId).execute()).length,
    ).toBe(2);
  });

  it('routes events of another number of the same app to that number’s channel; keeps unknown numbers as unrouted', async () => {
    const a = await whatsappChannel();
    const b = await whatsappChannel(undefined, META_SECRET, a.workspaceId);
    const payload = whatsappTextWebhook({ phoneNumberId: b.phoneNumberId, from: '16505551234', text: 'for B' });
    const stranger = whatsappTextWebhook({ phoneNumberId: '999000999', from: '16505551234', text: 'for nobody' });
    payload.entry.push(...stranger.entry);
    expect((await signed(a.url, payload)).status).toBe(200);
    await hub().settle();
    expect(await messages(a.channelId)).toHaveLength(0);
    expect((await messages(b.channelId)).map((m) => m.text)).toEqual(['for B']);
    const [log] = await rawLog(a.channelId);
    expect(log).toMatchObject({ status: 'unhandled', event_count: 2 });
    expect(log!.notes).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/^unrouted/), routeKey: '999000999' }),
    ]);
  });

  it('does not route to a channel of another app (different app secret)', async () => {
    const a = await whatsappChannel();
    const other = await whatsappChannel(undefined, 'another-apps-secret');
    const payload = whatsappTextWebhook({ phoneNumberId: other.phoneNumberId, from: '16505551234', text: 'spoof' });
    expect((await signed(a.url, payload)).status).toBe(200);
    await hub().settle();
    expect(await messages(other.channelId)).toHaveLength(0);
    expect((await rawLog(a.channelId))[0]!.status).toBe('unhandled');
  });

  it('gives ten simultaneous first messages of one sender one contact and one conversation', async () => {
    const ch = await whatsappChannel();
    const posts = Array.from({ length: 10 }, (_, i) =>
      signed(
        ch.url,
        whatsappTextWebhook({
          phoneNumberId: ch.phoneNumberId,
          from: '5215598765432',
          name: 'Mx',
          text: `n${i}`,
          timestamp: 1_750_000_000 + i,
        }),
      ),
    );
    expect((await Promise.all(posts)).map((r) => r.status)).toEqual(Array(10).fill(200));
    await hub().settle();
    const contacts = await db().selectFrom('contacts').selectAll().where('workspace_id', '=', ch.workspaceId).execute();
    expect(contacts).toHaveLength(1);
    expect(contacts[0]!.phone).toBe('+525598765432');
    expect(
      await db().selectFrom('conversations').select('id').where('channel_id', '=', ch.channelId).execute(),
    ).toHaveLength(1);
    expect((await messages(ch.channelId)).map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
  });

  it('orders by the platform timestamp when messages are delivered in reverse', async () => {
    const ch = await whatsappChannel();
    for (const i of [3, 2, 1]) {
      await signed(
        ch.url,
        whatsappTextWebhook({
          phoneNumberId: ch.phoneNumberId,
          from: '16505551234',
          text: `t${i}`,
          timestamp: 1_750_000_000 + i * 60,
        }),
      );
      await hub().settle();
    }
    expect((await messages(ch.channelId)).map((m) => m.text)).toEqual(['t1', 't2', 't3']);
  });

  it('applies out-of-order statuses forward only, and a status that overtook its message on arrival', async () => {
    const ch = await whatsappChannel();
    const wamid = `wamid.${randomUUID()}`;
    const status = (s: string, t: number) =>
      signed(
        ch.url,
        whatsappStatusWebhook({
          phoneNumberId: ch.phoneNumberId,
          id: wamid,
          status: s,
          recipientId: '16505551234',
          timestamp: t,
        } as never),
      );
    // The receipt comes before our send has recorded the wamid.
    await status('read', 1_750_000_010);
    await status('sent', 1_750_000_001);
    await hub().settle();
    const applied = await db()
      .transaction()
      .execute(async (trx) => {
        const { contactId } = await claimContact(trx, ch.workspaceId, waSender('16505551234'));
        const conv = await getOrCreateConversation(trx, {
          workspaceId: ch.workspaceId,
          channelId: ch.channelId,
          contactId,
          at: new Date(),
        });
        await insertMessage(trx, {
          workspace_id: ch.workspaceId,
          conversation_id: conv.row.id,
          channel_id: ch.channelId,
          direction: 'out',
          type: 'text',
          text: 'ours',
          status: 'sent',
          provider_message_id: wamid,
          sent_at: new Date(1_750_000_000_000),
          details: '{}',
        });
        return applyPendingStatuses(trx, ch.channelId, wamid);
      });
    expect(applied?.status).toBe('read');
    await status('delivered', 1_750_000_005);
    await hub().settle();
    const [m] = await messages(ch.channelId);
    expect(messageRowToMessage(m!).status).toBe('read');
  });

  it('stores a Telegram update once however often it comes, and applies its edit', async () => {
    const ch = await telegramChannel();
    const update = telegramTextUpdate({ chatId: 4242, text: 'first words', messageId: 7 } as never);
    expect((await tg(ch.url, update)).status).toBe(200);
    expect((await tg(ch.url, update)).status).toBe(200);
    await hub().settle();
    const rows = await messages(ch.channelId);
    expect(rows).toHaveLength(1);
    const pmid = rows[0]!.provider_message_id!;
    expect(pmid).toMatch(/^4242:/);
    const original = update as { message: Record<string, unknown> };
    const edited = {
      update_id: Number(update.update_id) + 1,
      edited_message: { ...original.message, text: 'better words', edit_date: Number(original.message['date']) + 60 },
    };
    expect((await tg(ch.url, edited)).status).toBe(200);
    await hub().settle();
    const [m] = await messages(ch.channelId);
    expect(m).toMatchObject({ text: 'better words', provider_message_id: pmid });
    expect(m!.edit_history).toEqual([expect.objectContaining({ text: 'first words' })]);
  });

  it('downloads WhatsApp media from the platform and points the message at /api/v1/media/<id>', async () => {
    const ch = await whatsappChannel();
    const bytes = Buffer.from(`jpeg-bytes-${randomUUID()}`);
    hub().fake.putMedia('media-123', { data: bytes, mimeType: 'image/jpeg' });
    const payload = whatsappMessageWebhook({
      phoneNumberId: ch.phoneNumberId,
      from: '16505551234',
      message: { type: 'image', image: { id: 'media-123', mime_type: 'image/jpeg', caption: 'look' } },
    });
    expect((await signed(ch.url, payload)).status).toBe(200);
    await hub().settle();
    const [m] = await messages(ch.channelId);
    const view = messageRowToMessage(m!);
    expect(view).toMatchObject({ type: 'image', text: 'look', media: { mimeType: 'image/jpeg', caption: 'look' } });
    expect(view.media?.url).toMatch(/^\/api\/v1\/media\/[0-9a-f-]{36}$/);
    const file = await db()
      .selectFrom('media_files')
      .selectAll()
      .where('message_id', '=', m!.id)
      .executeTakeFirstOrThrow();
    expect(file.size_bytes).toBe(bytes.length);
    const stored = await import('@hub/shared/storage').then((s) =>
      s.createMediaStorage(hub().rt.config).get(file.storage_key),
    );
    const chunks: Buffer[] = [];
    for await (const c of stored!.stream()) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    // The media request carried the channel's access token.
    expect(hub().fake.requests.some((r) => r.action === 'media' && r.token === 'wa-access-token')).toBe(true);
  });

  it('keeps a message whose media cannot be fetched, with url null and a note', async () => {
    const ch = await whatsappChannel();
    hub().fake.failNext('whatsapp', 5, { status: 500 }, 'media');
    const payload = whatsappMessageWebhook({
      phoneNumberId: ch.phoneNumberId,
      from: '16505551234',
      message: { type: 'document', document: { id: 'media-broken', mime_type: 'application/pdf', filename: 'a.pdf' } },
    });
    expect((await signed(ch.url, payload)).status).toBe(200);
    await hub().settle();
    hub().fake.reset();
    const [m] = await messages(ch.channelId);
    const view = messageRowToMessage(m!);
    expect(view.type).toBe('document');
    expect(view.media).toMatchObject({ url: null, mimeType: 'application/pdf', fileName: 'a.pdf' });
    expect(view.media?.error).toMatch(/media download failed/);
  });

  it('keeps a signed payload it does not understand as an unhandled raw event', async () => {
    const ch = await whatsappChannel();
    expect((await signed(ch.url, [1, 2, 3])).status).toBe(200);
    expect(
      (
        await signed(ch.url, {
          object: 'whatsapp_business_account',
          entry: [{ id: '1', changes: [{ field: 'account_update', value: {} }] }],
        })
      ).status,
    ).toBe(200);
    await hub().settle();
    const log = await rawLog(ch.channelId);
    expect(log.map((r) => r.status)).toEqual(['unhandled', 'unhandled']);
    expect(await messages(ch.channelId)).toHaveLength(0);
  });

  it('routes Messenger entries of two pages of one app to their own channels', async () => {
    const ws = await createWorkspace(db());
    const pageA = `pa${Date.now()}`;
    const pageB = `pb${Date.now()}`;
    const creds = (pageId: string) => ({
      pageId,
      pageAccessToken: 'page-token',
      appSecret: META_SECRET,
      verifyToken: 'v',
    });
    const a = await createChannel(db(), ws, 'messenger', creds(pageA), pageA);
    const b = await createChannel(db(), ws, 'messenger', creds(pageB), pageB);
    const ev = (psid: string, mid: string, text: string) => ({
      sender: { id: psid },
      recipient: { id: 'x' },
      timestamp: 1_750_000_000_000,
      message: { mid, text },
    });
    const payload = messengerWebhook(pageA, [ev('psid-1', 'm_a1', 'to A')]);
    payload.entry.push(...messengerWebhook(pageB, [ev('psid-2', 'm_b1', 'to B')]).entry);
    expect((await signed(`${hub().url}/webhooks/messenger/${a}`, payload)).status).toBe(200);
    await hub().settle();
    expect((await messages(a)).map((m) => m.text)).toEqual(['to A']);
    expect((await messages(b)).map((m) => m.text)).toEqual(['to B']);
  });

  it('puts a logged but never-queued webhook back on the queue (recovery sweep)', async () => {
    const ch = await whatsappChannel();
    const id = randomUUID();
    const body = metaJson(
      whatsappTextWebhook({ phoneNumberId: ch.phoneNumberId, from: '16505551234', text: 'stranded' }),
    );
    await insertWebhookEvent(db(), {
      id,
      workspaceId: ch.workspaceId,
      channelId: ch.channelId,
      channelType: 'whatsapp',
      body,
      receivedAt: new Date(Date.now() - 120_000),
    });
    const n = await requeueStranded(db(), hub().rt.queues.queue<InboundJobData>(INBOUND_QUEUE), new Date(), {
      graceMs: 60_000,
    });
    expect(n).toBeGreaterThanOrEqual(1);
    await hub().settle();
    expect((await messages(ch.channelId)).map((m) => m.text)).toEqual(['stranded']);
    expect((await rawLog(ch.channelId)).map((r) => r.status)).toEqual(['processed']);
  });

  it('replays stored webhooks: an unrouted event lands once its channel exists; replaying twice adds nothing', async () => {
    const a = await whatsappChannel();
    const laterNumber = `20${Math.floor(Math.random() * 1e12)}`;
    const payload = whatsappTextWebhook({ phoneNumberId: laterNumber, from: '16505551234', text: 'early bird' });
    expect((await signed(a.url, payload)).status).toBe(200);
    await hub().settle();
    expect((await rawLog(a.channelId))[0]!.status).toBe('unhandled');
    const b = await whatsappChannel(laterNumber, META_SECRET, a.workspaceId);
    const inbound = hub().rt.queues.queue<InboundJobData>(INBOUND_QUEUE);
    expect(await replayWebhookEvents(db(), inbound, { channelId: a.channelId, status: 'unhandled' })).toBe(1);
    await hub().settle();
    expect((await messages(b.channelId)).map((m) => m.text)).toEqual(['early bird']);
    expect((await rawLog(a.channelId))[0]!.status).toBe('processed');
    expect(await replayWebhookEvents(db(), inbound, { channelId: a.channelId }, new Date(Date.now() + 1))).toBe(1);
    await hub().settle();
    expect(await messages(b.channelId)).toHaveLength(1);
    expect(
      await replayWebhookEvents(db(), inbound, { channelId: a.channelId, since: new Date(Date.now() + 60_000) }),
    ).toBe(0);
  });

  it('still keeps the raw body of a webhook whose channel was deleted after the acknowledgement', async () => {
    const ch = await whatsappChannel();
    await db().updateTable('channels').set({ deleted_at: new Date() }).where('id', '=', ch.channelId).execute();
    const id = randomUUID();
    const body = metaJson(whatsappTextWebhook({ phoneNumberId: ch.phoneNumberId, from: '16505551234', text: 'late' }));
    await hub().rt.queues.queue<InboundJobData>(INBOUND_QUEUE).add('webhook', {
      webhookEventId: id,
      channelId: ch.channelId,
      body,
      receivedAt: new Date().toISOString(),
      logged: false,
    });
    await hub().settle();
    const [row] = await rawLog(ch.channelId);
    expect(row).toMatchObject({ id, status: 'unhandled', body });
    expect(await messages(ch.channelId)).toHaveLength(0);
  });
});
