import { expect, it } from 'vitest';
import { describeDrivers, startTestService } from '@hub/shared/testing';
import { buildCrm } from '../src/crm.app';

// First run from the browser: GET/POST /api/v1/setup while no user exists.

describeDrivers(
  'setup',
  (set) => startTestService(set, buildCrm),
  (svc, set) => {
    const post = (body: unknown) =>
      fetch(`${svc().url}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const admin = { workspaceName: 'Acme', name: 'Ana', email: 'Ana@Example.com', password: 'correct horse' };

    it('says setup is needed while no user exists', async () => {
      const res = await fetch(`${svc().url}/api/v1/setup`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ needed: true });
    });

    it('names each bad field and creates nothing', async () => {
      const res = await post({ workspaceName: '', name: 'Ana', email: 'not-an-email', password: 'short' });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; details: { field: string }[] } };
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details.map((d) => d.field).sort()).toEqual(['email', 'password', 'workspaceName']);
      expect(await (await fetch(`${svc().url}/api/v1/setup`)).json()).toEqual({ needed: true });
    });

    it('creates the workspace and its admin and answers like login (201)', async () => {
      const res = await post(admin);
      expect(res.status).toBe(201);
      const body = (await res.json()) as { accessToken: string; refreshToken: string; user: Record<string, string> };
      expect(body.refreshToken).toBeTruthy();
      expect(body.user).toMatchObject({ email: 'ana@example.com', name: 'Ana', role: 'admin' });
      const me = await fetch(`${svc().url}/api/v1/auth/me`, {
        headers: { authorization: `Bearer ${body.accessToken}` },
      });
      expect(await me.json()).toMatchObject({ email: 'ana@example.com', workspaceId: body.user.workspaceId });
      const login = await fetch(`${svc().url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ana@example.com', password: 'correct horse' }),
      });
      expect(login.status).toBe(200);
    });

    it('is closed for good once a user exists (409), even for another email', async () => {
      expect(await (await fetch(`${svc().url}/api/v1/setup`)).json()).toEqual({ needed: false });
      const res = await post({ ...admin, email: 'mallory@example.com', workspaceName: 'Evil' });
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({
        error: { code: 'setup_done', message: 'setup is already done: sign in instead' },
      });
    });

    it('lets only one of two simultaneous setups through', async () => {
      // A fresh service: two browsers racing through the setup page.
      const fresh = await startTestService(set, buildCrm);
      try {
        const send = (email: string) =>
          fetch(`${fresh.url}/api/v1/setup`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ ...admin, email }),
          });
        const statuses = (await Promise.all([send('a@example.com'), send('b@example.com')])).map((r) => r.status);
        expect(statuses.sort()).toEqual([201, 409]);
      } finally {
        await fresh.cleanup();
      }
    });
  },
);
