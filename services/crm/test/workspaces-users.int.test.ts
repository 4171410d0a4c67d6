import { describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { addUser, call, login, PASSWORD, signUp, startCrm, uniq } from './crm-test-client';

describeDrivers(
  'workspaces and users',
  (set) => startCrm(set),
  (svc) => {
    describe('sign-up', () => {
      it('creates a workspace and its admin and answers like login', async () => {
        const email = `${uniq('founder')}@example.com`;
        const res = await call(svc(), 'POST', '/api/v1/workspaces', {
          body: { workspaceName: 'Founders', name: 'Founder', email, password: PASSWORD },
        });
        expect(res.status).toBe(201);
        expect(res.body).toEqual({
          accessToken: expect.any(String),
          refreshToken: expect.any(String),
          user: { id: expect.any(String), email, name: 'Founder', role: 'admin', workspaceId: expect.any(String) },
        });
        const ws = await call(svc(), 'GET', '/api/v1/workspace', { token: res.body.accessToken });
        expect(ws.body).toMatchObject({ id: res.body.user.workspaceId, name: 'Founders' });
      });

      it('refuses a taken email with 409 naming email, and bad input naming each field', async () => {
        const s = await signUp(svc());
        const dup = await call(svc(), 'POST', '/api/v1/workspaces', {
          body: { workspaceName: 'Again', name: 'X', email: s.user.email.toUpperCase(), password: PASSWORD },
        });
        expect(dup.status).toBe(409);
        expect(dup.body.error).toMatchObject({ code: 'email_taken', details: [{ field: 'email' }] });
        const bad = await call(svc(), 'POST', '/api/v1/workspaces', { body: { email: 'x', password: 'short' } });
        expect(bad.status).toBe(400);
        expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
          'email',
          'name',
          'password',
          'workspaceName',
        ]);
      });
    });

    describe('workspace settings', () => {
      it('shows defaults, lets admins change name and settings partially, and validates them', async () => {
        const s = await signUp(svc());
        const agent = await addUser(svc(), s, 'agent');
        const got = await call(svc(), 'GET', '/api/v1/workspace', { token: agent.accessToken });
        expect(got.status).toBe(200);
        expect(got.body.settings).toEqual({
          agentsSeeUnassigned: true,
          autoCreateLead: false,
          defaultCountry: null,
          timezone: 'UTC',
          businessHours: [],
          theme: 'light',
          logoUrl: null,
          primaryColor: null,
        });
        expect(
          (await call(svc(), 'PATCH', '/api/v1/workspace', { token: agent.accessToken, body: { name: 'Mine' } }))
            .status,
        ).toBe(403);
        const patched = await call(svc(), 'PATCH', '/api/v1/workspace', {
          token: s.accessToken,
          body: {
            name: 'Renamed',
            settings: {
              theme: 'dark',
              businessHours: [{ day: 1, open: '09:00', close: '18:00' }],
              defaultCountry: 'ES',
            },
          },
        });
        expect(patched.status).toBe(200);
        expect(patched.body).toMatchObject({
          name: 'Renamed',
          settings: {
            theme: 'dark',
            agentsSeeUnassigned: true,
            defaultCountry: 'ES',
            businessHours: [{ day: 1, open: '09:00', close: '18:00' }],
          },
        });
        // The default country reads local numbers.
        const local = await call(svc(), 'POST', '/api/v1/contacts', {
          token: s.accessToken,
          body: { name: 'Local', phone: '612 345 678' },
        });
        expect(local.body).toMatchObject({ phone: '+34612345678', country: 'ES' });

        const bad = await call(svc(), 'PATCH', '/api/v1/workspace', {
          token: s.accessToken,
          body: {
            settings: { businessHours: [{ day: 9, open: '9am', close: '18:00' }], primaryColor: 'red', nope: true },
          },
        });
        expect(bad.status).toBe(400);
        expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
          'settings.businessHours.0.day',
          'settings.businessHours.0.open',
          'settings.nope',
          'settings.primaryColor',
        ]);
        const audit = await call(svc(), 'GET', `/api/v1/audit?table=workspaces&action=update`, {
          token: s.accessToken,
        });
        expect(audit.body.items[0].before.name).not.toBe('Renamed');
        expect(audit.body.items[0].after.name).toBe('Renamed');
      });
    });

    describe('users', () => {
      it('lets an admin create, list, read and change users', async () => {
        const s = await signUp(svc());
        const email = `${uniq('new')}@Example.com`;
        const created = await call(svc(), 'POST', '/api/v1/users', {
          token: s.accessToken,
          body: { name: 'Newbie', email, password: PASSWORD, role: 'marketer' },
        });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({
          id: expect.any(String),
          email: email.toLowerCase(),
          name: 'Newbie',
          role: 'marketer',
          active: true,
        });
        expect(created.body).not.toHaveProperty('password');
        expect(created.body).not.toHaveProperty('passwordHash');

        const list = await call(svc(), 'GET', '/api/v1/users', { token: s.accessToken });
        expect(list.body.items.map((u: { email: string }) => u.email).sort()).toEqual(
          [s.user.email, email.toLowerCase()].sort(),
        );
        expect(
          (await call(svc(), 'GET', '/api/v1/users?role=marketer', { token: s.accessToken })).body.items,
        ).toHaveLength(1);
        expect((await call(svc(), 'GET', `/api/v1/users?q=newb`, { token: s.accessToken })).body.items).toHaveLength(1);

        const patched = await call(svc(), 'PATCH', `/api/v1/users/${created.body.id}`, {
          token: s.accessToken,
          body: { role: 'manager', name: 'Promoted' },
        });
        expect(patched.body).toMatchObject({ role: 'manager', name: 'Promoted' });
        expect((await login(svc(), email)).body.user.role).toBe('manager');
      });

      it('refuses duplicate emails (across workspaces), bad roles, and non-admins', async () => {
        const s = await signUp(svc());
        const other = await signUp(svc());
        const dup = await call(svc(), 'POST', '/api/v1/users', {
          token: s.accessToken,
          body: { name: 'Dup', email: other.user.email, password: PASSWORD, role: 'agent' },
        });
        expect(dup.status).toBe(409);
        expect(dup.body.error).toMatchObject({ code: 'email_taken', details: [{ field: 'email' }] });
        const badRole = await call(svc(), 'POST', '/api/v1/users', {
          token: s.accessToken,
          body: { name: 'X', email: `${uniq('x')}@example.com`, password: PASSWORD, role: 'god' },
        });
        expect(badRole.status).toBe(400);
        expect(badRole.body.error.details[0].field).toBe('role');
        const sup = await addUser(svc(), s, 'supervisor');
        const bySup = await call(svc(), 'POST', '/api/v1/users', {
          token: sup.accessToken,
          body: { name: 'X', email: `${uniq('x')}@example.com`, password: PASSWORD, role: 'agent' },
        });
        expect(bySup.status).toBe(403);
        expect((await call(svc(), 'GET', '/api/v1/users', { token: sup.accessToken })).status).toBe(200);
      });

      it('deactivates instead of deleting, can reactivate, and keeps the last admin', async () => {
        const s = await signUp(svc());
        const agent = await addUser(svc(), s, 'agent');
        expect((await call(svc(), 'DELETE', `/api/v1/users/${agent.user.id}`, { token: s.accessToken })).status).toBe(
          204,
        );
        const got = await call(svc(), 'GET', `/api/v1/users/${agent.user.id}`, { token: s.accessToken });
        expect(got.body.active).toBe(false);
        expect((await login(svc(), agent.user.email)).status).toBe(401);
        await call(svc(), 'PATCH', `/api/v1/users/${agent.user.id}`, { token: s.accessToken, body: { active: true } });
        expect((await login(svc(), agent.user.email)).status).toBe(200);

        const self = await call(svc(), 'DELETE', `/api/v1/users/${s.user.id}`, { token: s.accessToken });
        expect(self.status).toBe(409);
        const demote = await call(svc(), 'PATCH', `/api/v1/users/${s.user.id}`, {
          token: s.accessToken,
          body: { role: 'agent' },
        });
        expect(demote.status).toBe(409);
        expect(demote.body.error.code).toBe('last_admin');
        const admin2 = await addUser(svc(), s, 'admin');
        const ok = await call(svc(), 'PATCH', `/api/v1/users/${s.user.id}`, {
          token: admin2.accessToken,
          body: { role: 'supervisor' },
        });
        expect(ok.status).toBe(200);
      });
    });
  },
);

describeDrivers(
  'sign-up disabled',
  (set) => startCrm(set, { HUB_ALLOW_SIGNUP: 'false' }),
  (svc) => {
    it('answers 403 when HUB_ALLOW_SIGNUP is not true', async () => {
      const res = await call(svc(), 'POST', '/api/v1/workspaces', {
        body: { workspaceName: 'No', name: 'No', email: `${uniq('no')}@example.com`, password: PASSWORD },
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('signup_disabled');
    });
  },
);
