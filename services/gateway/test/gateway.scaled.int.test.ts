import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@hub/shared/logger';
import { publishRealtime, type RealtimeBusMessage, type RealtimeEnvelope } from '@hub/shared/realtime';
import { createRuntime, type Runtime } from '@hub/shared/runtime';
import type { RunningService } from '@hub/shared/service';
import { createTestEnv, realDriversAvailable, startTestService, type TestEnv } from '@hub/shared/testing';
import { buildGateway } from '../src/gateway.app';
import { message, seedWorkspace, TestClient, type SeededWorkspace } from './gateway.helpers';

// The scaled layout: two gateway processes (each its own runtime, HTTP server and Socket.IO
// server) and a publisher (the worker's role) sharing one PostgreSQL database, one Redis,
// one bus channel and one key prefix. An agent on either gateway gets what happens anywhere.

describe.skipIf(!realDriversAvailable)('gateway: two processes on Redis [postgres+redis]', () => {
  let te: TestEnv;
  let gw1: RunningService & { cleanup(): Promise<void> };
  let gw2: RunningService & { cleanup(): Promise<void> };
  let worker: Runtime;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    te = await createTestEnv('postgres+redis');
    const build = (rt: Runtime) => buildGateway(rt, { typingMinIntervalMs: 0 });
    gw1 = await startTestService('postgres+redis', build, {}, te);
    gw2 = await startTestService('postgres+redis', build, {}, te);
    worker = await createRuntime(te.config, {
      ...te.runtimeOptions,
      migrate: false,
      logger: createLogger({ level: 'silent' }),
    });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await worker?.close();
    await gw1?.cleanup();
    await gw2?.cleanup();
    await te?.cleanup();
  });

  const online = async (gw: RunningService, auth: Record<string, unknown>) => {
    const c = new TestClient(gw.url, auth);
    clients.push(c);
    await c.ready();
    return c;
  };
  const seed = () => seedWorkspace(worker.database.db, te.config.jwtSecret);
  const created = async (from: Runtime, ws: SeededWorkspace, conversationId: string, text: string) => {
    const msg: RealtimeBusMessage = {
      type: 'message:created',
      workspaceId: ws.id,
      payload: { conversationId, message: message(conversationId, text) },
    };
    return (await publishRealtime(from, msg)) as RealtimeEnvelope;
  };

  it('gives an agent on either gateway the events produced anywhere', async () => {
    const ws = await seed();
    const [agentA1, admin1] = [
      await online(gw1, { token: ws.agentA.token }),
      await online(gw1, { token: ws.admin.token }),
    ];
    const [agentB2, admin2] = [
      await online(gw2, { token: ws.agentB.token }),
      await online(gw2, { token: ws.admin.token }),
    ];

    const fromWorker = await created(worker, ws, ws.conv.unassigned, 'from the worker');
    for (const c of [agentA1, agentB2, admin1, admin2]) {
      expect((await c.seen('message:created:from the worker')).payload.seq).toBe(fromWorker.seq);
    }
    const fromGw2 = await created(gw2.rt, ws, ws.conv.ofA, "from gateway 2's process");
    const fromGw1 = await created(gw1.rt, ws, ws.conv.ofB, "from gateway 1's process");
    await agentA1.seen("message:created:from gateway 2's process");
    await agentB2.seen("message:created:from gateway 1's process");
    // Both gateways have handled both events once the admins on each have them.
    await admin1.seen("message:created:from gateway 1's process");
    await admin2.seen("message:created:from gateway 1's process");
    await agentA1.flush(fromGw1.seq);
    await agentB2.flush(fromGw1.seq);

    expect(agentA1.labels()).toEqual(['message:created:from the worker', "message:created:from gateway 2's process"]);
    expect(agentB2.labels()).toEqual(['message:created:from the worker', "message:created:from gateway 1's process"]);
    expect(
      admin1
        .ordered()
        .filter((e) => e.event !== 'ready')
        .map((e) => e.payload.seq),
    ).toEqual([fromWorker.seq, fromGw2.seq, fromGw1.seq]);
  });

  it('replays on the other gateway what a client missed', async () => {
    const ws = await seed();
    const first = await online(gw1, { token: ws.agentA.token });
    const m1 = await created(worker, ws, ws.conv.ofA, 'm1');
    await first.seen('message:created:m1');
    first.close();
    const m2 = await created(worker, ws, ws.conv.ofA, 'm2');
    await created(worker, ws, ws.conv.ofB, 'm3 (not for A)');
    const m4 = await created(gw1.rt, ws, ws.conv.unassigned, 'm4');
    const again = new TestClient(gw2.url, { token: ws.agentA.token, lastSeq: m1.seq });
    clients.push(again);
    expect((await again.ready()).seq).toBe(m4.seq);
    expect(again.labels()).toEqual(['message:created:m2', 'message:created:m4']);
    expect(again.ordered().map((e) => e.payload.seq)).toEqual([m2.seq, m4.seq, m4.seq]);
  });

  it('relays typing and presence between gateways', async () => {
    const ws = await seed();
    const admin1 = await online(gw1, { token: ws.admin.token });
    const agentA1 = await online(gw1, { token: ws.agentA.token });
    const agentB2 = await online(gw2, { token: ws.agentB.token });

    const on = await admin1.waitFor((e) => e.event === 'presence' && e.payload.userId === ws.agentB.id, 'B online');
    expect(on.payload).toEqual({ userId: ws.agentB.id, status: 'online' });
    await admin1.waitFor((e) => e.event === 'presence' && e.payload.userId === ws.agentA.id, 'A online');
    const res = await fetch(`${gw1.url}/api/v1/presence`, { headers: { authorization: `Bearer ${ws.admin.token}` } });
    expect(((await res.json()) as { items: { userId: string }[] }).items.map((i) => i.userId).sort()).toEqual(
      [ws.admin.id, ws.agentA.id, ws.agentB.id].sort(),
    );

    expect(await agentA1.socket.emitWithAck('typing:start', { conversationId: ws.conv.unassigned })).toEqual({
      ok: true,
    });
    const typing = await agentB2.waitFor((e) => e.event === 'typing', 'typing on gateway 2');
    expect(typing.payload).toEqual({
      conversationId: ws.conv.unassigned,
      userId: ws.agentA.id,
      name: 'Alice Agent',
      typing: true,
    });

    agentB2.close();
    const off = await admin1.waitFor((e) => e.event === 'presence' && e.payload.status === 'offline', 'B offline');
    expect(off.payload).toEqual({ userId: ws.agentB.id, status: 'offline' });
  });
});
