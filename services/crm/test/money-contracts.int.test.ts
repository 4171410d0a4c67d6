import { beforeAll, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { call, startCrm, team, type Crm, type Team } from './crm-test-client';
import {
  acceptedQuote,
  auditRows,
  createContact,
  createInvoice,
  createLead,
  createQuote,
  createService,
  expectStatus,
  getBytes,
  pdfText,
} from './money-fixtures';

// Contracts: from an accepted quote only; signing generates PDF version 1, each change of
// terms after that the next version (all kept); every create/sign/change/delete writes a note
// on the customer's record. And converting a lead into a customer in one action.

const notesOf = async (svc: Crm, token: string, contactId: string, recordId?: string) => {
  const res = await call(
    svc,
    'GET',
    `/api/v1/contact-notes?contactId=${contactId}${recordId ? `&recordId=${recordId}` : ''}`,
    { token },
  );
  expectStatus(res, 200);
  return (res.body.items as { body: string; kind: string; authorId: string }[]).map((n) => n.body).reverse();
};

describeDrivers(
  'contracts',
  async (set) => Object.assign(await startCrm(set), { team: undefined as Team | undefined }),
  (svc) => {
    const t = () => svc().team!;
    beforeAll(async () => {
      svc().team = await team(svc());
    });

    it('signs into a PDF, versions every change of terms, and notes each step on the customer', async () => {
      const s = svc() as Crm;
      const m = t().manager;
      const service = await createService(s, t().marketer, { name: 'Mantenimiento web', price: 45_000 });
      const contact = await createContact(s, m, { name: 'Дмитрий Соколов' });
      const lead = await createLead(s, t().admin, contact.id);
      const quote = await acceptedQuote(s, m, {
        leadId: lead.id,
        currency: 'EUR',
        lines: [{ serviceId: service.id, quantity: 2, taxRateBp: 2100 }],
      });
      // 2 × 450.00 = 900.00 + 21 % = 1,089.00
      expect(quote.total).toBe(108_900);

      const created = await call(s, 'POST', '/api/v1/contracts', {
        token: m.accessToken,
        body: {
          quoteId: quote.id,
          terms: 'Duración: 12 meses. Pago mensual.',
          startsOn: '2025-01-01',
          endsOn: '2025-12-31',
        },
      });
      expectStatus(created, 201);
      const c = created.body;
      expect(c).toMatchObject({
        status: 'draft',
        version: 0,
        quoteId: quote.id,
        leadId: lead.id,
        contactId: contact.id,
        total: 108_900,
        currency: 'EUR',
        title: `Contract for ${quote.reference}`,
      });
      expect(c.reference).toMatch(/^C-\d{4}$/);
      // A draft's PDF is a preview; nothing is kept yet.
      const preview = await getBytes(s, `/api/v1/contracts/${c.id}/pdf`, m.accessToken);
      expect(preview.status).toBe(200);
      expect(await pdfText(preview.bytes)).toContain('Draft — not signed.');

      const signed = await call(s, 'POST', `/api/v1/contracts/${c.id}/sign`, { token: m.accessToken, body: {} });
      expectStatus(signed, 200);
      expect(signed.body).toMatchObject({ status: 'signed', version: 1, signedBy: 'Дмитрий Соколов' });
      expect(
        (await call(s, 'POST', `/api/v1/contracts/${c.id}/sign`, { token: m.accessToken, body: {} })).body.error.code,
      ).toBe('contract_already_signed');
      const v1 = await getBytes(s, `/api/v1/contracts/${c.id}/pdf`, m.accessToken);
      const v1Text = await pdfText(v1.bytes);
      for (const expected of [
        c.reference,
        'Дмитрий Соколов',
        'Mantenimiento web',
        'Duración: 12 meses. Pago mensual.',
        '1,089.00 EUR',
        'Signed by Дмитрий Соколов',
      ]) {
        expect(v1Text, `contract PDF lacks ${expected}`).toContain(expected);
      }
      expect(service.contractsSigned).toBe(0);
      const svcAfter = await call(s, 'GET', `/api/v1/services/${service.id}`, { token: t().marketer.accessToken });
      expect(svcAfter.body.contractsSigned).toBe(1);

      const changed = await call(s, 'PATCH', `/api/v1/contracts/${c.id}`, {
        token: m.accessToken,
        body: { terms: 'Duración: 24 meses. Pago trimestral.', endsOn: '2026-12-31' },
      });
      expectStatus(changed, 200);
      expect(changed.body.version).toBe(2);
      const same = await call(s, 'PATCH', `/api/v1/contracts/${c.id}`, {
        token: m.accessToken,
        body: { endsOn: '2026-12-31' },
      });
      expect(same.body.version).toBe(2);

      const versions = await call(s, 'GET', `/api/v1/contracts/${c.id}/versions`, { token: m.accessToken });
      expectStatus(versions, 200);
      expect(versions.body.items.map((v: { version: number; reason: string }) => [v.version, v.reason])).toEqual([
        [1, 'signed'],
        [2, 'terms_changed'],
      ]);
      expect(versions.body.items[0].terms).toMatchObject({ terms: 'Duración: 12 meses. Pago mensual.' });
      const latest = await pdfText((await getBytes(s, `/api/v1/contracts/${c.id}/pdf`, m.accessToken)).bytes);
      expect(latest).toContain('Duración: 24 meses. Pago trimestral.');
      expect(latest).not.toContain('12 meses');
      const first = await getBytes(s, `/api/v1/contracts/${c.id}/versions/1/pdf`, m.accessToken);
      expect(first.status).toBe(200);
      expect(await pdfText(first.bytes)).toContain('Duración: 12 meses. Pago mensual.');
      expect((await getBytes(s, `/api/v1/contracts/${c.id}/versions/3/pdf`, m.accessToken)).status).toBe(404);

      // A contract with a live invoice cannot go; once the invoice is void, it can.
      const invoice = await createInvoice(s, m, { contractId: c.id });
      const blocked = await call(s, 'DELETE', `/api/v1/contracts/${c.id}`, { token: m.accessToken });
      expect(blocked.status).toBe(409);
      expect(blocked.body.error.code).toBe('contract_in_use');
      expectStatus(
        await call(s, 'POST', `/api/v1/invoices/${invoice.id}/void`, {
          token: m.accessToken,
          body: { reason: 'error' },
        }),
        200,
      );
      expect((await call(s, 'DELETE', `/api/v1/contracts/${c.id}`, { token: m.accessToken })).status).toBe(204);
      expect((await call(s, 'GET', `/api/v1/contracts/${c.id}`, { token: m.accessToken })).status).toBe(404);

      expect(await notesOf(s, m.accessToken, contact.id, c.id)).toEqual([
        `Contract ${c.reference} created from quote ${quote.reference} (1,089.00 EUR).`,
        `Contract ${c.reference} signed by Дмитрий Соколов — PDF version 1.`,
        `Contract ${c.reference} changed: terms, end 2026-12-31 — PDF version 2.`,
        `Contract ${c.reference} deleted (it was signed).`,
      ]);
      const audit = await auditRows(s, m.user.workspaceId, 'contracts', c.id);
      expect(audit.map((a) => a.action)).toEqual(['create', 'sign', 'update', 'delete']);
      expect(audit.every((a) => a.actor_id === m.user.id)).toBe(true);
    });

    it('changes a draft contract without a PDF version, and notes it', async () => {
      const s = svc() as Crm;
      const m = t().manager;
      const contact = await createContact(s, m, { name: 'Ana Belén Ortega' });
      const quote = await acceptedQuote(s, m, {
        contactId: contact.id,
        currency: 'EUR',
        lines: [{ description: 'x', quantity: 1, unitPrice: 500 }],
      });
      const c = (await call(s, 'POST', '/api/v1/contracts', { token: m.accessToken, body: { quoteId: quote.id } }))
        .body;
      const changed = await call(s, 'PATCH', `/api/v1/contracts/${c.id}`, {
        token: m.accessToken,
        body: { title: 'Acuerdo de servicios' },
      });
      expectStatus(changed, 200);
      expect(changed.body).toMatchObject({ version: 0, status: 'draft', title: 'Acuerdo de servicios' });
      expect(await notesOf(s, m.accessToken, contact.id, c.id)).toEqual([
        `Contract ${c.reference} created from quote ${quote.reference} (5.00 EUR).`,
        `Contract ${c.reference} changed: title “Acuerdo de servicios”.`,
      ]);
      const period = await call(s, 'PATCH', `/api/v1/contracts/${c.id}`, {
        token: m.accessToken,
        body: { startsOn: '2025-05-01', endsOn: '2025-04-01' },
      });
      expect(period.status).toBe(400);
      expect(period.body.error.details[0].field).toBe('endsOn');
    });

    it('only takes an accepted quote, once', async () => {
      const s = svc() as Crm;
      const m = t().manager;
      const contact = await createContact(s, m);
      const draft = await createQuote(s, m, {
        contactId: contact.id,
        currency: 'EUR',
        lines: [{ description: 'x', quantity: 1, unitPrice: 1 }],
      });
      const notAccepted = await call(s, 'POST', '/api/v1/contracts', {
        token: m.accessToken,
        body: { quoteId: draft.id },
      });
      expect(notAccepted.status).toBe(409);
      expect(notAccepted.body.error).toMatchObject({ code: 'quote_not_accepted', details: [{ field: 'quoteId' }] });
      const unknown = await call(s, 'POST', '/api/v1/contracts', {
        token: m.accessToken,
        body: { quoteId: '00000000-0000-4000-8000-000000000000' },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.details[0].field).toBe('quoteId');
      const quote = await acceptedQuote(s, m, {
        contactId: contact.id,
        currency: 'EUR',
        lines: [{ description: 'x', quantity: 1, unitPrice: 1 }],
      });
      const both = await Promise.all([
        call(s, 'POST', '/api/v1/contracts', { token: m.accessToken, body: { quoteId: quote.id } }),
        call(s, 'POST', '/api/v1/contracts', { token: m.accessToken, body: { quoteId: quote.id } }),
      ]);
      expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(both.find((r) => r.status === 409)!.body.error.code).toBe('quote_has_contract');
      const deleteQuote = await call(s, 'DELETE', `/api/v1/quotes/${quote.id}`, { token: m.accessToken });
      expect(deleteQuote.status).toBe(409);
      expect(deleteQuote.body.error.code).toBe('quote_in_use');
    });

    describe('lead conversion', () => {
      it('wins the lead and activates the contact in one action, audited, noted, idempotent', async () => {
        const s = svc() as Crm;
        const contact = await createContact(s, t().agent, { name: 'Sergio Ramírez' });
        expect(contact.status).toBe('prospect');
        const lead = await createLead(s, t().agent, contact.id);
        const res = await call(s, 'POST', `/api/v1/leads/${lead.id}/convert`, {
          token: t().agent.accessToken,
          body: { note: 'firmó en el chat' },
        });
        expectStatus(res, 200);
        expect(res.body.lead).toMatchObject({ id: lead.id, status: 'won' });
        expect(res.body.contact).toMatchObject({ id: contact.id, status: 'active' });
        const ws = t().agent.user.workspaceId;
        expect((await auditRows(s, ws, 'leads', lead.id)).map((a) => a.after?.status)).toEqual(['new', 'won']);
        expect((await auditRows(s, ws, 'contacts', contact.id)).map((a) => a.after?.status)).toEqual([
          'prospect',
          'active',
        ]);
        expect(await notesOf(s, t().agent.accessToken, contact.id)).toEqual([
          'Became a customer: lead won — firmó en el chat.',
        ]);

        const again = await call(s, 'POST', `/api/v1/leads/${lead.id}/convert`, {
          token: t().agent.accessToken,
          body: {},
        });
        expectStatus(again, 200);
        expect((await auditRows(s, ws, 'leads', lead.id)).length).toBe(2);
        expect(await notesOf(s, t().agent.accessToken, contact.id)).toHaveLength(1);
      });

      it("hides another agent's lead (404) and answers 404 across workspaces", async () => {
        const s = svc() as Crm;
        await call(s, 'PATCH', '/api/v1/workspace', {
          token: t().admin.accessToken,
          body: { settings: { agentsSeeUnassigned: false } },
        });
        const contact = await createContact(s, t().admin);
        const lead = await createLead(s, t().admin, contact.id, { assigneeId: t().supervisor.user.id });
        expect(
          (await call(s, 'POST', `/api/v1/leads/${lead.id}/convert`, { token: t().agent.accessToken, body: {} }))
            .status,
        ).toBe(404);
        const stranger = await team(s);
        expect(
          (await call(s, 'POST', `/api/v1/leads/${lead.id}/convert`, { token: stranger.admin.accessToken, body: {} }))
            .status,
        ).toBe(404);
        await call(s, 'PATCH', '/api/v1/workspace', {
          token: t().admin.accessToken,
          body: { settings: { agentsSeeUnassigned: true } },
        });
      });
    });
  },
);
