import { beforeAll, expect, it, vi } from 'vitest';
import { scoped } from '@hub/shared/auth';
import type { BusMessage } from '@hub/shared/bus';
import type { Db } from '@hub/shared/db';
import { recordMessageOnConversation } from '@hub/shared/domain';
import { describeDrivers } from '@hub/shared/testing';
import { contactService } from '../src/contacts/contact.service';
import { call, startCrm, team, uniq, type Team } from './crm-test-client';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are probed freely. */

// A merge of two contacts that both talk on the same channel: conversations are one per
// channel × contact, so the two become one (the kept contact's), with every message.

interface Msg {
  text: string;
  minute: number;
  direction: 'in' | 'out';
  key?: string;
}

const base = new Date(Date.UTC(2026, 0, 5, 9, 0, 0));
const at = (minute: number) => new Date(base.getTime() + minute * 60_000);

async function channel(db: Db, ws: string, type: 'whatsapp' | 'telegram'): Promise<string> {
  const row = await db
    .insertInto('channels')
    .values({ workspace_id: ws, type, name: type, credentials: 'x', external_id: uniq('ext') })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A conversation with messages recorded the way the worker and the outbound path do. */
async function conversation(db: Db, ws: string, channelId: string, contactId: string, msgs: Msg[]) {
  const conv = await db
    .insertInto('conversations')
    .values({ workspace_id: ws, channel_id: channelId, contact_id: contactId, last_activity_at: at(0) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ids: string[] = [];
  for (const m of msgs) {
    const row = await db
      .insertInto('messages')
      .values({
        workspace_id: ws,
        conversation_id: conv.id,
        channel_id: channelId,
        direction: m.direction,
        type: 'text',
        text: m.text,
        status: m.direction === 'in' ? 'received' : 'sent',
        provider_message_id: uniq('pm'),
        idempotency_key: m.key ?? null,
        sent_at: at(m.minute),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(row.id);
    await recordMessageOnConversation(db, conv.id, {
      messageId: row.id,
      sentAt: at(m.minute),
      direction: m.direction,
      countsAsUnread: m.direction === 'in',
      becomesLastMessage: true,
    });
  }
  return { id: conv.id, messageIds: ids };
}

describeDrivers(
  'contacts merge with conversations on the same channel',
  async (set) => Object.assign(await startCrm(set), { t: undefined as Team | undefined }),
  (svc) => {
    beforeAll(async () => {
      svc().t = await team(svc());
    });
    const as = () => svc().t!.admin.accessToken;
    const db = () => svc().rt.database.db;
    const ws = () => svc().t!.admin.user.workspaceId;
    const newContact = async (name: string) =>
      (await call(svc(), 'POST', '/api/v1/contacts', { token: as(), body: { name } })).body.id as string;

    /** Two contacts on one WhatsApp channel, the other also on Telegram. */
    async function scene() {
      const wa = await channel(db(), ws(), 'whatsapp');
      const tg = await channel(db(), ws(), 'telegram');
      const keep = await newContact('Keep');
      const other = await newContact('Other');
      const kept = await conversation(db(), ws(), wa, keep, [
        { text: 'k1 in', minute: 1, direction: 'in' },
        { text: 'k3 out', minute: 3, direction: 'out', key: 'same-key' },
      ]);
      const removed = await conversation(db(), ws(), wa, other, [
        { text: 'o2 in', minute: 2, direction: 'in' },
        { text: 'o2.5 out', minute: 2.5, direction: 'out', key: 'same-key' },
        { text: 'o4 in', minute: 4, direction: 'in' },
      ]);
      const elsewhere = await conversation(db(), ws(), tg, other, [{ text: 'tg in', minute: 5, direction: 'in' }]);
      return { wa, tg, keep, other, kept, removed, elsewhere };
    }

    it('folds the two into the kept conversation: messages in order, counts, last message, lead, audit', async () => {
      const s = await scene();
      const agentId = svc().t!.agent.user.id;
      // The kept one is resolved and unassigned; the other is open and assigned.
      await db().updateTable('conversations').set({ status: 'resolved' }).where('id', '=', s.kept.id).execute();
      await db()
        .updateTable('conversations')
        .set({ status: 'open', assignee_id: agentId, labels: ['vip'] })
        .where('id', '=', s.removed.id)
        .execute();
      const keptLead = await call(svc(), 'POST', '/api/v1/leads', {
        token: as(),
        body: { contactId: s.keep, conversationId: s.kept.id },
      });
      const otherLead = await call(svc(), 'POST', '/api/v1/leads', {
        token: as(),
        body: { contactId: s.other, conversationId: s.removed.id },
      });
      expect([keptLead.status, otherLead.status]).toEqual([201, 201]);
      await db()
        .insertInto('reporting_events')
        .values({
          workspace_id: ws(),
          conversation_id: s.removed.id,
          channel_id: s.wa,
          kind: 'reply',
          message_id: s.removed.messageIds[1]!,
          value_seconds: 30,
          started_at: at(2),
          at: at(2.5),
        })
        .execute();

      const res = await call(svc(), 'POST', `/api/v1/contacts/${s.keep}/merge`, {
        token: as(),
        body: { otherId: s.other },
      });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(s.keep);

      // One conversation on the channel, the kept one; the other row is gone.
      const onChannel = await db()
        .selectFrom('conversations')
        .select(['id', 'contact_id'])
        .where('channel_id', '=', s.wa)
        .execute();
      expect(onChannel).toEqual([{ id: s.kept.id, contact_id: s.keep }]);
      expect((await call(svc(), 'GET', `/api/v1/conversations/${s.removed.id}`, { token: as() })).status).toBe(404);

      const messages = await call(svc(), 'GET', `/api/v1/conversations/${s.kept.id}/messages`, { token: as() });
      expect(messages.status).toBe(200);
      expect(messages.body.items.map((m: any) => m.text)).toEqual(['k1 in', 'o2 in', 'o2.5 out', 'k3 out', 'o4 in']);
      expect(new Set(messages.body.items.map((m: any) => m.conversationId))).toEqual(new Set([s.kept.id]));

      const conv = (await call(svc(), 'GET', `/api/v1/conversations/${s.kept.id}`, { token: as() })).body;
      expect(conv).toMatchObject({
        id: s.kept.id,
        status: 'open',
        assigneeId: agentId,
        unreadCount: 3,
        contact: { id: s.keep, name: 'Keep' },
        lastActivityAt: at(4).toISOString(),
        lastMessage: { id: s.removed.messageIds[2], text: 'o4 in' },
      });
      const row = await db()
        .selectFrom('conversations')
        .selectAll()
        .where('id', '=', s.kept.id)
        .executeTakeFirstOrThrow();
      expect(row.last_inbound_at).toEqual(at(4));
      expect(row.last_outbound_at).toEqual(at(3));
      expect(row.last_message_at).toEqual(at(4));
      expect(row.labels).toEqual(['vip']);

      // The other channel's conversation simply moved.
      const moved = await db()
        .selectFrom('conversations')
        .select('contact_id')
        .where('id', '=', s.elsewhere.id)
        .executeTakeFirstOrThrow();
      expect(moved.contact_id).toBe(s.keep);

      // Reporting samples follow the messages; the kept conversation keeps its lead, the other
      // lead stays (on the kept contact) without a conversation.
      const samples = await db()
        .selectFrom('reporting_events')
        .select('conversation_id')
        .where('message_id', '=', s.removed.messageIds[1]!)
        .execute();
      expect(samples).toEqual([{ conversation_id: s.kept.id }]);
      const leadKept = (await call(svc(), 'GET', `/api/v1/leads/${keptLead.body.id}`, { token: as() })).body;
      const leadOther = (await call(svc(), 'GET', `/api/v1/leads/${otherLead.body.id}`, { token: as() })).body;
      expect(leadKept).toMatchObject({ contactId: s.keep, conversationId: s.kept.id });
      expect(leadOther).toMatchObject({ contactId: s.keep, conversationId: null });

      // The clashing Idempotency-Key stays on the kept conversation's own message.
      const keyed = await db()
        .selectFrom('messages')
        .select(['text', 'idempotency_key'])
        .where('conversation_id', '=', s.kept.id)
        .where('direction', '=', 'out')
        .orderBy('sent_at')
        .execute();
      expect(keyed).toEqual([
        { text: 'o2.5 out', idempotency_key: null },
        { text: 'k3 out', idempotency_key: 'same-key' },
      ]);

      const audit = await call(svc(), 'GET', `/api/v1/audit?table=contacts&recordId=${s.keep}&action=merge`, {
        token: as(),
      });
      expect(audit.body.items[0].after).toMatchObject({
        moved: { conversations: 2 },
        foldedConversations: [
          {
            keptId: s.kept.id,
            removedId: s.removed.id,
            messages: 3,
            reportingEvents: 1,
            leadsDetached: [otherLead.body.id],
          },
        ],
      });
      const convAudit = await call(svc(), 'GET', `/api/v1/audit?table=conversations&recordId=${s.removed.id}`, {
        token: as(),
      });
      expect(convAudit.body.items).toHaveLength(1);
      expect(convAudit.body.items[0]).toMatchObject({ action: 'delete', after: { mergedInto: s.kept.id } });
    });

    it('moves the other lead onto the kept conversation when the kept one has none', async () => {
      const s = await scene();
      const lead = await call(svc(), 'POST', '/api/v1/leads', {
        token: as(),
        body: { contactId: s.other, conversationId: s.removed.id },
      });
      expect(lead.status).toBe(201);
      const res = await call(svc(), 'POST', `/api/v1/contacts/${s.keep}/merge`, {
        token: as(),
        body: { otherId: s.other },
      });
      expect(res.status).toBe(200);
      const after = (await call(svc(), 'GET', `/api/v1/leads/${lead.body.id}`, { token: as() })).body;
      expect(after).toMatchObject({ contactId: s.keep, conversationId: s.kept.id });
    });

    it('publishes conversation:updated for the survivor and the moved conversation after the commit', async () => {
      const s = await scene();
      const seen: BusMessage[] = [];
      const off = svc().rt.bus.subscribe((m) => {
        if (m.type === 'conversation:updated') seen.push(m);
      });
      try {
        const admin = svc().t!.admin.user;
        const auth = { userId: admin.id, workspaceId: admin.workspaceId, role: 'admin' as const };
        const rt = svc().rt;
        await contactService.merge({ auth, scope: scoped(rt.database.db, auth), now: rt.clock() }, s.keep, s.other, {
          db: rt.database.db,
          bus: rt.bus,
          logger: rt.logger,
        });
        await vi.waitFor(() => {
          const ids = seen.map((m) => (m.payload as any).conversation.id);
          expect(ids).toEqual(expect.arrayContaining([s.kept.id, s.elsewhere.id]));
        });
        const survivor = seen.find((m) => (m.payload as any).conversation.id === s.kept.id)!;
        expect(survivor.workspaceId).toBe(ws());
        expect((survivor.payload as any).conversation).toMatchObject({
          contact: { id: s.keep },
          unreadCount: 3,
          lastMessage: { text: 'o4 in' },
        });
        expect(seen.some((m) => (m.payload as any).conversation.id === s.removed.id)).toBe(false);
      } finally {
        off();
      }
    });
  },
);
