import { beforeAll, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { attributeLeadToCampaign } from '../src/campaigns/campaign.attribution';
import { call, startCrm, team, type Crm, type Team } from './crm-test-client';
import {
  acceptedQuote,
  createContact,
  createInvoice,
  createLead,
  expectStatus,
  insertConversation,
  pay,
} from './money-fixtures';

// Campaigns: figures from the ad to the paid invoice on a hand-computed data set, attribution
// of leads from ad referrals and tagged links, and the consultations view.

describeDrivers(
  'campaigns',
  async (set) => Object.assign(await startCrm(set), { team: undefined as Team | undefined }),
  (svc) => {
    const t = () => svc().team!;
    beforeAll(async () => {
      svc().team = await team(svc());
    });

    const newCampaign = async (s: Crm, body: Record<string, unknown>) => {
      const res = await call(s, 'POST', '/api/v1/campaigns', {
        token: t().marketer.accessToken,
        body: { channel: 'whatsapp', currency: 'EUR', ...body },
      });
      expectStatus(res, 201);
      return res.body as { id: string };
    };

    it('computes leads, conversions, contracts, revenue, cost per lead and ROI (hand-computed)', async () => {
      const s = svc() as Crm;
      const fresh = await team(s); // its own workspace: the list below holds exactly these campaigns
      const { admin, manager, marketer } = fresh;
      const mk = async (body: Record<string, unknown>) => {
        const res = await call(s, 'POST', '/api/v1/campaigns', {
          token: marketer.accessToken,
          body: { channel: 'whatsapp', currency: 'EUR', ...body },
        });
        expectStatus(res, 201);
        return res.body.id as string;
      };
      const a = await mk({ name: 'Verano CTWA', budget: 50_000, source: 'Meta Ads', adIds: ['ad-1'] });
      const b = await mk({ name: 'Google Search', channel: 'google', budget: 30_000 });
      const c = await mk({ name: 'Folletos', channel: 'other', budget: 10_001 });
      await mk({ name: 'Orgánico', channel: 'web', budget: 0 }); // no leads at all

      const leadIn = async (campaignId: string | null, name: string) => {
        const contact = await createContact(s, admin, { name });
        return createLead(s, admin, contact.id, campaignId ? { campaignId } : {});
      };
      // Campaign A: four live leads (+ one deleted, which does not count).
      const a1 = await leadIn(a, 'Álvaro Gómez');
      const a2 = await leadIn(a, 'Беатрис Кузнецова');
      await leadIn(a, 'Carlos Ruiz');
      const a4 = await leadIn(a, 'Diana Prieto');
      const gone = await leadIn(a, 'Eliminado');
      expect((await call(s, 'DELETE', `/api/v1/leads/${gone.id}`, { token: admin.accessToken })).status).toBe(204);
      // a1: 1,000.00 + 21 % = 1,210.00; signed contract; invoiced and paid in two parts.
      const q1 = await acceptedQuote(s, manager, {
        leadId: a1.id,
        currency: 'EUR',
        lines: [{ description: 'Web', quantity: 1, unitPrice: 100_000, taxRateBp: 2100 }],
      });
      const k1 = (await call(s, 'POST', '/api/v1/contracts', { token: manager.accessToken, body: { quoteId: q1.id } }))
        .body;
      expectStatus(
        await call(s, 'POST', `/api/v1/contracts/${k1.id}/sign`, { token: manager.accessToken, body: {} }),
        200,
      );
      const i1 = await createInvoice(s, manager, { contractId: k1.id });
      expectStatus(await pay(s, manager, i1.id, 21_000), 201);
      expectStatus(await pay(s, manager, i1.id, 100_000), 201);
      // a2: 400.00, invoiced from the quote, 100.00 paid so far.
      const q2 = await acceptedQuote(s, manager, {
        leadId: a2.id,
        currency: 'EUR',
        lines: [{ description: 'SEO', quantity: 4, unitPrice: 10_000 }],
      });
      const i2 = await createInvoice(s, manager, { quoteId: q2.id });
      expectStatus(await pay(s, manager, i2.id, 10_000), 201);
      // a4: paid 50.00 USD — reported apart, never added to EUR revenue.
      const q4 = await acceptedQuote(s, manager, {
        leadId: a4.id,
        currency: 'USD',
        lines: [{ description: 'US', quantity: 1, unitPrice: 5_000 }],
      });
      expectStatus(await pay(s, manager, (await createInvoice(s, manager, { quoteId: q4.id })).id, 5_000), 201);
      // A lead outside the campaign does not count.
      const outside = await leadIn(null, 'Fuera de campaña');
      const q5 = await acceptedQuote(s, manager, {
        leadId: outside.id,
        currency: 'EUR',
        lines: [{ description: 'x', quantity: 1, unitPrice: 99_999 }],
      });
      expectStatus(await pay(s, manager, (await createInvoice(s, manager, { quoteId: q5.id })).id, 99_999), 201);
      // a1 and a2 become customers.
      for (const l of [a1, a2])
        expectStatus(
          await call(s, 'POST', `/api/v1/leads/${l.id}/convert`, { token: manager.accessToken, body: {} }),
          200,
        );

      // Campaign B: three leads, nothing sold. Campaign C: two leads. D: none.
      for (const n of ['B1', 'B2', 'B3']) await leadIn(b, n);
      for (const n of ['C1', 'C2']) await leadIn(c, n);

      const one = await call(s, 'GET', `/api/v1/campaigns/${a}/stats`, { token: fresh.agent.accessToken });
      expectStatus(one, 200);
      expect(one.body).toEqual({
        campaignId: a,
        name: 'Verano CTWA',
        currency: 'EUR',
        budget: 50_000,
        leads: 4,
        conversions: 2,
        contracts: 1,
        revenue: 131_000, // 1,210.00 + 100.00
        revenueOtherCurrencies: [{ currency: 'USD', amount: 5_000 }],
        costPerLead: 12_500, // 500.00 / 4
        profit: 81_000, // 1,310.00 − 500.00
        roiBasisPoints: 16_200, // 810 / 500 = 162 %
        conversionRateBasisPoints: 5_000, // 2 / 4
        profitable: true,
      });

      const all = await call(s, 'GET', '/api/v1/campaigns/stats', { token: fresh.agent.accessToken });
      expectStatus(all, 200);
      const byName = Object.fromEntries(all.body.items.map((x: { name: string }) => [x.name, x]));
      expect(Object.keys(byName).sort()).toEqual(['Folletos', 'Google Search', 'Orgánico', 'Verano CTWA']);
      expect(byName['Google Search']).toMatchObject({
        leads: 3,
        conversions: 0,
        contracts: 0,
        revenue: 0,
        costPerLead: 10_000,
        profit: -30_000,
        roiBasisPoints: -10_000,
        conversionRateBasisPoints: 0,
        profitable: false,
      });
      // 100.01 / 2 = 50.005 → 50.01 (half away from zero)
      expect(byName['Folletos']).toMatchObject({ leads: 2, costPerLead: 5_001, roiBasisPoints: -10_000 });
      expect(byName['Orgánico']).toMatchObject({
        leads: 0,
        costPerLead: null,
        roiBasisPoints: null,
        conversionRateBasisPoints: null,
        profit: 0,
        profitable: false,
      });
    });

    it('shows the figures to every role, the campaigns themselves to marketing and managers', async () => {
      const s = svc() as Crm;
      const { id } = await newCampaign(s, { name: 'Visible', budget: 100 });
      for (const role of ['admin', 'supervisor', 'agent', 'marketer', 'manager'] as const) {
        expect(
          (await call(s, 'GET', `/api/v1/campaigns/${id}/stats`, { token: t()[role].accessToken })).status,
          role,
        ).toBe(200);
      }
      expect((await call(s, 'GET', `/api/v1/campaigns/${id}`, { token: t().agent.accessToken })).status).toBe(403);
      expect((await call(s, 'GET', `/api/v1/campaigns/${id}`, { token: t().manager.accessToken })).status).toBe(200);
    });

    it('validates campaigns, naming the field', async () => {
      const s = svc() as Crm;
      const m = t().marketer;
      const float = await call(s, 'POST', '/api/v1/campaigns', {
        token: m.accessToken,
        body: { name: 'x', channel: 'whatsapp', currency: 'eur', budget: 10.5 },
      });
      expect(float.status).toBe(400);
      expect(float.body.error.details.map((d: { field: string }) => d.field)).toEqual(['budget']);
      const period = await call(s, 'POST', '/api/v1/campaigns', {
        token: m.accessToken,
        body: {
          name: 'x',
          channel: 'whatsapp',
          currency: 'EUR',
          startsAt: '2025-06-01T00:00:00Z',
          endsAt: '2025-05-01T00:00:00Z',
        },
      });
      expect(period.status).toBe(400);
      expect(period.body.error.details.map((d: { field: string }) => d.field)).toEqual(['endsAt']);
      const channel = await call(s, 'POST', '/api/v1/campaigns', {
        token: m.accessToken,
        body: { name: 'x', channel: 'fax', currency: 'EUR' },
      });
      expect(channel.body.error.details.map((d: { field: string }) => d.field)).toEqual(['channel']);
      await newCampaign(s, { name: 'Con código', refCode: 'primavera' });
      const dup = await call(s, 'POST', '/api/v1/campaigns', {
        token: m.accessToken,
        body: { name: 'y', channel: 'web', currency: 'EUR', refCode: 'primavera' },
      });
      expect(dup.status).toBe(409);
      expect(dup.body.error).toMatchObject({ code: 'campaign_ref_code_taken', details: [{ field: 'refCode' }] });
    });

    describe('attribution', () => {
      it('gives a lead the campaign of its click-to-WhatsApp ad (and keeps ctwa_clid), or of its tagged link', async () => {
        const s = svc() as Crm;
        const ws = t().admin.user.workspaceId;
        const ad = await newCampaign(s, { name: 'CTWA otoño', adIds: ['120210000000777'] });
        const link = await newCampaign(s, { name: 'Enlace m.me', channel: 'messenger', refCode: 'otono25' });
        const other = await newCampaign(s, { name: 'Otra', adIds: ['999'] });

        const contact = await createContact(s, t().admin);
        const conv = await insertConversation(s, ws, contact.id);
        const lead = await createLead(s, t().admin, contact.id, { conversationId: conv.id });
        const referral = {
          source_type: 'ad',
          source_id: '120210000000777',
          source_url: 'https://fb.me/x',
          ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ',
        };
        const first = await attributeLeadToCampaign(s.rt.database.db, {
          workspaceId: ws,
          conversationId: conv.id,
          referral,
        });
        expect(first).toEqual({ campaignId: ad.id, changed: true });
        const row = await s.rt.database.db
          .selectFrom('leads')
          .select(['campaign_id', 'ctwa_clid'])
          .where('id', '=', lead.id)
          .executeTakeFirstOrThrow();
        expect(row).toEqual({ campaign_id: ad.id, ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ' });
        // A lead keeps the campaign that brought it.
        const again = await attributeLeadToCampaign(s.rt.database.db, {
          workspaceId: ws,
          leadId: lead.id,
          referral: { source_id: '999' },
        });
        expect(again).toEqual({ campaignId: ad.id, changed: false });
        void other;

        const c2 = await createContact(s, t().admin);
        const l2 = await createLead(s, t().admin, c2.id);
        const byRef = await attributeLeadToCampaign(s.rt.database.db, {
          workspaceId: ws,
          leadId: l2.id,
          referral: { ref: 'otono25', source: 'SHORTLINK', type: 'OPEN_THREAD' },
        });
        expect(byRef).toEqual({ campaignId: link.id, changed: true });
        const got = await call(s, 'GET', `/api/v1/leads/${l2.id}`, { token: t().admin.accessToken });
        expect(got.body.campaignId).toBe(link.id);

        const unknown = await attributeLeadToCampaign(s.rt.database.db, {
          workspaceId: ws,
          leadId: (await createLead(s, t().admin, (await createContact(s, t().admin)).id)).id,
          referral: { source_id: 'nope' },
        });
        expect(unknown).toEqual({ campaignId: null, changed: false });
        // Another workspace's ad ids are not seen.
        const stranger = await team(s);
        const sc = await createContact(s, stranger.admin);
        const sl = await createLead(s, stranger.admin, sc.id);
        const cross = await attributeLeadToCampaign(s.rt.database.db, {
          workspaceId: stranger.admin.user.workspaceId,
          leadId: sl.id,
          referral,
        });
        expect(cross.campaignId).toBeNull();
      });
    });

    describe('consultations', () => {
      it('lists support leads with their conversation, pending or resolved', async () => {
        const s = svc() as Crm;
        const fresh = await team(s);
        const ws = fresh.admin.user.workspaceId;
        const mkSupport = async (name: string, withConversation: boolean) => {
          const contact = await createContact(s, fresh.admin, { name });
          const conv = withConversation ? await insertConversation(s, ws, contact.id) : null;
          const lead = await createLead(s, fresh.admin, contact.id, {
            caseType: 'support',
            ...(conv ? { conversationId: conv.id } : {}),
          });
          return { lead, conv };
        };
        const open = await mkSupport('Pregunta abierta', true);
        const closed = await mkSupport('Pregunta resuelta', true);
        const noConv = await mkSupport('Sin chat', false);
        const won = await mkSupport('Sin chat, cerrada', false);
        await createLead(s, fresh.admin, (await createContact(s, fresh.admin)).id, { caseType: 'sale' });
        await s.rt.database.db
          .updateTable('conversations')
          .set({ status: 'resolved' })
          .where('id', '=', closed.conv!.id)
          .execute();
        expectStatus(
          await call(s, 'POST', `/api/v1/leads/${won.lead.id}/status`, {
            token: fresh.admin.accessToken,
            body: { status: 'won' },
          }),
          200,
        );

        const all = await call(s, 'GET', '/api/v1/consultations', { token: fresh.agent.accessToken });
        expectStatus(all, 200);
        const status = Object.fromEntries(
          all.body.items.map((i: { contact: { name: string }; status: string }) => [i.contact.name, i.status]),
        );
        expect(status).toEqual({
          'Pregunta abierta': 'pending',
          'Pregunta resuelta': 'resolved',
          'Sin chat': 'pending',
          'Sin chat, cerrada': 'resolved',
        });
        const item = all.body.items.find((i: { leadId: string }) => i.leadId === open.lead.id);
        expect(item).toMatchObject({
          conversationId: open.conv!.id,
          conversationStatus: 'open',
          channel: { type: 'telegram' },
        });
        const pending = await call(s, 'GET', '/api/v1/consultations?status=pending', {
          token: fresh.manager.accessToken,
        });
        expect(pending.body.items.map((i: { leadId: string }) => i.leadId).sort()).toEqual(
          [open.lead.id, noConv.lead.id].sort(),
        );
        const resolved = await call(s, 'GET', '/api/v1/consultations?status=resolved', {
          token: fresh.manager.accessToken,
        });
        expect(resolved.body.items.map((i: { leadId: string }) => i.leadId).sort()).toEqual(
          [closed.lead.id, won.lead.id].sort(),
        );
        const bad = await call(s, 'GET', '/api/v1/consultations?status=open', { token: fresh.manager.accessToken });
        expect(bad.status).toBe(400);
        expect(bad.body.error.details[0].field).toBe('status');
      });
    });
  },
);
