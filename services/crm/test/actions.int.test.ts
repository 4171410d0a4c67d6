import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { TestClient } from '../../gateway/test/gateway.helpers';
import { addUser, team, type Session, type Team } from './crm-test-client';
import { startLive, uniqueDigits, type Channels, type LiveHub } from './live-test-hub';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are probed freely */

// Conversation actions: assign (agent, team) / unassign, status, read and the unread
// counters, snooze (until a time or the next customer message), labels, and auto-assignment
// round robin among online agents with a capacity, re-offered when an agent comes online.

async function eventually<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeDrivers(
  'conversation actions',
  (set) => startLive(set),
  (hub) => {
    let t: Team;
    let ch: Channels;
    const clients: TestClient[] = [];
    beforeAll(async () => {
      t = await team(hub());
      ch = await hub().channels(t.admin);
    });
    afterAll(() => clients.forEach((c) => c.close()));

    const customer = async (text = 'hello') => {
      const from = uniqueDigits('1415', 11);
      await hub().whatsapp(ch.whatsapp, from, text);
      return { from, conv: await hub().conversationOf(t.admin, ch.whatsapp.id, (c) => c.contact.phone === `+${from}`) };
    };
    const act = (s: Session, method: string, path: string, body?: unknown) =>
      hub().api(method, path, s, body === undefined ? {} : { body });
    const online = async (s: Session) => {
      const c = new TestClient(hub().url, { token: s.accessToken });
      clients.push(c);
      await c.ready();
      return c;
    };

    describe('assign', () => {
      it('assigns to an agent and a team, unassigns, and checks who may be assigned', async () => {
        const { conv } = await customer();
        const teamRes = await act(t.admin, 'POST', '/api/v1/teams', { name: `Sales ${randomUUID().slice(0, 6)}` });
        expect(teamRes.status).toBe(201);
        const res = await act(t.supervisor, 'POST', `/api/v1/conversations/${conv.id}/assign`, {
          assigneeId: t.agent.user.id,
          teamId: teamRes.body.id,
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id: conv.id, assigneeId: t.agent.user.id, teamId: teamRes.body.id });
        const mine = await act(t.agent, 'GET', `/api/v1/conversations?assigneeId=${t.agent.user.id}`);
        expect(mine.body.items.map((c: any) => c.id)).toContain(conv.id);

        const marketer = await act(t.supervisor, 'POST', `/api/v1/conversations/${conv.id}/assign`, {
          assigneeId: t.marketer.user.id,
        });
        expect(marketer.status).toBe(400);
        expect(marketer.body.error.details[0].field).toBe('assigneeId');
        const nobody = await act(t.supervisor, 'POST', `/api/v1/conversations/${conv.id}/assign`, {
          assigneeId: randomUUID(),
        });
        expect(nobody.status).toBe(400);
        const noTeam = await act(t.supervisor, 'POST', `/api/v1/conversations/${conv.id}/assign`, {
          assigneeId: null,
          teamId: randomUUID(),
        });
        expect(noTeam.status).toBe(400);
        expect(noTeam.body.error.details[0].field).toBe('teamId');
        const missing = await act(t.supervisor, 'POST', `/api/v1/conversations/${conv.id}/assign`, {});
        expect(missing.status).toBe(400);
        expect(missing.body.error.details[0].field).toBe('assigneeId');

        // Another agent cannot see (so cannot touch) a conversation assigned to a colleague.
        const other = await addUser(hub(), t.admin, 'agent', 'Other agent');
        const hidden = await act(other, 'POST', `/api/v1/conversations/${conv.id}/assign`, {
          assigneeId: other.user.id,
        });
        expect(hidden.status).toBe(404);

        const un = await act(t.supervisor, 'POST', `/api/v1/conversations/${conv.id}/assign`, { assigneeId: null });
        expect(un.status).toBe(200);
        expect(un.body).toMatchObject({ assigneeId: null, teamId: teamRes.body.id });
        const deleted = await act(t.admin, 'DELETE', `/api/v1/teams/${teamRes.body.id}`);
        expect(deleted.status).toBe(204);
        expect((await act(t.admin, 'GET', `/api/v1/teams/${teamRes.body.id}`)).status).toBe(404);
      });
    });

    describe('status, read, unread', () => {
      it('resolves, reopens, sets pending, and a customer message reopens a resolved one', async () => {
        const { from, conv } = await customer();
        const resolved = await act(t.agent, 'POST', `/api/v1/conversations/${conv.id}/status`, { status: 'resolved' });
        expect(resolved.status).toBe(200);
        expect(resolved.body.status).toBe('resolved');
        await hub().whatsapp(ch.whatsapp, from, 'one more thing');
        await hub().settle();
        expect((await act(t.agent, 'GET', `/api/v1/conversations/${conv.id}`)).body.status).toBe('open');
        const pending = await act(t.agent, 'POST', `/api/v1/conversations/${conv.id}/status`, { status: 'pending' });
        expect(pending.body.status).toBe('pending');
        const bad = await act(t.agent, 'POST', `/api/v1/conversations/${conv.id}/status`, { status: 'closed' });
        expect(bad.status).toBe(400);
        expect(bad.body.error.details[0].field).toBe('status');
      });

      it('PATCH runs the same actions: assigning and resolving record the resolution sample', async () => {
        const { conv } = await customer();
        const metrics = async () => (await act(t.supervisor, 'GET', '/api/v1/metrics')).body.resolution.count as number;
        const before = await metrics();
        const res = await act(t.supervisor, 'PATCH', `/api/v1/conversations/${conv.id}`, {
          assigneeId: t.agent.user.id,
          status: 'resolved',
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id: conv.id, assigneeId: t.agent.user.id, status: 'resolved' });
        expect(await metrics()).toBe(before + 1);
      });

      it('counts unread per conversation and per agent, and read sets it back to zero', async () => {
        const agent = await addUser(hub(), t.admin, 'agent', 'Unread agent');
        const { from, conv } = await customer('one');
        await hub().whatsapp(ch.whatsapp, from, 'two');
        await hub().settle();
        await act(t.supervisor, 'POST', `/api/v1/conversations/${conv.id}/assign`, { assigneeId: agent.user.id });
        const counters = await act(agent, 'GET', '/api/v1/conversations/unread');
        expect(counters.status).toBe(200);
        expect(counters.body.mine).toEqual({ conversations: 1, messages: 2 });
        expect(counters.body.total.messages).toBeGreaterThanOrEqual(2);
        const read = await act(agent, 'POST', `/api/v1/conversations/${conv.id}/read`);
        expect(read.status).toBe(200);
        expect(read.body.unreadCount).toBe(0);
        expect((await act(agent, 'GET', '/api/v1/conversations/unread')).body.mine).toEqual({
          conversations: 0,
          messages: 0,
        });
      });
    });

    describe('snooze', () => {
      it('sleeps until the customer writes again', async () => {
        const { from, conv } = await customer();
        const res = await act(t.agent, 'POST', `/api/v1/conversations/${conv.id}/snooze`, { untilNextMessage: true });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ status: 'pending', snoozed: true, snoozedUntil: null });
        await hub().whatsapp(ch.whatsapp, from, 'are you there?');
        await hub().settle();
        const woke = await act(t.agent, 'GET', `/api/v1/conversations/${conv.id}`);
        expect(woke.body.status).toBe('open');
      });

      it('wakes up at the time given (a delayed job), unless woken or re-snoozed before', async () => {
        const { conv } = await customer();
        const until = new Date(Date.now() + 1500).toISOString();
        const res = await act(t.agent, 'POST', `/api/v1/conversations/${conv.id}/snooze`, { until });
        expect(res.body).toMatchObject({ status: 'pending', snoozed: true, snoozedUntil: until });
        const { conv: other } = await customer();
        await act(t.agent, 'POST', `/api/v1/conversations/${other.id}/snooze`, { until });
        // The second one is snoozed again, further away: the first wake-up must leave it alone.
        const later = new Date(Date.now() + 3_600_000).toISOString();
        await act(t.agent, 'POST', `/api/v1/conversations/${other.id}/snooze`, { until: later });
        await eventually(
          async () => (await act(t.agent, 'GET', `/api/v1/conversations/${conv.id}`)).body.status,
          (s) => s === 'open',
          'the wake-up',
        );
        const still = await act(t.agent, 'GET', `/api/v1/conversations/${other.id}`);
        expect(still.body.status).toBe('pending');
        const reopened = await act(t.agent, 'POST', `/api/v1/conversations/${other.id}/status`, { status: 'open' });
        expect(reopened.body).toMatchObject({ status: 'open', snoozed: false, snoozedUntil: null });
      });

      it('refuses what makes no sense', async () => {
        const { conv } = await customer();
        const both = await act(t.agent, 'POST', `/api/v1/conversations/${conv.id}/snooze`, {
          until: new Date(Date.now() + 60_000).toISOString(),
          untilNextMessage: true,
        });
        expect(both.status).toBe(400);
        expect(both.body.error.details[0].field).toBe('until');
        const past = await act(t.agent, 'POST', `/api/v1/conversations/${conv.id}/snooze`, {
          until: new Date(Date.now() - 60_000).toISOString(),
        });
        expect(past.status).toBe(400);
        expect(past.body.error.details[0].field).toBe('until');
        await act(t.agent, 'POST', `/api/v1/conversations/${conv.id}/status`, { status: 'resolved' });
        const resolved = await act(t.agent, 'POST', `/api/v1/conversations/${conv.id}/snooze`, {
          untilNextMessage: true,
        });
        expect(resolved.status).toBe(409);
        expect(resolved.body.error.code).toBe('conversation_resolved');
      });
    });

    describe('labels', () => {
      it('replaces the labels, without duplicates, and validates them', async () => {
        const { conv } = await customer();
        const res = await act(t.agent, 'PUT', `/api/v1/conversations/${conv.id}/labels`, {
          labels: ['vip', 'Billing', 'VIP', ' refund '],
        });
        expect(res.status).toBe(200);
        expect(res.body.labels).toEqual(['Billing', 'refund', 'vip']);
        const bad = await act(t.agent, 'PUT', `/api/v1/conversations/${conv.id}/labels`, { labels: ['a,b'] });
        expect(bad.status).toBe(400);
        expect(bad.body.error.details[0].field).toBe('labels.0');
        const cleared = await act(t.agent, 'PUT', `/api/v1/conversations/${conv.id}/labels`, { labels: [] });
        expect(cleared.body.labels).toEqual([]);
      });
    });

    describe('auto-assignment', () => {
      it('round-robins new chats among online agents within their capacity, and re-offers waiting ones', async () => {
        const autoTeam = await team(hub());
        const autoCh = await hub().channels(autoTeam.admin);
        const [a, b, c] = await Promise.all([
          addUser(hub(), autoTeam.admin, 'agent', 'Agent A'),
          addUser(hub(), autoTeam.admin, 'agent', 'Agent B'),
          addUser(hub(), autoTeam.admin, 'agent', 'Agent C'),
        ]);
        const put = await hub().api('PUT', `/api/v1/channels/${autoCh.telegram.id}/settings`, autoTeam.admin, {
          body: { autoAssign: true, autoAssignCapacity: 1 },
        });
        expect(put.body).toMatchObject({ autoAssign: true, autoAssignCapacity: 1 });
        await online(a);
        await online(b);
        // The team's own agent stays offline; 'away' agents are not picked either.
        const writes = async (n: number) => {
          const chatId = Number(uniqueDigits('4', 9));
          await hub().telegram(autoCh.telegram, chatId, `auto ${n}`);
          await hub().settle();
          return (
            await hub().conversationOf(autoTeam.admin, autoCh.telegram.id, (x) => x.lastMessage?.text === `auto ${n}`)
          ).id as string;
        };
        const assigneeOf = (id: string) =>
          hub()
            .api('GET', `/api/v1/conversations/${id}`, autoTeam.admin)
            .then((r) => r.body.assigneeId as string | null);

        const first = await writes(1);
        const firstAssignee = await eventually(
          () => assigneeOf(first),
          (v) => v !== null,
          'first assignment',
        );
        const second = await writes(2);
        const secondAssignee = await eventually(
          () => assigneeOf(second),
          (v) => v !== null,
          'second assignment',
        );
        expect(new Set([firstAssignee, secondAssignee])).toEqual(new Set([a.user.id, b.user.id]));

        // Both at capacity: the third waits unassigned…
        const third = await writes(3);
        await new Promise((r) => setTimeout(r, 300));
        expect(await assigneeOf(third)).toBeNull();
        // …until an agent comes online.
        await online(c);
        expect(
          await eventually(
            () => assigneeOf(third),
            (v) => v !== null,
            're-offer',
          ),
        ).toBe(c.user.id);

        const agents = await hub().api('GET', '/api/v1/agents', autoTeam.supervisor);
        const byId = new Map(agents.body.items.map((x: any) => [x.id, x]));
        expect(byId.get(c.user.id)).toMatchObject({ presence: 'online', open: 1, capacity: null });
        const cap = await hub().api('PUT', `/api/v1/agents/${c.user.id}/capacity`, autoTeam.admin, {
          body: { capacity: 3 },
        });
        expect(cap.body).toEqual({ id: c.user.id, capacity: 3 });
        const capAgent = await hub().api('PUT', `/api/v1/agents/${c.user.id}/capacity`, c, { body: { capacity: 3 } });
        expect(capAgent.status).toBe(403);
      });
    });
  },
);

export type { LiveHub };
