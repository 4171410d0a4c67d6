import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { seedWorkspace } from '../src/seed/seed';
import { call, login, signUp, startCrm, type Crm } from './crm-test-client';

// The seed command's core: one call fills a workspace with consistent demo data across
// everything, through the same services as the API; a second call leaves it alone.

describeDrivers(
  'seed',
  (set) => startCrm(set),
  (svc) => {
    it('fills a workspace with demo data across every area, and only once', async () => {
      const s = svc() as Crm;
      const owner = await signUp(s);
      const ws = owner.user.workspaceId;
      // A channel, so the seed also builds conversations (it never invents channels itself).
      await s.rt.database.db
        .insertInto('channels')
        .values({
          workspace_id: ws,
          type: 'whatsapp',
          name: 'WhatsApp demo',
          credentials: 'x',
          external_id: `pn-${randomUUID()}`,
        })
        .execute();
      const summary = await seedWorkspace(s.rt.database.db, { workspaceId: ws, password: 'demo-password-1' });
      expect(summary).toMatchObject({
        skipped: false,
        services: 7,
        campaigns: 4,
        contacts: 18,
        leads: 14,
        quotes: 9,
        contracts: 4,
        invoices: 4,
        payments: 4,
        consultations: 5,
      });
      expect(summary.conversations).toBeGreaterThan(5);
      expect(
        summary.users
          .filter((u) => u.created)
          .map((u) => u.role)
          .sort(),
      ).toEqual(['agent', 'manager', 'marketer', 'supervisor']);

      const manager = await login(s, summary.users.find((u) => u.role === 'manager')!.email, 'demo-password-1');
      expect(manager.status).toBe(200);
      const token = manager.body.accessToken;
      const get = async (path: string) => {
        const res = await call(s, 'GET', `/api/v1${path}`, { token });
        expect(res.status, path).toBe(200);
        return res.body;
      };
      const invoices = (await get('/invoices')).items as { status: string; overdue: boolean }[];
      expect(invoices.map((i) => i.status).sort()).toEqual(['paid', 'paid', 'partially_paid', 'pending']);
      expect(invoices.some((i) => i.overdue)).toBe(true);
      const payments = (await get('/payments')).items as { kind: string }[];
      expect(payments.map((p) => p.kind).sort()).toEqual(['partial', 'partial', 'total', 'total']);
      const contracts = (await get('/contracts')).items as { status: string; version: number }[];
      expect(contracts.filter((c) => c.status === 'signed').every((c) => c.version === 1)).toBe(true);
      const quotes = (await get('/quotes?limit=200')).items as { status: string }[];
      expect(new Set(quotes.map((q) => q.status))).toEqual(new Set(['draft', 'sent', 'accepted', 'rejected']));
      const stats = (await get('/campaigns/stats')).items as {
        name: string;
        leads: number;
        revenue: number;
        contracts: number;
      }[];
      const ctwa = stats.find((c) => c.name.startsWith('Verano'))!;
      expect(ctwa.leads).toBe(4);
      expect(ctwa.contracts).toBe(1);
      expect(ctwa.revenue).toBeGreaterThan(0);
      const consultations = (await get('/consultations')).items as { status: string }[];
      expect(consultations.map((c) => c.status).sort()).toEqual([
        'pending',
        'pending',
        'pending',
        'resolved',
        'resolved',
      ]);
      const contacts = (await get('/contacts?limit=200')).items as { name: string; status: string }[];
      expect(contacts.map((c) => c.name)).toEqual(
        expect.arrayContaining(['Иван Петров', 'Íñigo Etxeberria', 'ООО «Северный ветер»']),
      );
      expect(contacts.filter((c) => c.status === 'active')).toHaveLength(4);
      const leads = (await get('/leads?limit=200')).items as { stageId: string | null }[];
      expect(new Set(leads.map((l) => l.stageId)).size).toBeGreaterThan(3);
      const conversations = await s.rt.database.db
        .selectFrom('conversations')
        .select('id')
        .where('workspace_id', '=', ws)
        .execute();
      expect(conversations.length).toBe(summary.conversations);

      const again = await seedWorkspace(s.rt.database.db, { workspaceId: ws, password: 'demo-password-1' });
      expect(again.skipped).toBe(true);
      expect((await get('/services')).items).toHaveLength(7);
    });
  },
);
