import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  applyPendingStatuses,
  recordProviderMessageId,
  claimContact,
  getOrCreateConversation,
  INBOUND_QUEUE,
  insertMessage,
  listMessagesPage,
  loadConversationView,
  conversationRowToConversation,
  messageRowToMessage,
  updateConversationRow,
  updateMessage,
  type InboundJobData,
} from '@hub/shared/domain';
import type { InboundEvent, MessageEvent } from '@hub/shared/events';
import type { BusMessage } from '@hub/shared/bus';
import { describeDrivers, createTestRuntime } from '@hub/shared/testing';
import { buildWorker } from '../src/worker.app';
import { createChannel, createWorkspace, textEvent, waCredentials, waSender } from './inbound.helpers';

// The inbound worker on both driver sets, fed normalized events directly (the HTTP → queue
// path has its own suite in services/ingest). Each test makes its own workspace and channel.

async function setup(set: 'embedded' | 'postgres+redis') {
  const rt = await createTestRuntime(set);
  const worker = buildWorker(rt, { recovery: false });
  const inbound = rt.queues.queue<InboundJobData>(INBOUND_QUEUE);
  const published: BusMessage[] = [];
  rt.bus.subscribe((m) => published.push(m));
  return {
    rt,
    inbound,
    published,
    async cleanup() {
      await worker.close?.();
      await rt.cleanup();
    },
  };
}

describeDrivers('inbound worker', setup, (ctx) => {
  const db = () => ctx().rt.database.db;

  async function fresh(phoneNumberId = `pn-${randomUUID().slice(0, 8)}`) {
    const workspaceId = await createWorkspace(db());
    const channelId = await createChannel(db(), workspaceId, 'whatsapp', waCredentials(phoneNumberId), phoneNumberId);
    return { workspaceId, channelId, phoneNumberId };
  }

  async function run(channelId: string, ...events: InboundEvent[]) {
    await ctx().inbound.addBulk(events.map((event) => ({ name: 'event', data: { channelId, event } })));
    await ctx().inbound.idle();
  }

  async function messagesOf(channelId: string) {
    return db()
      .selectFrom('messages')
      .selectAll()
      .where('channel_id', '=', channelId)
      .orderBy('sent_at')
      .orderBy('seq')
      .execute();
  }

  async function conversationsOf(channelId: string) {
    return db().selectFrom('conversations').selectAll().where('channel_id', '=', channelId).execute();
  }

  /** What the colleague's outbound sender does: a message of ours with its provider id. */
  async function outbound(
    workspaceId: string,
    channelId: string,
    providerMessageId: string,
    sentAt: Date,
    waId = '16505551234',
  ) {
    return db()
      .transaction()
      .execute(async (trx) => {
        const { contactId } = await claimContact(trx, workspaceId, waSender(waId));
        const conv = await getOrCreateConversation(trx, { workspaceId, channelId, contactId, at: sentAt });
        await insertMessage(trx, {
          workspace_id: workspaceId,
          conversation_id: conv.row.id,
          channel_id: channelId,
          direction: 'out',
          type: 'text',
          text: 'our reply',
          status: 'sent',
          provider_message_id: providerMessageId,
          sent_at: sentAt,
          details: '{}',
        });
        return applyPendingStatuses(trx, channelId, providerMessageId);
      });
  }

  it('stores a text message with its contact (E.164, country), identity, conversation and realtime events', async () => {
    const { workspaceId, channelId } = await fresh();
    const before = ctx().published.length;
    const e = textEvent({ text: 'Does it come in another color?' });
    await run(channelId, e);

    const [msg] = await messagesOf(channelId);
    expect(msg).toMatchObject({
      direction: 'in',
      type: 'text',
      text: 'Does it come in another color?',
      status: 'received',
      provider_message_id: e.providerMessageId,
    });
    expect(messageRowToMessage(msg!)).toEqual({
      id: msg!.id,
      conversationId: msg!.conversation_id,
      direction: 'in',
      type: 'text',
      text: 'Does it come in another color?',
      media: null,
      status: 'received',
      providerMessageId: e.providerMessageId,
      error: null,
      createdAt: e.timestamp,
      editedAt: null,
      details: {},
      replyToProviderMessageId: null,
    });
    const contact = await db()
      .selectFrom('contacts')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ name: 'Sheena Nelson', phone: '+16505551234', country: 'US' });
    const identities = await db()
      .selectFrom('contact_identities')
      .select(['kind', 'value', 'contact_id'])
      .where('workspace_id', '=', workspaceId)
      .execute();
    expect(identities).toEqual([{ kind: 'whatsapp', value: '16505551234', contact_id: contact.id }]);
    const [conv] = await conversationsOf(channelId);
    expect(conv).toMatchObject({ contact_id: contact.id, status: 'open', unread_count: 1, last_message_id: msg!.id });

    const view = conversationRowToConversation((await loadConversationView(db(), conv!.id))!);
    expect(view).toMatchObject({
      id: conv!.id,
      status: 'open',
      channel: { id: channelId, type: 'whatsapp' },
      contact: { id: contact.id, name: 'Sheena Nelson', phone: '+16505551234' },
      assigneeId: null,
      unreadCount: 1,
      lastActivityAt: e.timestamp,
    });
    expect(view.lastMessage?.id).toBe(msg!.id);

    const mine = ctx()
      .published.slice(before)
      .filter((m) => m.workspaceId === workspaceId);
    expect(mine.map((m) => m.type)).toEqual(['conversation:created', 'message:created']);
    expect(mine[1]!.payload).toEqual({ conversationId: conv!.id, message: messageRowToMessage(msg!) });
  });

  it('stores a message delivered three times once (unread counted once)', async () => {
    const { channelId } = await fresh();
    const e = textEvent();
    await run(channelId, e, e, e);
    await run(channelId, e);
    expect(await messagesOf(channelId)).toHaveLength(1);
    expect((await conversationsOf(channelId))[0]!.unread_count).toBe(1);
  });

  it('gives concurrent first messages of one new sender one contact and one conversation', async () => {
    const { workspaceId, channelId } = await fresh();
    const sender = waSender('447911123456', 'Racer');
    const events = Array.from({ length: 12 }, (_, i) => textEvent({ contact: sender, text: `m${i}` }));
    await run(channelId, ...events);
    const contacts = await db().selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).execute();
    expect(contacts).toHaveLength(1);
    const convs = await conversationsOf(channelId);
    expect(convs).toHaveLength(1);
    expect(convs[0]!.unread_count).toBe(12);
    expect(await messagesOf(channelId)).toHaveLength(12);
  });

  it('orders by platform time, not arrival: reversed delivery reads in order, lastMessage is the newest', async () => {
    const { channelId } = await fresh();
    const times = ['2025-03-01T10:00:00.000Z', '2025-03-01T10:00:05.000Z', '2025-03-01T10:01:00.000Z'];
    const events = times.map((t, i) => textEvent({ timestamp: t, text: `#${i + 1}` }));
    for (const e of [...events].reverse()) await run(channelId, e);
    const [conv] = await conversationsOf(channelId);
    const page = await listMessagesPage(db(), conv!.id, { limit: 10 });
    expect(page.map((m) => m.text)).toEqual(['#1', '#2', '#3']);
    const view = conversationRowToConversation((await loadConversationView(db(), conv!.id))!);
    expect(view.lastMessage?.text).toBe('#3');
    expect(view.lastActivityAt).toBe(times[2]);
  });

  it('reopens a resolved conversation on a new inbound message', async () => {
    const { channelId } = await fresh();
    await run(channelId, textEvent());
    const [conv] = await conversationsOf(channelId);
    await updateConversationRow(db(), conv!.id, { status: 'resolved', unread_count: 0 });
    await run(channelId, textEvent({ text: 'me again' }));
    expect((await conversationsOf(channelId))[0]).toMatchObject({ id: conv!.id, status: 'open', unread_count: 1 });
  });

  it('moves statuses only forward: read before delivered stays read; a stale sent is ignored', async () => {
    const { workspaceId, channelId } = await fresh();
    const wamid = `wamid.out-${randomUUID()}`;
    await outbound(workspaceId, channelId, wamid, new Date('2025-04-01T09:00:00Z'));
    const status = (s: 'sent' | 'delivered' | 'read' | 'failed', t: string): InboundEvent => ({
      v: 1,
      kind: 'status',
      channelType: 'whatsapp',
      routeKey: null,
      timestamp: t,
      providerMessageId: wamid,
      status: s,
      recipient: '16505551234',
      error: s === 'failed' ? { code: '131047', message: 'Re-engagement message' } : null,
    });
    await run(channelId, status('read', '2025-04-01T09:00:09Z'));
    await run(channelId, status('delivered', '2025-04-01T09:00:05Z'), status('sent', '2025-04-01T09:00:01Z'));
    await run(channelId, status('failed', '2025-04-01T09:00:10Z'));
    const [m] = (await messagesOf(channelId)).filter((r) => r.direction === 'out');
    expect(m).toMatchObject({ status: 'read', error: null });
    expect(m!.status_history.map((h) => h.status)).toEqual(['read']);
  });

  it('keeps a failed status with the provider error, and lets a later delivered win', async () => {
    const { workspaceId, channelId } = await fresh();
    const wamid = `wamid.out-${randomUUID()}`;
    await outbound(workspaceId, channelId, wamid, new Date('2025-04-01T09:00:00Z'));
    const base = {
      v: 1 as const,
      kind: 'status' as const,
      channelType: 'whatsapp' as const,
      routeKey: null,
      providerMessageId: wamid,
      recipient: null,
    };
    await run(channelId, {
      ...base,
      timestamp: '2025-04-01T09:00:02Z',
      status: 'failed',
      error: { code: '131026', message: 'Message undeliverable' },
    });
    let [m] = (await messagesOf(channelId)).filter((r) => r.direction === 'out');
    expect(messageRowToMessage(m!)).toMatchObject({
      status: 'failed',
      error: { code: '131026', message: 'Message undeliverable' },
    });
    await run(channelId, { ...base, timestamp: '2025-04-01T09:00:03Z', status: 'sent', error: null });
    [m] = (await messagesOf(channelId)).filter((r) => r.direction === 'out');
    expect(m!.status).toBe('failed');
    await run(channelId, { ...base, timestamp: '2025-04-01T09:00:04Z', status: 'delivered', error: null });
    [m] = (await messagesOf(channelId)).filter((r) => r.direction === 'out');
    expect(m).toMatchObject({ status: 'delivered', error: null });
    expect(m!.status_history.map((h) => h.status)).toEqual(['failed', 'delivered']);
  });

  it('keeps a status that arrives before its message and applies it when the message arrives', async () => {
    const { workspaceId, channelId } = await fresh();
    const wamid = `wamid.early-${randomUUID()}`;
    await run(channelId, {
      v: 1,
      kind: 'status',
      channelType: 'whatsapp',
      routeKey: null,
      timestamp: '2025-04-02T09:00:05Z',
      providerMessageId: wamid,
      status: 'delivered',
      recipient: '16505551234',
      error: null,
    });
    const pending = await db().selectFrom('pending_updates').selectAll().where('channel_id', '=', channelId).execute();
    expect(pending).toHaveLength(1);
    const applied = await outbound(workspaceId, channelId, wamid, new Date('2025-04-02T09:00:00Z'));
    expect(applied).toMatchObject({ status: 'delivered', provider_message_id: wamid });
    expect(
      await db().selectFrom('pending_updates').selectAll().where('channel_id', '=', channelId).execute(),
    ).toHaveLength(0);
  });

  it('applies a Telegram edit (keeping the history), also when the edit overtakes its message', async () => {
    const workspaceId = await createWorkspace(db());
    const channelId = await createChannel(
      db(),
      workspaceId,
      'telegram',
      { botToken: '123:abc', secretToken: 'tg-secret' },
      '123',
    );
    const tg = { identities: [{ kind: 'telegram' as const, value: '23' }], name: 'Sojan Jose', phone: null };
    const msg = (id: string, text: string): MessageEvent => ({
      ...textEvent({ channelType: 'telegram', providerMessageId: id, contact: tg, text }),
      timestamp: '2021-09-08T20:14:37.000Z',
    });
    const edit = (id: string, text: string, ts: string): InboundEvent => ({
      v: 1,
      kind: 'edit',
      channelType: 'telegram',
      routeKey: null,
      timestamp: ts,
      providerMessageId: id,
      contact: tg,
      text,
    });
    await run(channelId, msg('23:1', 'test'), msg('23:1', 'test'));
    await run(channelId, edit('23:1', 'test (edited)', '2021-09-08T20:19:37.000Z'));
    await run(channelId, edit('23:1', 'older edit', '2021-09-08T20:18:00.000Z'));
    await run(channelId, edit('23:2', 'edited first', '2021-09-08T20:20:00.000Z'));
    await run(channelId, msg('23:2', 'original'));
    const rows = await messagesOf(channelId);
    expect(rows).toHaveLength(2);
    const one = rows.find((r) => r.provider_message_id === '23:1')!;
    expect(one).toMatchObject({ text: 'test (edited)' });
    expect(one.edited_at?.toISOString()).toBe('2021-09-08T20:19:37.000Z');
    expect(one.edit_history).toEqual([{ text: 'test', replacedAt: '2021-09-08T20:19:37.000Z' }]);
    expect(messageRowToMessage(one).editedAt).toBe('2021-09-08T20:19:37.000Z');
    expect(rows.find((r) => r.provider_message_id === '23:2')).toMatchObject({ text: 'edited first' });
  });

  it('stores a reaction as a message and applies it to its target; removal clears it', async () => {
    const { channelId } = await fresh();
    const target = textEvent({ text: 'nice shoes' });
    await run(channelId, target);
    const react = (emoji: string | null, ts: string) =>
      textEvent({
        type: 'reaction',
        text: emoji,
        timestamp: ts,
        details: { emoji, removed: emoji === null, targetProviderMessageId: target.providerMessageId },
      });
    await run(channelId, react('👍', '2025-05-01T10:00:00Z'));
    let rows = await messagesOf(channelId);
    expect(rows.map((r) => r.type).sort()).toEqual(['reaction', 'text']);
    expect(rows.find((r) => r.type === 'text')!.details).toMatchObject({ reactions: { contact: { emoji: '👍' } } });
    const conv = (await conversationsOf(channelId))[0]!;
    expect(conv.unread_count).toBe(1);
    expect(conv.last_message_id).toBe(rows.find((r) => r.type === 'text')!.id);
    await run(channelId, react(null, '2025-05-01T10:01:00Z'));
    rows = await messagesOf(channelId);
    expect(rows.find((r) => r.type === 'text')!.details['reactions']).toEqual({});
  });

  it('moves our messages up to a Messenger watermark to read', async () => {
    const workspaceId = await createWorkspace(db());
    const channelId = await createChannel(
      db(),
      workspaceId,
      'messenger',
      { pageId: 'page-1', pageAccessToken: 't', appSecret: 's', verifyToken: 'v' },
      'page-1',
    );
    const person = { identities: [{ kind: 'messenger' as const, value: 'psid-1' }], name: null, phone: null };
    await run(channelId, {
      ...textEvent({ channelType: 'messenger', contact: person, providerMessageId: 'm_in' }),
      timestamp: '2025-06-01T10:00:00Z',
    });
    const [conv] = await conversationsOf(channelId);
    for (const [mid, t] of [
      ['m_out1', '2025-06-01T10:01:00Z'],
      ['m_out2', '2025-06-01T10:02:00Z'],
      ['m_out3', '2025-06-01T10:05:00Z'],
    ] as const) {
      await insertMessage(db(), {
        workspace_id: workspaceId,
        conversation_id: conv!.id,
        channel_id: channelId,
        direction: 'out',
        type: 'text',
        text: mid,
        status: 'sent',
        provider_message_id: mid,
        sent_at: new Date(t),
        details: '{}',
      });
    }
    await run(channelId, {
      v: 1,
      kind: 'watermark',
      channelType: 'messenger',
      routeKey: null,
      timestamp: '2025-06-01T10:06:00Z',
      status: 'read',
      contact: person,
      watermark: '2025-06-01T10:03:00.000Z',
      providerMessageIds: [],
    });
    const byMid = Object.fromEntries((await messagesOf(channelId)).map((m) => [m.provider_message_id, m.status]));
    expect(byMid).toEqual({ m_in: 'received', m_out1: 'read', m_out2: 'read', m_out3: 'sent' });
  });

  it('marks an identity unreachable when the person blocks us', async () => {
    const { workspaceId, channelId } = await fresh();
    await run(channelId, textEvent({ contact: waSender('16315551181') }));
    await run(channelId, {
      v: 1,
      kind: 'reachability',
      channelType: 'whatsapp',
      routeKey: null,
      timestamp: '2025-07-01T00:00:00Z',
      contact: waSender('16315551181'),
      reachable: false,
    });
    const identity = await db()
      .selectFrom('contact_identities')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('value', '=', '16315551181')
      .executeTakeFirstOrThrow();
    expect(identity.reachable).toBe(false);
  });

  it('finds a Mexican sender under both the legacy 521… and the current 52… wa_id', async () => {
    const { workspaceId, channelId } = await fresh();
    await run(channelId, textEvent({ contact: waSender('5215512345678', 'Lupita') }));
    await run(channelId, textEvent({ contact: waSender('525512345678', 'Lupita') }));
    const contacts = await db().selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).execute();
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ phone: '+525512345678', country: 'MX' });
    const values = (
      await db().selectFrom('contact_identities').select('value').where('contact_id', '=', contacts[0]!.id).execute()
    )
      .map((r) => r.value)
      .sort();
    expect(values).toEqual(['521' + '5512345678', '52' + '5512345678'].sort());
    expect(await conversationsOf(channelId)).toHaveLength(1);
  });

  it('keeps a BSUID-only sender without a phone, and links the BSUID when the wa_id shows up', async () => {
    const { workspaceId, channelId } = await fresh();
    const bsuidOnly = {
      identities: [{ kind: 'whatsapp_bsuid' as const, value: 'US.1349120865530274' }],
      name: 'test user',
      phone: null,
    };
    await run(channelId, textEvent({ contact: bsuidOnly }));
    const c = await db()
      .selectFrom('contacts')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow();
    expect(c.phone).toBeNull();
    await run(
      channelId,
      textEvent({
        contact: {
          identities: [{ kind: 'whatsapp', value: '16315551181' }, ...bsuidOnly.identities],
          name: 'test user',
          phone: '16315551181',
        },
      }),
    );
    const contacts = await db().selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).execute();
    expect(contacts).toHaveLength(1);
    const kinds = (await db().selectFrom('contact_identities').select('kind').where('contact_id', '=', c.id).execute())
      .map((r) => r.kind)
      .sort();
    expect(kinds).toEqual(['whatsapp', 'whatsapp_bsuid']);
  });

  it('skips a Messenger echo of a message we already hold; stores other echoes as outbound', async () => {
    const workspaceId = await createWorkspace(db());
    const channelId = await createChannel(
      db(),
      workspaceId,
      'messenger',
      { pageId: 'p2', pageAccessToken: 't', appSecret: 's', verifyToken: 'v' },
      'p2',
    );
    const person = { identities: [{ kind: 'messenger' as const, value: 'psid-9' }], name: null, phone: null };
    const echo = (mid: string) =>
      textEvent({
        channelType: 'messenger',
        direction: 'out',
        contact: person,
        providerMessageId: mid,
        details: { echo: true, app_id: 1 },
      });
    await run(channelId, echo('m_ours'));
    const [ours] = await messagesOf(channelId);
    await updateMessage(db(), ours!.id, { text: 'sent by our inbox' });
    await run(channelId, echo('m_ours'), echo('m_page_inbox'));
    const rows = await messagesOf(channelId);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.provider_message_id === 'm_ours')!.text).toBe('sent by our inbox');
    expect(rows.find((r) => r.provider_message_id === 'm_page_inbox')).toMatchObject({
      direction: 'out',
      status: 'sent',
    });
    expect((await conversationsOf(channelId))[0]!.unread_count).toBe(0);
  });

  it('keeps an unhandled event in webhook_events instead of dropping it', async () => {
    const { channelId } = await fresh();
    await run(channelId, {
      v: 1,
      kind: 'unhandled',
      channelType: 'whatsapp',
      routeKey: null,
      timestamp: '2025-01-01T00:00:00Z',
      reason: 'platform error',
      error: { code: '130429', message: 'Rate limit hit' },
      raw: { code: 130429 },
    });
    const rows = await db().selectFrom('webhook_events').selectAll().where('channel_id', '=', channelId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'unhandled' });
    expect(rows[0]!.notes[0]).toMatchObject({ reason: 'platform error', error: { code: '130429' } });
  });

  it('records the provider id of our send, folding in an echo that beat it and applying early receipts', async () => {
    const workspaceId = await createWorkspace(db());
    const channelId = await createChannel(
      db(),
      workspaceId,
      'messenger',
      { pageId: 'p3', pageAccessToken: 't', appSecret: 's', verifyToken: 'v' },
      'p3',
    );
    const person = { identities: [{ kind: 'messenger' as const, value: 'psid-echo' }], name: null, phone: null };
    await run(channelId, textEvent({ channelType: 'messenger', contact: person, providerMessageId: 'm_hello' }));
    const [conv] = await conversationsOf(channelId);
    // Our inbox queues a reply (no provider id yet)…
    const ours = await insertMessage(db(), {
      workspace_id: workspaceId,
      conversation_id: conv!.id,
      channel_id: channelId,
      direction: 'out',
      type: 'text',
      text: 'our reply',
      status: 'queued',
      sent_at: new Date(),
      details: '{}',
    });
    // …the echo and a delivery receipt of it arrive before the Send API has answered…
    await run(
      channelId,
      textEvent({
        channelType: 'messenger',
        direction: 'out',
        contact: person,
        providerMessageId: 'm_reply',
        text: 'our reply',
        details: { echo: true },
      }),
    );
    await run(channelId, {
      v: 1,
      kind: 'watermark',
      channelType: 'messenger',
      routeKey: null,
      timestamp: new Date().toISOString(),
      status: 'delivered',
      contact: person,
      watermark: new Date(0).toISOString(),
      providerMessageIds: ['m_other'],
    });
    await run(channelId, {
      v: 1,
      kind: 'status',
      channelType: 'messenger',
      routeKey: null,
      timestamp: new Date().toISOString(),
      providerMessageId: 'm_reply',
      status: 'read',
      recipient: null,
      error: null,
    });
    expect((await messagesOf(channelId)).filter((m) => m.direction === 'out')).toHaveLength(2);
    // …then the answer comes back with the mid.
    const recorded = await db()
      .transaction()
      .execute((trx) =>
        recordProviderMessageId(trx, { messageId: ours.id, channelId, providerMessageId: 'm_reply', at: new Date() }),
      );
    expect(recorded).toMatchObject({ id: ours.id, provider_message_id: 'm_reply', status: 'read' });
    const outs = (await messagesOf(channelId)).filter((m) => m.direction === 'out');
    expect(outs.map((m) => m.id)).toEqual([ours.id]);
  });
});
