import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessHoursOf, businessSeconds, outboundDepsOf, sendAgentMessage } from '@hub/shared/domain';
import { describeDrivers } from '@hub/shared/testing';
import { TestClient } from '../../gateway/test/gateway.helpers';
import { addUser, manualClock, team, type Session, type Team } from './crm-test-client';
import { startLive, uniqueDigits, type Channels } from './live-test-hub';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are probed freely */

// Response-time metrics on a scripted conversation, with every figure computed by hand.
// Customers write through webhooks with platform timestamps; agents act on the service clock,
// stopped and moved by the test. The workspace works Monday–Friday 09:00–17:00 UTC, and the
// story starts on Monday 6 January 2025 at 16:59, a minute before closing, so the
// business-hours values differ from the wall-clock ones.
//
//   t (s)   what                                  samples
//   0       customer writes (cycle 1 starts)
//   120     agent A replies                        frt 120 (biz 60), reply 120 (biz 60) → A
//   130     agent A adds a private note            —
//   200     customer writes
//   260     customer writes again (same turn)
//   500     agent B replies                        reply 300 (biz 0) → B
//   510     agent B replies again                  — (nothing unanswered)
//   600     resolved, assigned to A                resolution 600 (biz 60) → A
//   1000    customer writes (reopen: cycle 2)
//   1090    agent A replies                        frt 90 (biz 0), reply 90 (biz 0) → A
//   1100    another customer writes, unanswered
//   1150    a campaign message to that customer     — (not a human reply)
//   1200    metrics read: unanswered 1, waiting longest 100 s

const T0 = Date.parse('2025-01-06T16:59:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const HOURS = [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '17:00' }));

describe('business hours', () => {
  const hours = businessHoursOf({
    timezone: 'Europe/Madrid',
    businessHours: [{ day: 1, open: '09:00', close: '17:00' }],
  });
  it('counts only the open hours, in the workspace time zone', () => {
    // Monday 6 Jan 2025, Madrid is UTC+1: open 08:00–16:00 UTC.
    expect(businessSeconds(hours, new Date('2025-01-06T07:00:00Z'), new Date('2025-01-06T09:00:00Z'))).toBe(3600);
    expect(businessSeconds(hours, new Date('2025-01-06T15:30:00Z'), new Date('2025-01-13T08:30:00Z'))).toBe(3600);
    expect(businessSeconds(undefined, new Date(0), new Date(1000))).toBeNull();
    // Summer time: Monday 7 July 2025, Madrid is UTC+2 → open 07:00–15:00 UTC.
    expect(businessSeconds(hours, new Date('2025-07-07T06:00:00Z'), new Date('2025-07-07T08:00:00Z'))).toBe(3600);
  });
  it('ignores malformed entries and treats an empty list as no business hours', () => {
    expect(businessHoursOf({ businessHours: [] })).toBeUndefined();
    expect(businessHoursOf({ businessHours: [{ day: 9, open: 'x', close: '17:00' }] })).toBeUndefined();
  });
});

describeDrivers(
  'response-time metrics',
  (set) => startLive(set),
  (hub) => {
    let t: Team;
    let ch: Channels;
    let a: Session;
    let b: Session;
    let clock: ReturnType<typeof manualClock>;
    let supervisorSocket: TestClient;
    beforeAll(async () => {
      t = await team(hub());
      ch = await hub().channels(t.admin);
      [a, b] = await Promise.all([
        addUser(hub(), t.admin, 'agent', 'Agent A'),
        addUser(hub(), t.admin, 'agent', 'Agent B'),
      ]);
      const ws = await hub().api('PATCH', '/api/v1/workspace', t.admin, {
        body: { settings: { timezone: 'UTC', businessHours: HOURS, agentsSeeUnassigned: true } },
      });
      expect(ws.status).toBe(200);
      supervisorSocket = new TestClient(hub().url, { token: t.supervisor.accessToken });
      await supervisorSocket.ready();
      clock = manualClock(hub());
    });
    afterAll(() => {
      clock?.restore();
      supervisorSocket?.close();
    });

    const setClock = (s: number) => {
      clock.advance(at(s).getTime() - hub().rt.clock().getTime());
    };
    const reply = async (s: Session, conversationId: string, body: unknown) => {
      const res = await hub().api('POST', `/api/v1/conversations/${conversationId}/messages`, s, { body });
      expect(res.status).toBe(202);
    };

    it('records first response, reply and resolution samples as they happen', async () => {
      const from = uniqueDigits('1415', 11);
      await hub().whatsapp(ch.whatsapp, from, 'first question', at(0));
      const conv = await hub().conversationOf(t.admin, ch.whatsapp.id, (c) => c.contact.phone === `+${from}`);
      // Agents see the unassigned conversation (workspace setting), so both may answer.
      setClock(120);
      await reply(a, conv.id, { text: 'Hello!' });
      setClock(130);
      await reply(a, conv.id, { text: 'Customer seems upset', private: true });
      await hub().whatsapp(ch.whatsapp, from, 'second question', at(200));
      await hub().whatsapp(ch.whatsapp, from, 'are you there?', at(260));
      await hub().settle();
      setClock(500);
      await reply(b, conv.id, { text: 'Here I am' });
      setClock(510);
      await reply(b, conv.id, { text: 'And more' });
      setClock(595);
      await hub().api('POST', `/api/v1/conversations/${conv.id}/assign`, t.supervisor, {
        body: { assigneeId: a.user.id },
      });
      setClock(600);
      const resolved = await hub().api('POST', `/api/v1/conversations/${conv.id}/status`, a, {
        body: { status: 'resolved' },
      });
      expect(resolved.body.status).toBe('resolved');
      await hub().whatsapp(ch.whatsapp, from, 'one more thing', at(1000));
      await hub().settle();
      setClock(1090);
      await reply(a, conv.id, { text: 'Sure' });
      const other = uniqueDigits('1415', 11);
      await hub().whatsapp(ch.whatsapp, other, 'nobody answers me', at(1100));
      await hub().settle();
      // A campaign message is not a human reply: the customer is still waiting.
      const otherConv = await hub().conversationOf(t.admin, ch.whatsapp.id, (c) => c.contact.phone === `+${other}`);
      setClock(1150);
      await sendAgentMessage(
        outboundDepsOf(hub().rt),
        { userId: a.user.id, workspaceId: t.admin.user.workspaceId, role: 'agent' },
        otherConv.id,
        { text: 'Spring sale!', private: false },
        { origin: 'campaign' },
      );
      setClock(1200);

      const events = await hub()
        .rt.database.db.selectFrom('reporting_events')
        .select(['kind', 'agent_id', 'value_seconds', 'value_business_seconds'])
        .where('conversation_id', '=', conv.id)
        .orderBy('at')
        .orderBy('kind')
        .execute();
      expect(events.map((e) => [e.kind, e.agent_id, e.value_seconds, e.value_business_seconds])).toEqual([
        ['first_response', a.user.id, 120, 60],
        ['reply', a.user.id, 120, 60],
        ['reply', b.user.id, 300, 0],
        ['resolution', a.user.id, 600, 60],
        ['first_response', a.user.id, 90, 0],
        ['reply', a.user.id, 90, 0],
      ]);

      const res = await hub().api(
        'GET',
        `/api/v1/metrics?from=${at(-60).toISOString()}&to=${at(1300).toISOString()}`,
        t.supervisor,
      );
      expect(res.status).toBe(200);
      const m = res.body;
      expect(m).toMatchObject({
        open: 2,
        unanswered: 1,
        waitingLongestSeconds: 100,
        frt: { count: 2, min: 90, avg: 105, max: 120, business: { count: 2, min: 0, avg: 30, max: 60 } },
        reply: { count: 3, min: 90, avg: 170, max: 300, business: { count: 3, min: 0, avg: 20, max: 60 } },
        resolution: { count: 1, min: 600, avg: 600, max: 600, business: { count: 1, min: 60, avg: 60, max: 60 } },
      });
      expect(m.conversationsByChannel.find((c: any) => c.channelId === ch.whatsapp.id)).toMatchObject({
        type: 'whatsapp',
        open: 2,
        unanswered: 1,
      });
      const perAgent = new Map(m.perAgent.map((p: any) => [p.userId, p]));
      expect(perAgent.get(a.user.id)).toMatchObject({
        open: 1,
        frt: { count: 2, avg: 105 },
        reply: { count: 2, min: 90, max: 120 },
        resolution: { count: 1, avg: 600 },
      });
      expect(perAgent.get(b.user.id)).toMatchObject({
        open: 0,
        frt: { count: 0, avg: null },
        reply: { count: 1, avg: 300 },
      });
      expect(m.agentsOnline).toBe(1); // the supervisor's socket

      // A window that holds only the second cycle.
      const late = await hub().api(
        'GET',
        `/api/v1/metrics?from=${at(700).toISOString()}&to=${at(1300).toISOString()}`,
        t.admin,
      );
      expect(late.body.frt).toMatchObject({ count: 1, min: 90, max: 90 });
      expect(late.body.resolution.count).toBe(0);
    });

    it('pushes metrics:updated to supervisors when the inbox changes', async () => {
      await hub().whatsapp(ch.whatsapp, uniqueDigits('1415', 11), 'push me', at(1250));
      await hub().settle();
      // Pushes come debounced: the one after this message counts two unanswered customers.
      const pushed = await supervisorSocket.waitFor(
        (e) => e.event === 'metrics:updated' && (e.payload as any).unanswered === 2,
        'metrics:updated with the new customer',
      );
      expect(pushed.payload).toMatchObject({ workspaceId: t.admin.user.workspaceId, open: 3 });
      // Agents do not get them.
      const agent = new TestClient(hub().url, { token: a.accessToken });
      await agent.ready();
      await hub().whatsapp(ch.whatsapp, uniqueDigits('1415', 11), 'and me', at(1260));
      await hub().settle();
      await supervisorSocket.waitFor(
        (e) => e.event === 'metrics:updated' && (e.payload as any).unanswered === 3,
        'push',
      );
      expect(agent.events.some((e) => e.event === 'metrics:updated')).toBe(false);
      agent.close();
    });

    it('answers only the roles that read reports, and checks the window', async () => {
      expect((await hub().api('GET', '/api/v1/metrics', t.agent)).status).toBe(403);
      const reversed = await hub().api(
        'GET',
        `/api/v1/metrics?from=${at(10).toISOString()}&to=${at(5).toISOString()}`,
        t.admin,
      );
      expect(reversed.status).toBe(400);
      expect(reversed.body.error.details[0].field).toBe('from');
      const garbage = await hub().api('GET', '/api/v1/metrics?from=yesterday', t.admin);
      expect(garbage.status).toBe(400);
      expect(garbage.body.error.details[0].field).toBe('from');
      const other = await team(hub());
      const empty = await hub().api('GET', '/api/v1/metrics', other.admin);
      expect(empty.body).toMatchObject({ open: 0, unanswered: 0, frt: { count: 0, min: null } });
    });
  },
);
