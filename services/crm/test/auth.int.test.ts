import { expect, it } from 'vitest';
import { describeDrivers, startTestService } from '@hub/shared/testing';
import { buildCrm } from '../src/crm.app';

describeDrivers(
  'auth',
  (set) =>
    startTestService(set, buildCrm, {
      HUB_BOOTSTRAP_EMAIL: 'boss@example.com',
      HUB_BOOTSTRAP_PASSWORD: 'correct horse',
      HUB_BOOTSTRAP_WORKSPACE: 'Acme',
    }),
  (svc) => {
    const post = (path: string, body: unknown) =>
      fetch(`${svc().url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('logs in the bootstrap admin and returns the contract body', async () => {
      const res = await post('/api/v1/auth/login', { email: 'boss@example.com', password: 'correct horse' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { accessToken: string; refreshToken: string; user: Record<string, string> };
      expect(body.accessToken).toBeTruthy();
      expect(body.refreshToken).toBeTruthy();
      expect(body.user).toMatchObject({ email: 'boss@example.com', role: 'admin', name: 'Admin' });
      const me = await fetch(`${svc().url}/api/v1/auth/me`, {
        headers: { authorization: `Bearer ${body.accessToken}` },
      });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ email: 'boss@example.com', workspaceId: body.user.workspaceId });
    });

    it('refuses wrong credentials with 401 and the error shape', async () => {
      const res = await post('/api/v1/auth/login', { email: 'boss@example.com', password: 'nope' });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: 'invalid_credentials', message: 'wrong email or password' } });
    });

    it('names the missing field on a bad body', async () => {
      const res = await post('/api/v1/auth/login', { email: 'boss@example.com' });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; details: { field: string }[] } };
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details.map((d) => d.field)).toEqual(['password']);
    });

    it('answers 401 without a token and with a bad one', async () => {
      expect((await fetch(`${svc().url}/api/v1/auth/me`)).status).toBe(401);
      const bad = await fetch(`${svc().url}/api/v1/auth/me`, { headers: { authorization: 'Bearer x.y.z' } });
      expect(bad.status).toBe(401);
    });
  },
);
