import { afterEach, expect, it } from 'vitest';
import { describeDrivers, startTestService } from '@hub/shared/testing';
import { connectError, TestClient } from '../../gateway/test/gateway.helpers';
import { addUser, call, login, PASSWORD, signUp, type Session } from '../../crm/test/crm-test-client';
import { buildHub } from '../src/hub.app';

// Ending a session through the REST API closes its live sockets at once (the CRM announces it
// on the bus, the gateway closes them); the same access token cannot connect again.

describeDrivers(
  'hub: ended sessions close their sockets',
  (set) => startTestService(set, buildHub, { HUB_ALLOW_SIGNUP: 'true' }),
  (hub) => {
    const clients: TestClient[] = [];
    afterEach(() => {
      for (const c of clients.splice(0)) c.close();
    });
    const online = async (s: Session) => {
      const c = new TestClient(hub().url, { token: s.accessToken });
      clients.push(c);
      await c.ready();
      return c;
    };
    const disconnected = (c: TestClient) =>
      new Promise<string>((resolve) => c.socket.once('disconnect', (reason) => resolve(reason)));
    /** A round trip on the socket: the gateway still serves it. */
    const alive = async (c: TestClient) => {
      const ready = c.events.find((e) => e.event === 'ready')!.payload as { seq: number };
      await c.flush(ready.seq);
      return c.socket.connected;
    };
    /** The agent signed in on a second device. */
    const secondSession = async (s: Session) => {
      const res = await login(hub(), s.user.email, PASSWORD);
      expect(res.status).toBe(200);
      return res.body;
    };

    it("sign-out closes that session's socket and refuses its token; the other session stays", async () => {
      const admin = await signUp(hub());
      const laptop = await addUser(hub(), admin, 'agent');
      const phone = await secondSession(laptop);
      const [onLaptop, onPhone] = [await online(laptop), await online(phone)];
      const gone = disconnected(onLaptop);

      const out = await call(hub(), 'POST', '/api/v1/auth/logout', {
        token: laptop.accessToken,
        body: { refreshToken: laptop.refreshToken },
      });
      expect(out.status).toBe(204);

      expect(await gone).toBe('io server disconnect');
      const err = await connectError(hub().url, { token: laptop.accessToken });
      expect(err.message).toBe('unauthorized');
      expect(err.data).toMatchObject({ code: 'session_ended' });
      expect(await alive(onPhone)).toBe(true);
    });

    it('a reused refresh token ends its session and closes its socket', async () => {
      const admin = await signUp(hub());
      const agent = await addUser(hub(), admin, 'agent');
      const other = await secondSession(agent);
      const [socket, kept] = [await online(agent), await online(other)];
      const gone = disconnected(socket);
      const first = await call(hub(), 'POST', '/api/v1/auth/refresh', { body: { refreshToken: agent.refreshToken } });
      expect(first.status).toBe(200);
      // Past the grace window for racing tabs, the old token again means a stolen copy.
      const clock = hub().rt.clock;
      hub().rt.clock = () => new Date(clock().getTime() + 60_000);
      try {
        const reuse = await call(hub(), 'POST', '/api/v1/auth/refresh', {
          body: { refreshToken: agent.refreshToken },
        });
        expect(reuse.body.error.code).toBe('refresh_token_reused');
      } finally {
        hub().rt.clock = clock;
      }
      expect(await gone).toBe('io server disconnect');
      expect(await alive(kept)).toBe(true);
    });

    it("a password change closes the user's other sessions, not this one", async () => {
      const admin = await signUp(hub());
      const here = await addUser(hub(), admin, 'agent');
      const elsewhere = await secondSession(here);
      const [mine, theirs] = [await online(here), await online(elsewhere)];
      const gone = disconnected(theirs);
      const res = await call(hub(), 'POST', '/api/v1/auth/password', {
        token: here.accessToken,
        body: { oldPassword: PASSWORD, newPassword: 'another good password' },
      });
      expect(res.status).toBe(204);
      expect(await gone).toBe('io server disconnect');
      expect(await alive(mine)).toBe(true);
    });

    it("deactivating a user closes all their sockets and no one else's", async () => {
      const admin = await signUp(hub());
      const agent = await addUser(hub(), admin, 'agent');
      const phone = await secondSession(agent);
      const [a1, a2, adminSocket] = [await online(agent), await online(phone), await online(admin)];
      const gone = [disconnected(a1), disconnected(a2)];

      const res = await call(hub(), 'PATCH', `/api/v1/users/${agent.user.id}`, {
        token: admin.accessToken,
        body: { active: false },
      });
      expect(res.status).toBe(200);

      expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
      for (const s of [agent, phone]) {
        expect((await connectError(hub().url, { token: s.accessToken })).data).toMatchObject({
          code: 'session_ended',
        });
      }
      expect(await alive(adminSocket)).toBe(true);
    });

    it('an admin password reset closes all the user’s sockets', async () => {
      const admin = await signUp(hub());
      const agent = await addUser(hub(), admin, 'agent');
      const socket = await online(agent);
      const gone = disconnected(socket);
      const res = await call(hub(), 'POST', `/api/v1/users/${agent.user.id}/password`, {
        token: admin.accessToken,
        body: { password: 'a brand new password' },
      });
      expect(res.status).toBe(204);
      expect(await gone).toBe('io server disconnect');
    });
  },
);
