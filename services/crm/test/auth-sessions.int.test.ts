import { afterEach, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { sessionPolicy } from '../src/auth/session.service';
import {
  addUser,
  call,
  login,
  manualClock,
  PASSWORD,
  shiftClock,
  signUp,
  startCrm,
  uniq,
  type Session,
} from './crm-test-client';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describeDrivers(
  'auth sessions',
  (set) => startCrm(set),
  (svc) => {
    let restore: (() => void) | undefined;
    afterEach(() => {
      restore?.();
      restore = undefined;
    });
    const refresh = (refreshToken: string) =>
      call<Session>(svc(), 'POST', '/api/v1/auth/refresh', { body: { refreshToken } });
    const me = (token: string) => call(svc(), 'GET', '/api/v1/auth/me', { token });
    /** The session family an access token belongs to (its `sid` claim). */
    const familyOf = (accessToken: string): string =>
      JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()).sid;
    const liveFamilies = async (userId: string): Promise<string[]> => {
      const rows = await svc()
        .rt.database.db.selectFrom('sessions')
        .select('family_id')
        .distinct()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
      return rows.map((r) => r.family_id);
    };

    describe('login', () => {
      it('returns an access token, a refresh token and the user', async () => {
        const owner = await signUp(svc());
        const res = await login(svc(), owner.user.email);
        expect(res.status).toBe(200);
        expect(res.body.refreshToken).toMatch(/^rt_/);
        expect(res.body.refreshToken).not.toBe(res.body.accessToken);
        expect(res.body.user).toEqual({
          id: owner.user.id,
          email: owner.user.email,
          name: 'Owner',
          role: 'admin',
          workspaceId: owner.user.workspaceId,
        });
        expect((await me(res.body.accessToken)).body).toMatchObject({ id: owner.user.id, role: 'admin' });
      });

      it('is case-insensitive on the email', async () => {
        const owner = await signUp(svc());
        expect((await login(svc(), owner.user.email.toUpperCase())).status).toBe(200);
      });
    });

    describe('refresh', () => {
      it('rotates: the new pair works and the old refresh token does not', async () => {
        const s = await signUp(svc());
        const first = await refresh(s.refreshToken);
        expect(first.status).toBe(200);
        expect(first.body.refreshToken).not.toBe(s.refreshToken);
        expect((await me(first.body.accessToken)).status).toBe(200);
        const second = await refresh(first.body.refreshToken);
        expect(second.status).toBe(200);
      });

      it('treats reuse of a rotated token past the grace window as theft and ends the whole session', async () => {
        const s = await signUp(svc());
        const clock = manualClock(svc());
        restore = clock.restore;
        const next = (await refresh(s.refreshToken)).body;
        clock.advance(sessionPolicy.reuseGraceMs);
        const replay = await refresh(s.refreshToken);
        expect(replay.status).toBe(401);
        expect(replay.body.error.code).toBe('refresh_token_reused');
        // The legitimate holder's newer tokens are dead too.
        const after = await refresh(next.refreshToken);
        expect(after.status).toBe(401);
        expect(after.body.error.code).toBe('session_revoked');
        expect((await me(next.accessToken)).status).toBe(401);
        expect(await liveFamilies(s.user.id)).toEqual([]);
      });

      it('lets two tabs refresh with one token at the same moment, in one live session', async () => {
        const s = await signUp(svc());
        const [a, b] = await Promise.all([refresh(s.refreshToken), refresh(s.refreshToken)]);
        expect([a.status, b.status]).toEqual([200, 200]);
        expect(a.body.refreshToken).not.toBe(b.body.refreshToken);
        expect((await me(a.body.accessToken)).status).toBe(200);
        expect((await me(b.body.accessToken)).status).toBe(200);
        expect(await liveFamilies(s.user.id)).toEqual([familyOf(s.accessToken)]);
        // Each tab goes on rotating its own token.
        expect((await refresh(a.body.refreshToken)).status).toBe(200);
        expect((await refresh(b.body.refreshToken)).status).toBe(200);
        expect(await liveFamilies(s.user.id)).toEqual([familyOf(s.accessToken)]);
      });

      it('answers a late tab inside the grace window, then revokes once it has passed', async () => {
        const s = await signUp(svc());
        const clock = manualClock(svc());
        restore = clock.restore;
        expect((await refresh(s.refreshToken)).status).toBe(200);
        clock.advance(sessionPolicy.reuseGraceMs - 1_000);
        const late = await refresh(s.refreshToken);
        expect(late.status).toBe(200);
        expect(familyOf(late.body.accessToken)).toBe(familyOf(s.accessToken));
        // The window runs from the first rotation; a grace answer does not extend it.
        clock.advance(1_000);
        const replay = await refresh(s.refreshToken);
        expect(replay.status).toBe(401);
        expect(replay.body.error.code).toBe('refresh_token_reused');
        expect((await me(late.body.accessToken)).status).toBe(401);
      });

      it('refuses an unknown token', async () => {
        const res = await refresh('rt_nope');
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: { code: 'invalid_refresh_token', message: 'invalid refresh token' } });
      });

      it('names the missing field', async () => {
        const res = await call(svc(), 'POST', '/api/v1/auth/refresh', { body: {} });
        expect(res.status).toBe(400);
        expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['refreshToken']);
      });

      it('ends a session idle for more than 24 h', async () => {
        const s = await signUp(svc());
        restore = shiftClock(svc(), 23 * HOUR);
        const stillAlive = await refresh(s.refreshToken);
        expect(stillAlive.status).toBe(200);
        restore();
        restore = shiftClock(svc(), 23 * HOUR + 24 * HOUR + MINUTE);
        const idle = await refresh(stillAlive.body.refreshToken);
        expect(idle.status).toBe(401);
        expect(idle.body.error.code).toBe('session_expired');
      });

      it('refuses a deactivated user and ends the session at once', async () => {
        const admin = await signUp(svc());
        const agent = await addUser(svc(), admin, 'agent');
        expect(
          (await call(svc(), 'DELETE', `/api/v1/users/${agent.user.id}`, { token: admin.accessToken })).status,
        ).toBe(204);
        expect((await me(agent.accessToken)).status).toBe(401);
        const res = await refresh(agent.refreshToken);
        expect(res.status).toBe(401);
        expect(['user_inactive', 'session_revoked']).toContain(res.body.error.code);
        const again = await login(svc(), agent.user.email);
        expect(again.status).toBe(401);
        expect(again.body.error.code).toBe('account_disabled');
      });
    });

    describe('access token', () => {
      it('expires after 15 minutes, and refresh gives a working one', async () => {
        const s = await signUp(svc());
        restore = shiftClock(svc(), 14 * MINUTE);
        expect((await me(s.accessToken)).status).toBe(200);
        restore();
        restore = shiftClock(svc(), 16 * MINUTE);
        const expired = await me(s.accessToken);
        expect(expired.status).toBe(401);
        expect(expired.body.error.code).toBe('token_expired');
        const renewed = await refresh(s.refreshToken);
        expect(renewed.status).toBe(200);
        expect((await me(renewed.body.accessToken)).status).toBe(200);
      });

      it('takes the role from the user row, so a role change applies at once', async () => {
        const admin = await signUp(svc());
        const sup = await addUser(svc(), admin, 'supervisor');
        expect((await call(svc(), 'GET', '/api/v1/audit', { token: sup.accessToken })).status).toBe(200);
        await call(svc(), 'PATCH', `/api/v1/users/${sup.user.id}`, {
          token: admin.accessToken,
          body: { role: 'agent' },
        });
        expect((await call(svc(), 'GET', '/api/v1/audit', { token: sup.accessToken })).status).toBe(403);
      });
    });

    describe('logout', () => {
      it('revokes the session of the refresh token and its access tokens', async () => {
        const s = await signUp(svc());
        const out = await call(svc(), 'POST', '/api/v1/auth/logout', { body: { refreshToken: s.refreshToken } });
        expect(out.status).toBe(204);
        expect((await refresh(s.refreshToken)).body.error.code).toBe('session_revoked');
        expect((await me(s.accessToken)).status).toBe(401);
      });

      it('with only the bearer token ends that session, not the user’s others', async () => {
        const s = await signUp(svc());
        const other = (await login(svc(), s.user.email)).body;
        expect((await call(svc(), 'POST', '/api/v1/auth/logout', { token: s.accessToken, body: {} })).status).toBe(204);
        expect((await refresh(s.refreshToken)).status).toBe(401);
        expect((await me(other.accessToken)).status).toBe(200);
      });

      it('asks for something to log out', async () => {
        const res = await call(svc(), 'POST', '/api/v1/auth/logout', { body: {} });
        expect(res.status).toBe(400);
        expect(res.body.error.details[0].field).toBe('refreshToken');
      });
    });

    describe('passwords', () => {
      it('changes my password with the old one and ends my other sessions', async () => {
        const s = await signUp(svc());
        const other = (await login(svc(), s.user.email)).body;
        const wrong = await call(svc(), 'POST', '/api/v1/auth/password', {
          token: s.accessToken,
          body: { oldPassword: 'nope', newPassword: 'a brand new one' },
        });
        expect(wrong.status).toBe(400);
        expect(wrong.body.error.details[0].field).toBe('oldPassword');
        const short = await call(svc(), 'POST', '/api/v1/auth/password', {
          token: s.accessToken,
          body: { oldPassword: PASSWORD, newPassword: 'short' },
        });
        expect(short.status).toBe(400);
        expect(short.body.error.details[0].field).toBe('newPassword');
        const ok = await call(svc(), 'POST', '/api/v1/auth/password', {
          token: s.accessToken,
          body: { oldPassword: PASSWORD, newPassword: 'a brand new one' },
        });
        expect(ok.status).toBe(204);
        expect((await me(s.accessToken)).status).toBe(200);
        expect((await refresh(other.refreshToken)).status).toBe(401);
        expect((await login(svc(), s.user.email)).status).toBe(401);
        expect((await login(svc(), s.user.email, 'a brand new one')).status).toBe(200);
      });

      it('lets an admin reset a user’s password, signing them out', async () => {
        const admin = await signUp(svc());
        const agent = await addUser(svc(), admin, 'agent');
        const res = await call(svc(), 'POST', `/api/v1/users/${agent.user.id}/password`, {
          token: admin.accessToken,
          body: { password: 'reset by admin' },
        });
        expect(res.status).toBe(204);
        expect((await me(agent.accessToken)).status).toBe(401);
        expect((await login(svc(), agent.user.email, 'reset by admin')).status).toBe(200);
        const byAgent = await call(svc(), 'POST', `/api/v1/users/${admin.user.id}/password`, {
          token: (await login(svc(), agent.user.email, 'reset by admin')).body.accessToken,
          body: { password: 'takeover attempt' },
        });
        expect(byAgent.status).toBe(403);
      });
    });

    describe('login throttling', () => {
      it('blocks an account after 10 failures in 15 minutes with 429, then lets it in again', async () => {
        const s = await signUp(svc());
        const ip = { 'x-forwarded-for': `10.1.${Math.floor(Math.random() * 250)}.1` };
        for (let i = 0; i < 10; i++) expect((await login(svc(), s.user.email, 'wrong', ip)).status).toBe(401);
        const blocked = await login(svc(), s.user.email, PASSWORD, ip);
        expect(blocked.status).toBe(429);
        expect(blocked.body.error.code).toBe('too_many_login_attempts');
        expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
        // Another address does not help: the account is what is guessed.
        expect((await login(svc(), s.user.email, PASSWORD, { 'x-forwarded-for': '10.9.9.9' })).status).toBe(429);
        restore = shiftClock(svc(), 16 * MINUTE);
        expect((await login(svc(), s.user.email, PASSWORD, ip)).status).toBe(200);
      });

      it('blocks an address spraying many accounts', async () => {
        const ip = { 'x-forwarded-for': `10.2.${Math.floor(Math.random() * 250)}.7` };
        for (let i = 0; i < 50; i++) {
          expect((await login(svc(), `${uniq('nobody')}@example.com`, 'guess', ip)).status).toBe(401);
        }
        const s = await signUp(svc());
        expect((await login(svc(), s.user.email, PASSWORD, ip)).status).toBe(429);
        expect((await login(svc(), s.user.email, PASSWORD, { 'x-forwarded-for': '10.3.3.3' })).status).toBe(200);
      });
    });
  },
);
