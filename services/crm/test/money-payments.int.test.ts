import { beforeAll, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { call, startCrm, team, type Crm, type Team } from './crm-test-client';
import {
  acceptedQuote,
  auditRows,
  createContact,
  createInvoice,
  createQuote,
  expectStatus,
  getBytes,
  pay,
  pdfText,
} from './money-fixtures';

// Invoices and payments: numbered invoices from a signed contract or an accepted quote; the
// invoice's status and each payment's kind follow from the balance; an overpayment is refused
// naming `amount`; concurrent payments never overpay; every money change has its audit row.

describeDrivers(
  'invoices and payments',
  async (set) => Object.assign(await startCrm(set), { team: undefined as Team | undefined }),
  (svc) => {
    const t = () => svc().team!;
    beforeAll(async () => {
      svc().team = await team(svc());
    });

    /** An invoice of 1,210.00 EUR (1,000.00 + 21 % tax) billed from an accepted quote. */
    async function invoice1210(s: Crm, name = 'Carmen López') {
      const m = t().manager;
      const contact = await createContact(s, m, { name });
      const quote = await acceptedQuote(s, m, {
        contactId: contact.id,
        currency: 'EUR',
        lines: [{ description: 'Servicio', quantity: 1, unitPrice: 100_000, taxRateBp: 2100 }],
      });
      return {
        contact,
        quote,
        invoice: await createInvoice(s, m, { quoteId: quote.id, issuedOn: '2025-03-01', dueOn: '2025-03-31' }),
      };
    }

    it('takes a partial then a total payment, deriving the invoice status and each payment’s kind', async () => {
      const s = svc() as Crm;
      const m = t().manager;
      const { invoice, quote } = await invoice1210(s);
      expect(invoice).toMatchObject({ status: 'pending', total: 121_000, balance: 121_000, currency: 'EUR' });
      expect(invoice.number).toBeGreaterThan(0);

      const first = await pay(s, m, invoice.id, 50_000, { reference: 'TRF-001', paidAt: '2025-03-05T10:00:00Z' });
      expectStatus(first, 201);
      expect(first.body).toMatchObject({
        kind: 'partial',
        amount: 50_000,
        balanceAfter: 71_000,
        currency: 'EUR',
        method: 'transfer',
        reference: 'TRF-001',
        paidAt: '2025-03-05T10:00:00.000Z',
        invoice: { status: 'partially_paid', amountPaid: 50_000, balance: 71_000 },
      });
      const mid = await call(s, 'GET', `/api/v1/invoices/${invoice.id}`, { token: m.accessToken });
      expect(mid.body).toMatchObject({ status: 'partially_paid', amountPaid: 50_000, balance: 71_000 });

      const over = await pay(s, m, invoice.id, 71_001);
      expect(over.status).toBe(422);
      expect(over.body.error.code).toBe('payment_exceeds_balance');
      expect(over.body.error.message).toContain('710.00 EUR');
      expect(over.body.error.details).toEqual([
        { field: 'amount', message: 'must be at most 71000 (the balance due)', balance: 71_000 },
      ]);

      const last = await pay(s, m, invoice.id, 71_000, { method: 'bizum' });
      expectStatus(last, 201);
      expect(last.body).toMatchObject({
        kind: 'total',
        balanceAfter: 0,
        invoice: { status: 'paid', amountPaid: 121_000, balance: 0 },
      });

      const after = await pay(s, m, invoice.id, 1);
      expect(after.status).toBe(422);
      expect(after.body.error.details[0]).toMatchObject({ field: 'amount', message: 'the invoice is already paid' });

      const list = await call(s, 'GET', `/api/v1/payments?invoiceId=${invoice.id}`, { token: m.accessToken });
      expect(list.body.items.map((p: { kind: string; amount: number }) => [p.kind, p.amount])).toEqual([
        ['total', 71_000],
        ['partial', 50_000],
      ]);

      // The invoice PDF shows what was paid and what is due.
      const pdf = await getBytes(s, `/api/v1/invoices/${invoice.id}/pdf`, m.accessToken);
      expect(pdf.status).toBe(200);
      const text = await pdfText(pdf.bytes);
      for (const expected of [
        'INVOICE',
        'Carmen López',
        quote.reference,
        'Servicio',
        '1,210.00 EUR',
        'Paid',
        'Balance due',
        '0.00 EUR',
        'paid',
      ]) {
        expect(text, `invoice PDF lacks ${expected}`).toContain(expected);
      }

      // Every money change has its audit row: the invoice's creation and each payment's effect.
      const ws = m.user.workspaceId;
      const invoiceAudit = await auditRows(s, ws, 'invoices', invoice.id);
      expect(invoiceAudit.map((a) => [a.action, a.after?.status, a.after?.amountPaid])).toEqual([
        ['create', 'pending', 0],
        ['update', 'partially_paid', 50_000],
        ['update', 'paid', 121_000],
      ]);
      expect((await auditRows(s, ws, 'payments', first.body.id)).map((a) => a.action)).toEqual(['create']);
      // The refused overpayments changed nothing and left no trace.
      const payments = await s.rt.database.db
        .selectFrom('payments')
        .select('amount')
        .where('invoice_id', '=', invoice.id)
        .execute();
      expect(payments.map((p) => Number(p.amount)).sort((a, b) => a - b)).toEqual([50_000, 71_000]);
    });

    it('cancelling a payment gives the balance back; a void invoice takes no payment', async () => {
      const s = svc() as Crm;
      const m = t().manager;
      const { invoice } = await invoice1210(s, 'Pedro Sánchez');
      const p1 = await pay(s, m, invoice.id, 121_000);
      expect(p1.body.kind).toBe('total');
      const cannotVoid = await call(s, 'POST', `/api/v1/invoices/${invoice.id}/void`, {
        token: m.accessToken,
        body: {},
      });
      expect(cannotVoid.status).toBe(409);
      expect(cannotVoid.body.error.code).toBe('invoice_has_payments');
      expect((await call(s, 'DELETE', `/api/v1/payments/${p1.body.id}`, { token: m.accessToken })).status).toBe(204);
      const back = await call(s, 'GET', `/api/v1/invoices/${invoice.id}`, { token: m.accessToken });
      expect(back.body).toMatchObject({ status: 'pending', amountPaid: 0, balance: 121_000 });
      expect((await call(s, 'GET', `/api/v1/payments/${p1.body.id}`, { token: m.accessToken })).status).toBe(404);
      const voided = await call(s, 'POST', `/api/v1/invoices/${invoice.id}/void`, {
        token: m.accessToken,
        body: { reason: 'duplicada' },
      });
      expectStatus(voided, 200);
      expect(voided.body).toMatchObject({ status: 'void', voidReason: 'duplicada' });
      const onVoid = await pay(s, m, invoice.id, 100);
      expect(onVoid.status).toBe(409);
      expect(onVoid.body.error.code).toBe('invoice_void');
      const patchVoid = await call(s, 'PATCH', `/api/v1/invoices/${invoice.id}`, {
        token: m.accessToken,
        body: { notes: 'x' },
      });
      expect(patchVoid.status).toBe(409);
    });

    it('never overpays under concurrent payments', async () => {
      const s = svc() as Crm;
      const m = t().manager;
      const { invoice } = await invoice1210(s);
      // Ten payments of 200.00 at once against 1,210.00: six fit, four are refused.
      const answers = await Promise.all(Array.from({ length: 10 }, () => pay(s, m, invoice.id, 20_000)));
      expect(answers.filter((a) => a.status === 201)).toHaveLength(6);
      expect(answers.filter((a) => a.status === 422)).toHaveLength(4);
      const final = await call(s, 'GET', `/api/v1/invoices/${invoice.id}`, { token: m.accessToken });
      expect(final.body).toMatchObject({ amountPaid: 120_000, balance: 1_000, status: 'partially_paid' });
      expect(answers.filter((a) => a.status === 201).every((a) => a.body.kind === 'partial')).toBe(true);
    });

    describe('invoices', () => {
      it('numbers invoices per workspace, bills a quote once, and refuses what is not billable', async () => {
        const s = svc() as Crm;
        const m = t().manager;
        const fresh = await team(s);
        const contact = await createContact(s, fresh.manager);
        const quotes = await Promise.all(
          Array.from({ length: 5 }, () =>
            acceptedQuote(s, fresh.manager, {
              contactId: contact.id,
              currency: 'EUR',
              lines: [{ description: 'x', quantity: 1, unitPrice: 10 }],
            }),
          ),
        );
        const invoices = await Promise.all(
          quotes.map((q) =>
            call(s, 'POST', '/api/v1/invoices', { token: fresh.manager.accessToken, body: { quoteId: q.id } }),
          ),
        );
        expect(invoices.map((i) => i.status)).toEqual([201, 201, 201, 201, 201]);
        expect(invoices.map((i) => i.body.number).sort()).toEqual([1, 2, 3, 4, 5]);
        expect(invoices[0]!.body.reference).toMatch(/^INV-000[1-5]$/);
        // Default due date: 30 days after issue.
        const { issuedOn, dueOn } = invoices[0]!.body;
        expect(Date.parse(dueOn) - Date.parse(issuedOn)).toBe(30 * 86_400_000);

        const twice = await call(s, 'POST', '/api/v1/invoices', {
          token: fresh.manager.accessToken,
          body: { quoteId: quotes[0]!.id },
        });
        expect(twice.status).toBe(409);
        expect(twice.body.error).toMatchObject({ code: 'already_invoiced', details: [{ field: 'quoteId' }] });

        const draft = await createQuote(s, m, {
          contactId: (await createContact(s, m)).id,
          currency: 'EUR',
          lines: [{ description: 'x', quantity: 1, unitPrice: 1 }],
        });
        const notAccepted = await call(s, 'POST', '/api/v1/invoices', {
          token: m.accessToken,
          body: { quoteId: draft.id },
        });
        expect(notAccepted.status).toBe(409);
        expect(notAccepted.body.error.code).toBe('quote_not_accepted');
        const neither = await call(s, 'POST', '/api/v1/invoices', { token: m.accessToken, body: {} });
        expect(neither.status).toBe(400);
        expect(neither.body.error.details[0].field).toBe('contractId');
        const badDue = await call(s, 'POST', '/api/v1/invoices', {
          token: m.accessToken,
          body: { quoteId: draft.id, issuedOn: '2025-02-01', dueOn: '2025-01-01' },
        });
        expect(badDue.status).toBe(400);
        expect(badDue.body.error.details[0].field).toBe('dueOn');
      });

      it('flags overdue invoices and filters on it', async () => {
        const s = svc() as Crm;
        const m = t().manager;
        const { invoice } = await invoice1210(s);
        const got = await call(s, 'GET', `/api/v1/invoices/${invoice.id}`, { token: m.accessToken });
        expect(got.body.overdue).toBe(true); // due 2025-03-31
        const overdue = await call(s, 'GET', '/api/v1/invoices?overdue=true&limit=200', { token: m.accessToken });
        expect(overdue.body.items.map((i: { id: string }) => i.id)).toContain(invoice.id);
        await pay(s, m, invoice.id, 121_000);
        const paid = await call(s, 'GET', `/api/v1/invoices/${invoice.id}`, { token: m.accessToken });
        expect(paid.body.overdue).toBe(false);
      });
    });
  },
);
