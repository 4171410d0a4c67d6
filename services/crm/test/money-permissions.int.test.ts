import { beforeAll, expect, it } from 'vitest';
import { isAllowed, roles, type Role } from '@hub/shared/auth';
import { describeDrivers } from '@hub/shared/testing';
import { routeCatalog } from '../src/http/route';
import { call, startCrm, team, type Crm, type Team } from './crm-test-client';
import {
  acceptedQuote,
  createContact,
  createInvoice,
  createLead,
  createService,
  insertConversation,
  pay,
} from './money-fixtures';

// Who may do what on the money routes, as a table written by hand from the issue: marketers own
// services and campaigns; managers own quotes, contracts, invoices and payments; admins (and
// supervisors) everything; campaign figures and consultations are for every role. The table is
// checked against the permission matrix (data) and against the running API, on real records.

type Row = [method: string, path: string, allowed: Record<Role, boolean>, body?: (ids: Ids) => unknown];
const who = (
  admin: 0 | 1,
  supervisor: 0 | 1,
  agent: 0 | 1,
  marketer: 0 | 1,
  manager: 0 | 1,
): Record<Role, boolean> => ({
  admin: !!admin,
  supervisor: !!supervisor,
  agent: !!agent,
  marketer: !!marketer,
  manager: !!manager,
});

interface Ids {
  service: string;
  campaign: string;
  contact: string;
  lead: string;
  quote: string;
  contract: string;
  invoice: string;
  payment: string;
}

const table: Row[] = [
  ['GET', '/services', who(1, 1, 1, 1, 1)],
  ['POST', '/services', who(1, 1, 0, 1, 0), () => ({ name: 'Nuevo', price: 100, currency: 'EUR' })],
  ['PATCH', '/services/:service', who(1, 1, 0, 1, 0), () => ({ price: 2500 })],
  ['DELETE', '/services/:service', who(1, 1, 0, 1, 0)],
  ['GET', '/campaigns', who(1, 1, 0, 1, 1)],
  ['POST', '/campaigns', who(1, 1, 0, 1, 0), () => ({ name: 'C', channel: 'web', currency: 'EUR' })],
  ['PATCH', '/campaigns/:campaign', who(1, 1, 0, 1, 0), () => ({ budget: 1000 })],
  ['GET', '/campaigns/stats', who(1, 1, 1, 1, 1)],
  ['GET', '/campaigns/:campaign/stats', who(1, 1, 1, 1, 1)],
  ['GET', '/quotes', who(1, 1, 1, 0, 1)],
  [
    'POST',
    '/quotes',
    who(1, 1, 1, 0, 1),
    (ids) => ({ leadId: ids.lead, lines: [{ serviceId: ids.service, quantity: 1 }] }),
  ],
  ['GET', '/quotes/:quote/pdf', who(1, 1, 1, 0, 1)],
  ['POST', '/quotes/:quote/status', who(1, 1, 0, 0, 1), () => ({ status: 'accepted' })],
  ['POST', '/quotes/:quote/send-to-conversation', who(1, 1, 0, 0, 1), () => ({})],
  ['GET', '/contracts', who(1, 1, 0, 0, 1)],
  ['POST', '/contracts', who(1, 1, 0, 0, 1), (ids) => ({ quoteId: ids.quote })],
  ['PATCH', '/contracts/:contract', who(1, 1, 0, 0, 1), () => ({ terms: 'Nuevas condiciones' })],
  ['GET', '/contracts/:contract/pdf', who(1, 1, 0, 0, 1)],
  ['GET', '/contracts/:contract/versions', who(1, 1, 0, 0, 1)],
  ['GET', '/invoices', who(1, 1, 0, 0, 1)],
  ['POST', '/invoices', who(1, 1, 0, 0, 1), (ids) => ({ contractId: ids.contract })],
  ['GET', '/invoices/:invoice/pdf', who(1, 1, 0, 0, 1)],
  ['GET', '/payments', who(1, 1, 0, 0, 1)],
  ['POST', '/payments', who(1, 1, 0, 0, 1), (ids) => ({ invoiceId: ids.invoice, amount: 1, method: 'cash' })],
  ['GET', '/payments/:payment', who(1, 1, 0, 0, 1)],
  ['GET', '/consultations', who(1, 1, 1, 1, 1)],
  ['POST', '/leads/:lead/convert', who(1, 1, 1, 0, 1), () => ({})],
  ['GET', '/contact-notes?contactId=:contact', who(1, 1, 1, 1, 1)],
];

const fill = (path: string, ids: Ids) => path.replace(/:(\w+)/g, (_, k: keyof Ids) => ids[k]);
const catalogKey = (method: string, path: string) =>
  `${method} /api/v1${path.split('?')[0]!.replace(/:(service|campaign|quote|contract|invoice|payment|lead)\b/g, ':id')}`;

describeDrivers(
  'money permissions by role',
  async (set) =>
    Object.assign(await startCrm(set), { team: undefined as Team | undefined, ids: undefined as Ids | undefined }),
  (svc) => {
    beforeAll(async () => {
      const s = svc() as Crm;
      const t = await team(s);
      svc().team = t;
      const service = await createService(s, t.marketer);
      const campaign = await call(s, 'POST', '/api/v1/campaigns', {
        token: t.marketer.accessToken,
        body: { name: 'P', channel: 'web', currency: 'EUR' },
      });
      const contact = await createContact(s, t.manager);
      const conv = await insertConversation(s, t.admin.user.workspaceId, contact.id);
      const lead = await createLead(s, t.admin, contact.id, { conversationId: conv.id });
      const quote = await acceptedQuote(s, t.manager, {
        leadId: lead.id,
        currency: 'EUR',
        lines: [{ description: 'x', quantity: 1, unitPrice: 100_000 }],
      });
      const contract = await call(s, 'POST', '/api/v1/contracts', {
        token: t.manager.accessToken,
        body: { quoteId: quote.id },
      });
      await call(s, 'POST', `/api/v1/contracts/${contract.body.id}/sign`, { token: t.manager.accessToken, body: {} });
      const invoice = await createInvoice(s, t.manager, { contractId: contract.body.id });
      const payment = await pay(s, t.manager, invoice.id, 10);
      svc().ids = {
        service: service.id,
        campaign: campaign.body.id,
        contact: contact.id,
        lead: lead.id,
        quote: quote.id,
        contract: contract.body.id,
        invoice: invoice.id,
        payment: payment.body.id,
      };
    });

    it('agrees with the permission matrix (the data the middleware applies)', () => {
      const disagreements: string[] = [];
      for (const [method, path, allowed] of table) {
        const meta = routeCatalog.get(catalogKey(method, path));
        if (!meta || meta.access.kind !== 'permission') {
          disagreements.push(`${method} ${path}: not a permission route in the catalog`);
          continue;
        }
        for (const role of roles) {
          if (isAllowed(role, meta.access.resource, meta.access.action) !== allowed[role]) {
            disagreements.push(`${role} ${method} ${path}: table ${allowed[role]}, matrix ${!allowed[role]}`);
          }
        }
      }
      expect(disagreements).toEqual([]);
    });

    it('answers 403 to the roles the table denies and serves the roles it allows', async () => {
      const s = svc() as Crm;
      const ids = svc().ids!;
      const mismatches: string[] = [];
      // Reads and writes first, deletes last, so a delete does not turn later calls into 404s.
      const ordered = [...table].sort((a, b) => Number(a[0] === 'DELETE') - Number(b[0] === 'DELETE'));
      for (const [method, path, allowed, body] of ordered) {
        for (const role of roles) {
          const res = await call(s, method, `/api/v1${fill(path, ids)}`, {
            token: svc().team![role].accessToken,
            ...(body ? { body: body(ids) } : {}),
          });
          const ok = allowed[role]
            ? res.status !== 403 && res.status !== 401 && res.status < 500
            : res.status === 403 && res.body?.error?.code === 'forbidden';
          if (!ok)
            mismatches.push(`${role} ${method} ${path} → ${res.status} ${JSON.stringify(res.body?.error ?? '')}`);
        }
      }
      expect(mismatches).toEqual([]);
    });

    it('lets each owner actually do its job', async () => {
      const s = svc() as Crm;
      const t = svc().team!;
      expect(
        (
          await call(s, 'POST', '/api/v1/services', {
            token: t.marketer.accessToken,
            body: { name: 'M', price: 1, currency: 'EUR' },
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await call(s, 'POST', '/api/v1/campaigns', {
            token: t.marketer.accessToken,
            body: { name: 'M', channel: 'web', currency: 'EUR' },
          })
        ).status,
      ).toBe(201);
      const contact = await createContact(s, t.manager);
      const q = await call(s, 'POST', '/api/v1/quotes', {
        token: t.manager.accessToken,
        body: { contactId: contact.id, currency: 'EUR', lines: [{ description: 'x', quantity: 1, unitPrice: 10 }] },
      });
      expect(q.status).toBe(201);
      expect(
        (
          await call(s, 'POST', `/api/v1/quotes/${q.body.id}/status`, {
            token: t.manager.accessToken,
            body: { status: 'sent' },
          })
        ).status,
      ).toBe(200);
    });

    it('describes every money route in the OpenAPI document', async () => {
      const doc = await call(svc(), 'GET', '/api/openapi.json');
      expect(doc.status).toBe(200);
      const paths = doc.body.paths as Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
      const missing = table
        .map(
          ([method, path]) =>
            [
              method.toLowerCase(),
              catalogKey(method, path)
                .split(' ')[1]!
                .replace(/:(\w+)/g, '{$1}'),
            ] as const,
        )
        .filter(([method, path]) => !paths[path]?.[method]);
      expect(missing).toEqual([]);
      expect(Object.keys(paths['/api/v1/quotes/{id}/pdf']!.get!.responses['200']!.content!)).toEqual([
        'application/pdf',
      ]);
      expect(paths['/api/v1/payments']!.post!.responses['422']).toBeDefined();
      for (const p of [
        '/api/v1/contracts/{id}/sign',
        '/api/v1/invoices/{id}/void',
        '/api/v1/contracts/{id}/versions/{version}/pdf',
      ]) {
        expect(Object.keys(paths[p] ?? {}), p).not.toEqual([]);
      }
      expect(doc.body.components.schemas.Quote.description).toContain('half-up');
    });
  },
);
