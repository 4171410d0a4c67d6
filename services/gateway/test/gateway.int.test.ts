import { afterEach, describe, expect, it } from 'vitest';
import { signAccessToken } from '@hub/shared/auth';
import {
  publishRealtime,
  type RealtimeBusMessage,
  type RealtimeEnvelope,
  type SequencedBus,
} from '@hub/shared/realtime';
import { describeDrivers, startTestService } from '@hub/shared/testing';
import { buildGateway } from '../src/gateway.app';
import {
  connectError,
  conversation,
  message,
  seedWorkspace,
  TestClient,
  type SeededWorkspace,
} from './gateway.helpers';

describeDrivers(
  'gateway',
  (set) => startTestService(set, (rt) => buildGateway(rt, { typingMinIntervalMs: 0 })),
  (svc, set) => {
    const clients: TestClient[] = [];
    const connect = (auth: ConstructorParameters<typeof TestClient>[1], opts?: { reconnection?: boolean }) => {
      const c = new TestClient(svc().url, auth, opts);
      clients.push(c);
      return c;
    };
    /** Connected and in its rooms. */
    const online = async (token: string) => {
      const c = connect({ token });
      await c.ready();
      return c;
    };
    afterEach(() => {
      for (const c of clients.splice(0)) c.close();
    });
    const seed = (settings?: Record<string, unknown>) =>
      seedWorkspace(svc().rt.database.db, svc().rt.config.jwtSecret, settings);
    const publish = async (msg: RealtimeBusMessage): Promise<RealtimeEnvelope> => {
      const env = await publishRealtime(svc().rt, msg);
      if (!env) throw new Error('expected a sequenced event');
      return env;
    };
    const created = async (ws: SeededWorkspace, conversationId: string, text: string) => {
      const msg = message(conversationId, text);
      const env = await publish({
        type: 'message:created',
        workspaceId: ws.id,
        payload: { conversationId, message: msg },
      });
      return Object.assign(env, { message: msg });
    };
    const updated = (
      ws: SeededWorkspace,
      id: string,
      assigneeId: string | null,
      text: string,
      previousAssigneeId?: string | null,
    ) =>
      publish({
        type: 'conversation:updated',
        workspaceId: ws.id,
        payload: { conversation: conversation(ws, id, assigneeId, text) },
        ...(previousAssigneeId !== undefined ? { meta: { previousAssigneeId } } : {}),
      });
    const seen = (c: TestClient, l: string) => c.seen(l);

    describe('handshake', () => {
      it('refuses a missing, malformed, foreign or expired token with connect_error "unauthorized"', async () => {
        const ws = await seed();
        const secret = svc().rt.config.jwtSecret;
        const expired = signAccessToken(
          secret,
          { userId: ws.admin.id, workspaceId: ws.id, role: 'admin' },
          60,
          new Date(Date.now() - 3600_000),
        );
        const foreign = signAccessToken('another-secret-0123456789abcdef', {
          userId: ws.admin.id,
          workspaceId: ws.id,
          role: 'admin',
        });
        for (const auth of [{}, { token: '' }, { token: 'x.y.z' }, { token: foreign }, { token: expired }]) {
          const err = await connectError(svc().url, auth);
          expect(err.message).toBe('unauthorized');
        }
        const err = await connectError(svc().url, { token: expired });
        expect(err.data).toEqual({ code: 'token_expired', message: 'access token expired' });
      });

      it('refuses the token of a deactivated user', async () => {
        const ws = await seed();
        await svc().rt.database.db.updateTable('users').set({ active: false }).where('id', '=', ws.agentB.id).execute();
        const err = await connectError(svc().url, { token: ws.agentB.token });
        expect(err.message).toBe('unauthorized');
        expect(err.data).toMatchObject({ code: 'session_ended' });
      });

      it('names lastSeq when it is not a sequence number', async () => {
        const ws = await seed();
        const err = await connectError(svc().url, { token: ws.admin.token, lastSeq: 'soon' });
        expect(err.message).toBe('validation_failed');
        expect(err.data).toMatchObject({ code: 'validation_failed', details: [{ field: 'lastSeq' }] });
      });

      it('says ready with the workspace sequence once connected', async () => {
        const ws = await seed();
        const c = connect({ token: ws.agentA.token });
        const ready = await c.ready();
        expect(ready).toMatchObject({ recovered: false, userId: ws.agentA.id });
        expect(Number.isSafeInteger(ready.seq)).toBe(true);
      });
    });

    describe('fan-out', () => {
      it('delivers an event to the users of its workspace and to no other workspace', async () => {
        const [ws1, ws2] = [await seed(), await seed()];
        const admin1 = await online(ws1.admin.token);
        const admin2 = await online(ws2.admin.token);
        const env = await created(ws1, ws1.conv.unassigned, 'hello from ws1');
        const got = await seen(admin1, 'message:created:hello from ws1');
        expect(got.payload).toEqual({
          conversationId: ws1.conv.unassigned,
          message: env.message,
          seq: env.seq,
        });
        // Something admin2 may see, after the other workspace's event: once it arrives,
        // anything admin2 would have got from ws1 would have arrived too.
        const sentinel = await created(ws2, ws2.conv.unassigned, 'ws2 sentinel');
        await seen(admin2, 'message:created:ws2 sentinel');
        await admin2.flush(sentinel.seq);
        expect(admin2.labels()).toEqual(['message:created:ws2 sentinel']);
      });

      it("gives an agent its own and unassigned conversations, never another agent's (nor its lastMessage)", async () => {
        const ws = await seed();
        const [admin, agentA, marketer] = [
          await online(ws.admin.token),
          await online(ws.agentA.token),
          await online(ws.marketer.token),
        ];
        await created(ws, ws.conv.ofB, 'secret of B');
        await updated(ws, ws.conv.ofB, ws.agentB.id, 'secret preview of B');
        await created(ws, ws.conv.ofA, 'for A');
        await created(ws, ws.conv.unassigned, 'for anyone');
        const last = await updated(ws, ws.conv.ofA, ws.agentA.id, 'preview for A');
        await seen(admin, 'conversation:updated:preview for A');
        await seen(agentA, 'conversation:updated:preview for A');
        await agentA.flush(last.seq);
        await marketer.flush(last.seq);

        expect(admin.labels()).toEqual([
          'message:created:secret of B',
          'conversation:updated:secret preview of B',
          'message:created:for A',
          'message:created:for anyone',
          'conversation:updated:preview for A',
        ]);
        expect(agentA.labels()).toEqual([
          'message:created:for A',
          'message:created:for anyone',
          'conversation:updated:preview for A',
        ]);
        expect(JSON.stringify(agentA.events)).not.toContain('of B');
        // Marketers have no inbox access at all.
        expect(marketer.labels()).toEqual([]);
      });

      it('looks up the assignee of a message event published without one', async () => {
        const ws = await seed();
        const env = await created(ws, ws.conv.ofB, 'routed by lookup');
        expect(env.meta).toEqual({ conversationId: ws.conv.ofB, assigneeId: ws.agentB.id });
      });

      it('tells agents who lose a conversation, without its content', async () => {
        const ws = await seed();
        const [agentA, agentB] = [await online(ws.agentA.token), await online(ws.agentB.token)];
        // The unassigned conversation is taken by B: A (shared queue) loses it.
        const env = await updated(ws, ws.conv.unassigned, ws.agentB.id, 'now private to B', null);
        await seen(agentB, 'conversation:updated:now private to B');
        const revoked = await agentA.waitFor((e) => e.event === 'conversation:revoked', 'revoked');
        expect(revoked.payload).toEqual({ conversationId: ws.conv.unassigned, seq: env.seq });
        await agentA.flush(env.seq);
        expect(agentA.labels()).toEqual([`conversation:revoked:${ws.conv.unassigned}`]);
        expect(agentB.labels()).toEqual(['conversation:updated:now private to B']);
      });

      it('keeps unassigned conversations from agents when the workspace says so', async () => {
        const ws = await seed({ agentsSeeUnassigned: false });
        const agentA = await online(ws.agentA.token);
        await created(ws, ws.conv.unassigned, 'queue only for supervisors');
        await created(ws, ws.conv.ofA, 'mine');
        const last = await seen(agentA, 'message:created:mine');
        await agentA.flush(last.payload.seq!);
        expect(agentA.labels()).toEqual(['message:created:mine']);
      });

      it('routes metrics:updated to supervisors only', async () => {
        const ws = await seed();
        const [supervisor, agentA] = [await online(ws.supervisor.token), await online(ws.agentA.token)];
        await publishRealtime(svc().rt, {
          type: 'metrics:updated',
          workspaceId: ws.id,
          payload: { open: 3, unanswered: 1 },
        });
        const got = await supervisor.waitFor((e) => e.event === 'metrics:updated', 'metrics');
        expect(got.payload).toEqual({ open: 3, unanswered: 1 });
        await agentA.flush((await agentA.ready()).seq);
        expect(agentA.events.map((e) => e.event)).not.toContain('metrics:updated');
      });
    });

    describe('gap-free delivery', () => {
      it('replays exactly the missed events, in order, to a client that reconnects with lastSeq', async () => {
        const ws = await seed();
        const first = await online(ws.agentA.token);
        const r1 = await created(ws, ws.conv.unassigned, 'r1');
        await seen(first, 'message:created:r1');
        first.close();
        const r2 = await created(ws, ws.conv.ofA, 'r2');
        await created(ws, ws.conv.ofB, 'r3 (not for A)');
        const r4 = await updated(ws, ws.conv.unassigned, null, 'r4');
        const r5 = await publish({
          type: 'message:updated',
          workspaceId: ws.id,
          payload: { conversationId: ws.conv.ofA, message: { ...r2.message, status: 'read' } },
        });
        const again = connect({ token: ws.agentA.token, lastSeq: r1.seq });
        const ready = await again.ready();
        expect(again.labels()).toEqual(['message:created:r2', 'conversation:updated:r4', 'message:updated:r2']);
        expect(
          again
            .ordered()
            .filter((e) => e.event !== 'ready')
            .map((e) => e.payload.seq),
        ).toEqual([r2.seq, r4.seq, r5.seq]);
        expect(ready.seq).toBe(r5.seq);
        // Live events follow the replay without a gap.
        await created(ws, ws.conv.ofA, 'r6');
        await seen(again, 'message:created:r6');
        expect(again.labels()).toEqual([
          'message:created:r2',
          'conversation:updated:r4',
          'message:updated:r2',
          'message:created:r6',
        ]);
      });

      it('replays on `sync` and answers with an ack', async () => {
        const ws = await seed();
        const c = await online(ws.admin.token);
        const x1 = await created(ws, ws.conv.ofB, 'x1');
        const x2 = await created(ws, ws.conv.ofA, 'x2');
        await seen(c, 'message:created:x2');
        const ack = await c.socket.emitWithAck('sync', { lastSeq: x1.seq - 1 });
        expect(ack).toEqual({ ok: true, replayed: 2, seq: x2.seq });
        expect(c.labels()).toEqual([
          'message:created:x1',
          'message:created:x2',
          'message:created:x1',
          'message:created:x2',
        ]);
        const bad = await c.socket.emitWithAck('sync', { lastSeq: -1 });
        expect(bad).toMatchObject({ ok: false, error: { code: 'validation_failed', details: [{ field: 'lastSeq' }] } });
      });

      it('answers resync when lastSeq is older than the log keeps', async () => {
        const ws = await seed();
        await created(ws, ws.conv.unassigned, 'something');
        const c = connect({ token: ws.agentA.token, lastSeq: 1 });
        await c.ready();
        expect(c.ordered().map((e) => e.event)).toEqual(['resync', 'ready']);
        expect(c.ordered()[0]!.payload).toEqual({ reason: 'gap_too_old' });
        const ack = await c.socket.emitWithAck('sync', { lastSeq: 1 });
        expect(ack).toMatchObject({ ok: false, resync: 'gap_too_old', error: { code: 'resync_required' } });
      });

      it('answers resync when lastSeq is ahead of the workspace', async () => {
        const ws = await seed();
        const head = await svc().rt.realtime.log.head(ws.id);
        const c = connect({ token: ws.agentA.token, lastSeq: head + 1000 });
        await c.ready();
        expect(c.ordered()[0]).toEqual({ event: 'resync', payload: { reason: 'seq_unknown' } });
      });

      it('fills from the log when a bus message is lost or late, and drops the duplicate', async () => {
        const ws = await seed();
        const c = await online(ws.admin.token);
        // Sequenced and logged, but its bus message is "lost" for now.
        const lost = await svc().rt.realtime.log.append({
          type: 'message:created',
          workspaceId: ws.id,
          payload: { conversationId: ws.conv.ofA, message: message(ws.conv.ofA, 'lost on the bus') },
          meta: { conversationId: ws.conv.ofA, assigneeId: ws.agentA.id },
        });
        const next = await created(ws, ws.conv.ofA, 'after the lost one');
        await seen(c, 'message:created:after the lost one');
        // The late copy arrives after all.
        await (svc().rt.bus as SequencedBus).inner.publish(lost);
        const sentinel = await created(ws, ws.conv.ofA, 'sentinel');
        await seen(c, 'message:created:sentinel');
        expect(c.labels()).toEqual([
          'message:created:lost on the bus',
          'message:created:after the lost one',
          'message:created:sentinel',
        ]);
        expect(
          c
            .ordered()
            .filter((e) => e.event !== 'ready')
            .map((e) => e.payload.seq),
        ).toEqual([lost.seq, next.seq, sentinel.seq]);
      });

      it('recovers a dropped connection and delivers what was missed exactly once', async () => {
        const ws = await seed();
        let lastSeq: number | undefined;
        const c = connect((cb) => cb({ token: ws.agentA.token, ...(lastSeq !== undefined ? { lastSeq } : {}) }), {
          reconnection: true,
        });
        c.socket.onAny((_e: string, p: { seq?: number }) => {
          if (typeof p?.seq === 'number') lastSeq = Math.max(lastSeq ?? 0, p.seq);
        });
        await c.ready();
        await created(ws, ws.conv.ofA, 'before the drop');
        await seen(c, 'message:created:before the drop');
        // The network drops (not a client disconnect): Socket.IO reconnects by itself.
        c.socket.io.engine.close();
        await created(ws, ws.conv.ofA, 'while away 1');
        await created(ws, ws.conv.unassigned, 'while away 2');
        await c.ready(2);
        await created(ws, ws.conv.ofA, 'after');
        await seen(c, 'message:created:after');
        expect(c.labels()).toEqual([
          'message:created:before the drop',
          'message:created:while away 1',
          'message:created:while away 2',
          'message:created:after',
        ]);
        // Embedded: Socket.IO's recovery replays; Redis: the gateway's own replay by lastSeq.
        if (set === 'embedded') expect(c.socket.recovered).toBe(true);
      });
    });

    describe('typing', () => {
      it('relays typing to the others who may see the conversation', async () => {
        const ws = await seed();
        const [agentA, agentB, admin] = [
          await online(ws.agentA.token),
          await online(ws.agentB.token),
          await online(ws.admin.token),
        ];
        expect(await agentA.socket.emitWithAck('typing:start', { conversationId: ws.conv.unassigned })).toEqual({
          ok: true,
        });
        const typing = await agentB.waitFor((e) => e.event === 'typing', 'typing');
        expect(typing.payload).toEqual({
          conversationId: ws.conv.unassigned,
          userId: ws.agentA.id,
          name: 'Alice Agent',
          typing: true,
        });
        await admin.waitFor((e) => e.event === 'typing', 'typing (admin)');
        expect(await agentA.socket.emitWithAck('typing:stop', { conversationId: ws.conv.unassigned })).toEqual({
          ok: true,
        });
        const stopped = await agentB.waitFor((e) => e.event === 'typing' && e.payload.typing === false, 'typing stop');
        expect(stopped.payload).toMatchObject({ userId: ws.agentA.id, typing: false });
      });

      it('refuses typing where the agent may not look, and names a bad field', async () => {
        const ws = await seed();
        const agentA = await online(ws.agentA.token);
        expect(await agentA.socket.emitWithAck('typing:start', { conversationId: ws.conv.ofB })).toEqual({
          ok: false,
          error: { code: 'conversation_not_found', message: 'conversation not found' },
        });
        expect(await agentA.socket.emitWithAck('typing:start', { conversationId: 'nope' })).toMatchObject({
          ok: false,
          error: { code: 'validation_failed', details: [{ field: 'conversationId' }] },
        });
      });
    });

    describe('conversation rooms', () => {
      it('lets a user join the conversations it may see', async () => {
        const ws = await seed();
        const agentA = await online(ws.agentA.token);
        expect(await agentA.socket.emitWithAck('conversation:join', { conversationId: ws.conv.ofA })).toEqual({
          ok: true,
        });
        expect(await agentA.socket.emitWithAck('conversation:join', { conversationId: ws.conv.ofB })).toMatchObject({
          ok: false,
          error: { code: 'conversation_not_found' },
        });
        expect(await agentA.socket.emitWithAck('conversation:leave', { conversationId: ws.conv.ofA })).toEqual({
          ok: true,
        });
      });
    });

    describe('presence', () => {
      const presence = async (token?: string) => {
        const res = await fetch(
          `${svc().url}/api/v1/presence`,
          token ? { headers: { authorization: `Bearer ${token}` } } : {},
        );
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };

      it('announces online, away and offline, and lists who is online', async () => {
        const ws = await seed();
        const admin = await online(ws.admin.token);
        const agentB = await online(ws.agentB.token);
        const on = await admin.waitFor((e) => e.event === 'presence' && e.payload.userId === ws.agentB.id, 'online');
        expect(on.payload).toEqual({ userId: ws.agentB.id, status: 'online' });
        const listed = await presence(ws.admin.token);
        expect(listed.status).toBe(200);
        expect((listed.body.items as unknown[]).length).toBe(2);
        expect(listed.body.items).toEqual(
          expect.arrayContaining([
            { userId: ws.admin.id, status: 'online' },
            { userId: ws.agentB.id, status: 'online' },
          ]),
        );

        expect(await agentB.socket.emitWithAck('presence:set', { status: 'away' })).toEqual({ ok: true });
        await admin.waitFor((e) => e.event === 'presence' && e.payload.status === 'away', 'away');
        expect(await agentB.socket.emitWithAck('presence:set', { status: 'asleep' })).toMatchObject({
          ok: false,
          error: { code: 'validation_failed', details: [{ field: 'status' }] },
        });

        agentB.close();
        const off = await admin.waitFor((e) => e.event === 'presence' && e.payload.status === 'offline', 'offline');
        expect(off.payload).toEqual({ userId: ws.agentB.id, status: 'offline' });
        expect((await presence(ws.admin.token)).body).toEqual({ items: [{ userId: ws.admin.id, status: 'online' }] });
      });

      it('answers 401 in the error shape without a token', async () => {
        expect(await presence()).toEqual({
          status: 401,
          body: { error: { code: 'unauthorized', message: 'missing bearer token' } },
        });
      });
    });
  },
);

describe('gateway module', () => {
  it('exports the factory with its signature', () => {
    expect(typeof buildGateway).toBe('function');
  });
});
