import { beforeAll, describe, expect, it } from 'vitest';
import { systemScope } from '@hub/shared/auth';
import { describeDrivers } from '@hub/shared/testing';
import { writeAudit } from '../src/audit/audit.repository';
import { call, newPhone, PASSWORD, startCrm, team, uniq, type Team } from './crm-test-client';

describeDrivers(
  'audit log',
  async (set) => Object.assign(await startCrm(set), { t: undefined as Team | undefined }),
  (svc) => {
    beforeAll(async () => {
      svc().t = await team(svc());
    });
    const tok = (role: keyof Team = 'admin') => svc().t![role].accessToken;
    const audit = (qs: string, role: keyof Team = 'admin') =>
      call(svc(), 'GET', `/api/v1/audit${qs}`, { token: tok(role) });

    it('records create, update and delete with the values before and after, the actor and the time', async () => {
      const agent = svc().t!.agent;
      const created = await call(svc(), 'POST', '/api/v1/contacts', {
        token: agent.accessToken,
        body: { name: 'Audited', category: 'low' },
      });
      const id = created.body.id as string;
      await call(svc(), 'PATCH', `/api/v1/contacts/${id}`, {
        token: agent.accessToken,
        body: { category: 'high', name: 'Audited 2' },
      });
      await call(svc(), 'DELETE', `/api/v1/contacts/${id}`, { token: tok('supervisor') });

      const res = await audit(`?table=contacts&recordId=${id}`, 'supervisor');
      expect(res.status).toBe(200);
      const [del, upd, cre] = res.body.items;
      expect(res.body.items).toHaveLength(3);
      expect(cre).toMatchObject({
        table: 'contacts',
        recordId: id,
        action: 'create',
        before: null,
        actorId: agent.user.id,
      });
      expect(cre.after).toMatchObject({ name: 'Audited', category: 'low' });
      expect(upd).toMatchObject({ action: 'update', actorId: agent.user.id });
      expect(upd.before).toMatchObject({ name: 'Audited', category: 'low' });
      expect(upd.after).toMatchObject({ name: 'Audited 2', category: 'high' });
      expect(del).toMatchObject({ action: 'delete', actorId: svc().t!.supervisor.user.id, after: null });
      expect(del.before).toMatchObject({ name: 'Audited 2' });
      for (const r of res.body.items) expect(Date.parse(r.at)).toBeGreaterThan(Date.now() - 60_000);
    });

    it('writes nothing when the change fails (same transaction)', async () => {
      const phone = newPhone();
      await call(svc(), 'POST', '/api/v1/contacts', { token: tok(), body: { name: 'Has phone', phone } });
      const other = await call(svc(), 'POST', '/api/v1/contacts', { token: tok(), body: { name: 'Wants phone' } });
      const conflict = await call(svc(), 'PATCH', `/api/v1/contacts/${other.body.id}`, {
        token: tok(),
        body: { phone },
      });
      expect(conflict.status).toBe(409);
      const rows = await audit(`?table=contacts&recordId=${other.body.id}`);
      expect(rows.body.items.map((r: { action: string }) => r.action)).toEqual(['create']);
    });

    it('refuses to write an audit row outside a transaction', async () => {
      const scope = systemScope(svc().rt.database.db, svc().t!.admin.user.workspaceId);
      await expect(writeAudit(scope, { table: 'x', recordId: 'y', action: 'create' })).rejects.toThrow(
        /outside a transaction/,
      );
    });

    it('never stores secrets: a created user is audited without its password', async () => {
      const email = `${uniq('audited')}@example.com`;
      const user = await call(svc(), 'POST', '/api/v1/users', {
        token: tok(),
        body: { name: 'Secretive', email, password: PASSWORD, role: 'agent' },
      });
      const rows = await audit(`?table=users&recordId=${user.body.id}`);
      expect(rows.body.items[0].after).toMatchObject({ email, role: 'agent' });
      const text = JSON.stringify(rows.body);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toMatch(/password_hash|\$2[aby]\$/);
    });

    it('filters by actor and action and pages with a cursor', async () => {
      const t = await team(svc());
      const token = t.marketer.accessToken;
      for (let i = 0; i < 5; i++) await call(svc(), 'POST', '/api/v1/contacts', { token, body: { name: `M${i}` } });
      const mine = await call(svc(), 'GET', `/api/v1/audit?actorId=${t.marketer.user.id}&limit=2`, {
        token: t.admin.accessToken,
      });
      expect(mine.body.items).toHaveLength(2);
      expect(mine.body.items[0].after.name).toBe('M4');
      const next = await call(
        svc(),
        'GET',
        `/api/v1/audit?actorId=${t.marketer.user.id}&limit=2&cursor=${mine.body.nextCursor}`,
        {
          token: t.admin.accessToken,
        },
      );
      expect(next.body.items.map((r: { after: { name: string } }) => r.after.name)).toEqual(['M2', 'M1']);
      const creates = await call(svc(), 'GET', '/api/v1/audit?table=users&action=create&limit=200', {
        token: t.admin.accessToken,
      });
      // The owner (at sign-up) and the four colleagues.
      expect(creates.body.items).toHaveLength(5);
    });

    describe('access', () => {
      it('is for admins and supervisors only', async () => {
        for (const role of ['agent', 'marketer', 'manager'] as const) expect((await audit('', role)).status).toBe(403);
        expect((await audit('', 'supervisor')).status).toBe(200);
        const bad = await audit('?actorId=nope');
        expect(bad.status).toBe(400);
        expect(bad.body.error.details[0].field).toBe('actorId');
      });
    });
  },
);
