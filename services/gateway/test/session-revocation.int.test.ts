import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '@hub/shared/auth';
import type { Db } from '@hub/shared/db';
import { createLogger } from '@hub/shared/logger';
import { publishRealtime, type SessionRevokedPayload } from '@hub/shared/realtime';
import { createRuntime, type Runtime } from '@hub/shared/runtime';
import type { RunningService } from '@hub/shared/service';
import {
  createTestEnv,
  describeDrivers,
  realDriversAvailable,
  startTestService,
  type TestEnv,
} from '@hub/shared/testing';
import { buildGateway } from '../src/gateway.app';
import { connectError, message, seedWorkspace, TestClient, type SeededUser } from './gateway.helpers';

// The CRM ends sessions and publishes `session:revoked` after the commit; the gateway closes
// the sockets of those sessions at once. Here the database change and the bus message are made
// by hand, as the CRM does them (services/hub/test covers the REST paths end to end).

/** A live session row for the user and an access token naming it. */
async function openSession(db: Db, secret: string, workspaceId: string, user: SeededUser) {
  const familyId = randomUUID();
  const now = new Date();
  await db
    .insertInto('sessions')
    .values({
      workspace_id: workspaceId,
      user_id: user.id,
      family_id: familyId,
      token_hash: randomBytes(32).toString('hex'),
      created_at: now,
      last_used_at: now,
      expires_at: new Date(now.getTime() + 3600_000),
    })
    .execute();
  const token = signAccessToken(secret, { userId: user.id, workspaceId, role: user.role, sessionId: familyId });
  return { familyId, token };
}

async function revoke(
  rt: Runtime,
  workspaceId: string,
  payload: SessionRevokedPayload,
  change: { sessions?: string[]; deactivate?: boolean },
) {
  const db = rt.database.db;
  if (change.sessions?.length) {
    await db
      .updateTable('sessions')
      .set({ revoked_at: new Date(), revoked_reason: 'logout' })
      .where('family_id', 'in', change.sessions)
      .execute();
  }
  if (change.deactivate)
    await db.updateTable('users').set({ active: false }).where('id', '=', payload.userId).execute();
  await publishRealtime(rt, { type: 'session:revoked', workspaceId, payload });
}

/** Resolves with the reason of the next disconnect. */
const disconnected = (c: TestClient) =>
  new Promise<string>((resolve) => c.socket.once('disconnect', (reason) => resolve(reason)));

describeDrivers(
  'gateway: ended sessions',
  (set) => startTestService(set, (rt) => buildGateway(rt)),
  (svc) => {
    const clients: TestClient[] = [];
    const online = async (token: string) => {
      const c = new TestClient(svc().url, { token });
      clients.push(c);
      await c.ready();
      return c;
    };
    afterEach(() => {
      for (const c of clients.splice(0)) c.close();
    });
    const seed = () => seedWorkspace(svc().rt.database.db, svc().rt.config.jwtSecret);
    const session = (ws: { id: string }, user: SeededUser) =>
      openSession(svc().rt.database.db, svc().rt.config.jwtSecret, ws.id, user);

    it("closes a signed-out session's socket, refuses its token, and keeps the user's other session", async () => {
      const ws = await seed();
      const [s1, s2] = [await session(ws, ws.agentA), await session(ws, ws.agentA)];
      const [tab1, tab1b, tab2] = [await online(s1.token), await online(s1.token), await online(s2.token)];
      const gone = [disconnected(tab1), disconnected(tab1b)];

      await revoke(svc().rt, ws.id, { userId: ws.agentA.id, sessionIds: [s1.familyId] }, { sessions: [s1.familyId] });

      expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
      const err = await connectError(svc().url, { token: s1.token });
      expect(err.message).toBe('unauthorized');
      expect(err.data).toMatchObject({ code: 'session_ended' });
      // The other session still gets the workspace's events.
      expect(tab2.socket.connected).toBe(true);
      const env = await publishRealtime(svc().rt, {
        type: 'message:created',
        workspaceId: ws.id,
        payload: { conversationId: ws.conv.ofA, message: message(ws.conv.ofA, 'still here') },
      });
      await tab2.seen('message:created:still here');
      await tab2.flush(env!.seq);
      expect(tab2.socket.connected).toBe(true);
    });

    it("closes every socket of a deactivated user, and nobody else's", async () => {
      const ws = await seed();
      const s1 = await session(ws, ws.agentA);
      const [tab1, plain, other] = [
        await online(s1.token),
        await online(ws.agentA.token),
        await online(ws.agentB.token),
      ];
      const gone = [disconnected(tab1), disconnected(plain)];

      await revoke(svc().rt, ws.id, { userId: ws.agentA.id, sessionIds: 'all' }, { deactivate: true });

      expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
      for (const token of [s1.token, ws.agentA.token]) {
        expect((await connectError(svc().url, { token })).data).toMatchObject({ code: 'session_ended' });
      }
      const ready = other.events.find((e) => e.event === 'ready')!.payload as { seq: number };
      await other.flush(ready.seq);
      expect(other.socket.connected).toBe(true);
    });

    it('closes a recovered connection whose session ended while it was away', async () => {
      const ws = await seed();
      const s1 = await session(ws, ws.agentA);
      const c = new TestClient(svc().url, { token: s1.token }, { reconnection: true });
      clients.push(c);
      await c.ready();
      // Ended while the network is down: the bus message finds no socket to close.
      await svc()
        .rt.database.db.updateTable('sessions')
        .set({ revoked_at: new Date(), revoked_reason: 'logout' })
        .where('family_id', '=', s1.familyId)
        .execute();
      const outcome = new Promise<string>((resolve) => {
        c.socket.on('disconnect', (reason) => {
          if (reason === 'io server disconnect') resolve('closed');
        });
        c.socket.on('connect_error', (err) => resolve(err.message));
      });
      c.socket.io.engine.close();
      // Embedded, Socket.IO restores the session and skips the handshake: the gateway checks
      // the session itself and closes it. Otherwise the handshake refuses it.
      expect(['closed', 'unauthorized']).toContain(await outcome);
      if (svc().rt.bus.kind === 'memory') expect(await outcome).toBe('closed');
      expect(c.events.filter((e) => e.event === 'ready')).toHaveLength(1);
    });

    it('ignores a revocation of another workspace or another session', async () => {
      const ws = await seed();
      const s1 = await session(ws, ws.agentA);
      const tab = await online(s1.token);
      await publishRealtime(svc().rt, {
        type: 'session:revoked',
        workspaceId: randomUUID(),
        payload: { userId: ws.agentA.id, sessionIds: 'all' },
      });
      await publishRealtime(svc().rt, {
        type: 'session:revoked',
        workspaceId: ws.id,
        payload: { userId: ws.agentA.id, sessionIds: [randomUUID()] },
      });
      // A message published after them arrives: they went by without closing the socket.
      const env = await publishRealtime(svc().rt, {
        type: 'message:created',
        workspaceId: ws.id,
        payload: { conversationId: ws.conv.ofA, message: message(ws.conv.ofA, 'after') },
      });
      await tab.seen('message:created:after');
      await tab.flush(env!.seq);
      expect(tab.socket.connected).toBe(true);
    });
  },
);

// Scaled: the CRM's revocation, published from its own process, closes the session's sockets
// on every gateway.
describe.skipIf(!realDriversAvailable)('gateway: ended sessions on two processes [postgres+redis]', () => {
  let te: TestEnv;
  let gw1: RunningService & { cleanup(): Promise<void> };
  let gw2: RunningService & { cleanup(): Promise<void> };
  let crm: Runtime;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    te = await createTestEnv('postgres+redis');
    gw1 = await startTestService('postgres+redis', (rt) => buildGateway(rt), {}, te);
    gw2 = await startTestService('postgres+redis', (rt) => buildGateway(rt), {}, te);
    crm = await createRuntime(te.config, {
      ...te.runtimeOptions,
      migrate: false,
      logger: createLogger({ level: 'silent' }),
    });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await crm?.close();
    await gw1?.cleanup();
    await gw2?.cleanup();
    await te?.cleanup();
  });

  it('closes the session on both gateways and keeps the other session', async () => {
    const ws = await seedWorkspace(crm.database.db, te.config.jwtSecret);
    const [s1, s2] = [
      await openSession(crm.database.db, te.config.jwtSecret, ws.id, ws.agentA),
      await openSession(crm.database.db, te.config.jwtSecret, ws.id, ws.agentA),
    ];
    const online = async (gw: RunningService, token: string) => {
      const c = new TestClient(gw.url, { token });
      clients.push(c);
      await c.ready();
      return c;
    };
    const [on1, on2, kept] = [await online(gw1, s1.token), await online(gw2, s1.token), await online(gw2, s2.token)];
    const gone = [disconnected(on1), disconnected(on2)];

    await revoke(crm, ws.id, { userId: ws.agentA.id, sessionIds: [s1.familyId] }, { sessions: [s1.familyId] });

    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    for (const gw of [gw1, gw2]) {
      expect((await connectError(gw.url, { token: s1.token })).data).toMatchObject({ code: 'session_ended' });
    }
    const ready = kept.events.find((e) => e.event === 'ready')!.payload as { seq: number };
    await kept.flush(ready.seq);
    expect(kept.socket.connected).toBe(true);
  });
});
