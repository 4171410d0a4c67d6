import { beforeAll, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { call, startCrm, team, type Crm, type Team } from './crm-test-client';
import {
  auditRows,
  createContact,
  createLead,
  createQuote,
  createService,
  expectStatus,
  getBytes,
  insertConversation,
  pdfText,
  setQuoteStatus,
} from './money-fixtures';

// Quotes: totals in integer minor units with the documented rounding (per line, half-up),
// numbering without duplicates under concurrent creates, status transitions, the PDF (read
// back, with Cyrillic and accented text), and sending it into the customer's conversation.

describeDrivers(
  'quotes',
  async (set) => Object.assign(await startCrm(set), { team: undefined as Team | undefined }),
  (svc) => {
    const t = () => svc().team!;
    beforeAll(async () => {
      svc().team = await team(svc());
    });

    describe('totals', () => {
      it('computes lines and totals server-side, rounding each line half-up (hand-computed)', async () => {
        const s = svc() as Crm;
        const service = await createService(s, t().marketer, { name: 'Auditoría SEO', price: 1999 });
        const contact = await createContact(s, t().manager);
        const q = await createQuote(s, t().manager, {
          contactId: contact.id,
          currency: 'EUR',
          lines: [
            // 3 × 19.99 = 59.97; −12.5 % = 7.49625 → 7.50; net 52.47; 21 % = 11.0187 → 11.02; total 63.49
            { serviceId: service.id, quantity: 3, discountBp: 1250, taxRateBp: 2100 },
            // 3.33; 10 % tax = 0.333 → 0.33; total 3.66
            { description: 'Hosting', quantity: 1, unitPrice: 333, taxRateBp: 1000 },
            // 2 × 1.25 = 2.50; −10 % = 0.25; net 2.25; 21 % = 0.4725 → 0.47; total 2.72
            { description: 'Dominio', quantity: 2, unitPrice: 125, discountBp: 1000, taxRateBp: 2100 },
            // 0.50; −10 % = 0.05; net 0.45; 10 % = 0.045 → 0.05 (exactly half: up); total 0.50
            { description: 'Sello', quantity: 1, unitPrice: 50, discountBp: 1000, taxRateBp: 1000 },
          ],
        });
        const full = await call(s, 'GET', `/api/v1/quotes/${q.id}`, { token: t().manager.accessToken });
        expectStatus(full, 200);
        const lines = full.body.lines.map((l: Record<string, number | string | null>) => [
          l.subtotal,
          l.discount,
          l.net,
          l.tax,
          l.total,
        ]);
        expect(lines).toEqual([
          [5997, 750, 5247, 1102, 6349],
          [333, 0, 333, 33, 366],
          [250, 25, 225, 47, 272],
          [50, 5, 45, 5, 50],
        ]);
        expect(full.body.lines[0]).toMatchObject({
          description: 'Auditoría SEO',
          unitPrice: 1999,
          serviceId: service.id,
        });
        expect(full.body).toMatchObject({
          subtotal: 6630,
          discountTotal: 780,
          taxTotal: 1187,
          total: 7037,
          currency: 'EUR',
          status: 'draft',
        });
      });

      it('recomputes the totals when a draft’s lines change, and refuses floats and bad rates naming the field', async () => {
        const s = svc() as Crm;
        const contact = await createContact(s, t().manager);
        const q = await createQuote(s, t().manager, {
          contactId: contact.id,
          currency: 'EUR',
          lines: [{ description: 'A', quantity: 1, unitPrice: 1000 }],
        });
        const patched = await call(s, 'PATCH', `/api/v1/quotes/${q.id}`, {
          token: t().manager.accessToken,
          body: { lines: [{ description: 'B', quantity: 7, unitPrice: 143, discountBp: 333, taxRateBp: 2100 }] },
        });
        expectStatus(patched, 200);
        // 7 × 1.43 = 10.01; −3.33 % = 0.333333 → 0.33; net 9.68; 21 % = 2.0328 → 2.03; total 11.71
        expect(patched.body).toMatchObject({ subtotal: 1001, discountTotal: 33, taxTotal: 203, total: 1171 });

        const float = await call(s, 'POST', '/api/v1/quotes', {
          token: t().manager.accessToken,
          body: { contactId: contact.id, currency: 'EUR', lines: [{ description: 'x', quantity: 1, unitPrice: 10.5 }] },
        });
        expect(float.status).toBe(400);
        expect(float.body.error.details.map((d: { field: string }) => d.field)).toContain('lines.0.unitPrice');
        const rate = await call(s, 'POST', '/api/v1/quotes', {
          token: t().manager.accessToken,
          body: {
            contactId: contact.id,
            currency: 'EUR',
            lines: [{ description: 'x', quantity: 1, unitPrice: 1, discountBp: 10001 }],
          },
        });
        expect(rate.status).toBe(400);
        expect(rate.body.error.details.map((d: { field: string }) => d.field)).toContain('lines.0.discountBp');
        const noLines = await call(s, 'POST', '/api/v1/quotes', {
          token: t().manager.accessToken,
          body: { contactId: contact.id, currency: 'EUR', lines: [] },
        });
        expect(noLines.status).toBe(400);
        expect(noLines.body.error.details[0].field).toBe('lines');
      });

      it('refuses a service priced in another currency without an explicit unit price (422 naming the line)', async () => {
        const s = svc() as Crm;
        const usd = await createService(s, t().marketer, { name: 'US plan', price: 5000, currency: 'USD' });
        const contact = await createContact(s, t().manager);
        const res = await call(s, 'POST', '/api/v1/quotes', {
          token: t().manager.accessToken,
          body: { contactId: contact.id, currency: 'EUR', lines: [{ serviceId: usd.id, quantity: 1 }] },
        });
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('currency_mismatch');
        expect(res.body.error.details[0].field).toBe('lines.0.serviceId');
        const unknown = await call(s, 'POST', '/api/v1/quotes', {
          token: t().manager.accessToken,
          body: { contactId: contact.id, lines: [{ serviceId: '00000000-0000-4000-8000-000000000000', quantity: 1 }] },
        });
        expect(unknown.status).toBe(400);
        expect(unknown.body.error.details[0].field).toBe('lines.0.serviceId');
      });
    });

    describe('numbering', () => {
      it('gives 20 concurrent creates 20 distinct consecutive numbers', async () => {
        const s = svc() as Crm;
        const fresh = await team(s); // a new workspace: its numbers start at 1
        const contact = await createContact(s, fresh.manager);
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            call(s, 'POST', '/api/v1/quotes', {
              token: fresh.manager.accessToken,
              body: {
                contactId: contact.id,
                currency: 'EUR',
                lines: [{ description: `Línea ${i}`, quantity: 1, unitPrice: 100 + i }],
              },
            }),
          ),
        );
        expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
        const numbers = answers.map((a) => a.body.number as number).sort((a, b) => a - b);
        expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(answers.find((a) => a.body.number === 7)!.body.reference).toBe('Q-0007');
        // Another workspace counts on its own.
        const other = await team(s);
        const first = await createQuote(s, other.manager, {
          contactId: (await createContact(s, other.manager)).id,
          currency: 'EUR',
          lines: [{ description: 'x', quantity: 1, unitPrice: 1 }],
        });
        expect(first.number).toBe(1);
      });
    });

    describe('status', () => {
      it('allows only the documented transitions and stamps sent/decided times', async () => {
        const s = svc() as Crm;
        const m = t().manager;
        const contact = await createContact(s, m);
        const q = await createQuote(s, m, {
          contactId: contact.id,
          currency: 'EUR',
          lines: [{ description: 'x', quantity: 1, unitPrice: 100 }],
        });
        const bad = await setQuoteStatus(s, m, q.id, 'accepted');
        expect(bad.status).toBe(409);
        expect(bad.body.error).toMatchObject({ code: 'invalid_status_transition', details: [{ field: 'status' }] });
        const sent = await setQuoteStatus(s, m, q.id, 'sent');
        expectStatus(sent, 200);
        expect(sent.body.sentAt).not.toBeNull();
        const editSent = await call(s, 'PATCH', `/api/v1/quotes/${q.id}`, {
          token: m.accessToken,
          body: { notes: 'late' },
        });
        expect(editSent.status).toBe(409);
        expect(editSent.body.error.code).toBe('quote_not_editable');
        const rejected = await setQuoteStatus(s, m, q.id, 'rejected');
        expectStatus(rejected, 200);
        expect(rejected.body.decidedAt).not.toBeNull();
        expect((await setQuoteStatus(s, m, q.id, 'accepted')).status).toBe(409);
        expectStatus(await setQuoteStatus(s, m, q.id, 'draft'), 200);
        expectStatus(await setQuoteStatus(s, m, q.id, 'sent'), 200);
        const accepted = await setQuoteStatus(s, m, q.id, 'accepted');
        expectStatus(accepted, 200);
        expect((await setQuoteStatus(s, m, q.id, 'draft')).status).toBe(409);
        const audit = await auditRows(s, m.user.workspaceId, 'quotes', q.id);
        expect(audit.map((a) => [a.action, a.after?.status ?? null])).toEqual([
          ['create', 'draft'],
          ['update', 'sent'],
          ['update', 'rejected'],
          ['update', 'draft'],
          ['update', 'sent'],
          ['update', 'accepted'],
        ]);
      });

      it('refuses to accept a quote past its validity date', async () => {
        const s = svc() as Crm;
        const m = t().manager;
        const contact = await createContact(s, m);
        const q = await createQuote(s, m, {
          contactId: contact.id,
          currency: 'EUR',
          validUntil: '2020-01-31',
          lines: [{ description: 'x', quantity: 1, unitPrice: 100 }],
        });
        expectStatus(await setQuoteStatus(s, m, q.id, 'sent'), 200);
        const late = await setQuoteStatus(s, m, q.id, 'accepted');
        expect(late.status).toBe(409);
        expect(late.body.error).toMatchObject({ code: 'quote_expired', details: [{ field: 'validUntil' }] });
        expectStatus(await setQuoteStatus(s, m, q.id, 'expired'), 200);
      });
    });

    describe('PDF', () => {
      it('renders the customer, the lines and the totals, including Cyrillic and accented text', async () => {
        const s = svc() as Crm;
        const m = t().manager;
        await call(s, 'PATCH', '/api/v1/workspace', { token: t().admin.accessToken, body: { name: 'Clínica Ñandú' } });
        const contact = await createContact(s, m, { name: 'Иван Петров', email: 'ivan@example.com' });
        const q = await createQuote(s, m, {
          contactId: contact.id,
          currency: 'EUR',
          notes: 'Оплата в течение 30 дней — gracias, señor Müller.',
          lines: [
            { description: 'Diseño gráfico (logotipo)', quantity: 2, unitPrice: 61_728, taxRateBp: 2100 },
            { description: 'Перевод документов', quantity: 1, unitPrice: 10_000, discountBp: 1000 },
          ],
        });
        // 2 × 617.28 = 1,234.56 + 21 % 259.26 = 1,493.82; 100.00 − 10 % = 90.00; subtotal 1,334.56 → total 1,583.82
        expect(q.total).toBe(158_382);
        const pdf = await getBytes(s, `/api/v1/quotes/${q.id}/pdf`, m.accessToken);
        expect(pdf.status).toBe(200);
        expect(pdf.type).toBe('application/pdf');
        expect(pdf.disposition).toContain(`${q.reference}.pdf`);
        expect(Buffer.from(pdf.bytes.subarray(0, 5)).toString()).toBe('%PDF-');
        const text = await pdfText(pdf.bytes);
        for (const expected of [
          q.reference,
          'Иван Петров',
          'ivan@example.com',
          'Diseño gráfico (logotipo)',
          'Перевод документов',
          'Оплата в течение 30 дней — gracias, señor Müller.',
          '617.28',
          '1,493.82',
          '1,334.56 EUR',
          '1,583.82 EUR',
          '259.26 EUR',
          '-10.00 EUR',
          'Total',
        ]) {
          expect(text, `PDF text lacks ${expected}`).toContain(expected);
        }
        const missing = await getBytes(s, '/api/v1/quotes/00000000-0000-4000-8000-000000000000/pdf', m.accessToken);
        expect(missing.status).toBe(404);
      });
    });

    describe('send to conversation', () => {
      it("adds the PDF as an outbound document message in the lead's conversation and marks the quote sent", async () => {
        const s = svc() as Crm;
        const m = t().manager;
        const contact = await createContact(s, m, { name: 'Lucía Fernández' });
        const conv = await insertConversation(s, m.user.workspaceId, contact.id);
        const lead = await createLead(s, t().admin, contact.id, { conversationId: conv.id });
        const q = await createQuote(s, m, {
          leadId: lead.id,
          currency: 'EUR',
          lines: [{ description: 'Plan anual', quantity: 1, unitPrice: 99_000 }],
        });
        const res = await call(s, 'POST', `/api/v1/quotes/${q.id}/send-to-conversation`, {
          token: m.accessToken,
          body: { caption: 'Su presupuesto' },
        });
        expectStatus(res, 202);
        expect(res.body.quote.status).toBe('sent');
        expect(res.body.message).toMatchObject({
          conversationId: conv.id,
          direction: 'out',
          type: 'document',
          status: 'queued',
          media: { mimeType: 'application/pdf', fileName: `${q.reference}.pdf`, caption: 'Su presupuesto' },
        });
        const row = await s.rt.database.db
          .selectFrom('messages')
          .selectAll()
          .where('id', '=', res.body.message.id)
          .executeTakeFirstOrThrow();
        expect(row.sender_user_id).toBe(m.user.id);
        expect(row.media).toMatchObject({ state: 'stored', mimeType: 'application/pdf' });
        const convRow = await s.rt.database.db
          .selectFrom('conversations')
          .selectAll()
          .where('id', '=', conv.id)
          .executeTakeFirstOrThrow();
        expect(convRow.last_message_id).toBe(res.body.message.id);
        // The stored document is the quote's PDF, served through the media route.
        const media = await getBytes(s, res.body.message.media.url, t().admin.accessToken);
        expect(media.status).toBe(200);
        expect(await pdfText(media.bytes)).toContain('Lucía Fernández');

        const again = await call(s, 'POST', `/api/v1/quotes/${q.id}/send-to-conversation`, {
          token: m.accessToken,
          body: {},
        });
        expectStatus(again, 202);
        expect(again.body.quote.status).toBe('sent');
      });

      it('answers 409 no_conversation when the customer has none, and 400 for a conversation of someone else', async () => {
        const s = svc() as Crm;
        const m = t().manager;
        const lonely = await createContact(s, m);
        const q = await createQuote(s, m, {
          contactId: lonely.id,
          currency: 'EUR',
          lines: [{ description: 'x', quantity: 1, unitPrice: 1 }],
        });
        const none = await call(s, 'POST', `/api/v1/quotes/${q.id}/send-to-conversation`, {
          token: m.accessToken,
          body: {},
        });
        expect(none.status).toBe(409);
        expect(none.body.error).toMatchObject({ code: 'no_conversation', details: [{ field: 'conversationId' }] });
        const other = await createContact(s, m);
        const conv = await insertConversation(s, m.user.workspaceId, other.id);
        const wrong = await call(s, 'POST', `/api/v1/quotes/${q.id}/send-to-conversation`, {
          token: m.accessToken,
          body: { conversationId: conv.id },
        });
        expect(wrong.status).toBe(400);
        expect(wrong.body.error.details[0].field).toBe('conversationId');
        const draft = await call(s, 'GET', `/api/v1/quotes/${q.id}`, { token: m.accessToken });
        expect(draft.body.status).toBe('draft');
      });
    });

    it("keeps one workspace's quotes out of another's reach (404)", async () => {
      const s = svc() as Crm;
      const contact = await createContact(s, t().manager);
      const q = await createQuote(s, t().manager, {
        contactId: contact.id,
        currency: 'EUR',
        lines: [{ description: 'x', quantity: 1, unitPrice: 1 }],
      });
      const stranger = await team(s);
      expect((await call(s, 'GET', `/api/v1/quotes/${q.id}`, { token: stranger.manager.accessToken })).status).toBe(
        404,
      );
      expect((await getBytes(s, `/api/v1/quotes/${q.id}/pdf`, stranger.manager.accessToken)).status).toBe(404);
      expect((await setQuoteStatus(s, stranger.manager, q.id, 'sent')).status).toBe(404);
      const list = await call(s, 'GET', '/api/v1/quotes', { token: stranger.manager.accessToken });
      expect(list.body.items).toEqual([]);
    });
  },
);
