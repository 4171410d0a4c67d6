import { randomUUID } from 'node:crypto';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { expect } from 'vitest';
import { call, newPhone, type Crm, type Session } from './crm-test-client';

// Helpers for the money suites: records created through the API (so audit, numbering and
// rules apply), conversations inserted the way the inbound worker would, and PDF text read
// back with pdf.js.

/** Every text run of every page, joined with spaces. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  const parts: string[] = [];
  for (let p = 1; p <= pdf.numPages; p++) {
    const page = await pdf.getPage(p);
    const content = await page.getTextContent();
    for (const item of content.items) if ('str' in item) parts.push(item.str);
  }
  await pdf.destroy();
  return parts.join(' ').replace(/\s+/g, ' ');
}

/** GET a binary route: status, content type and bytes. */
export async function getBytes(svc: Crm, path: string, token: string) {
  const res = await fetch(`${svc.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

/** Asserts the answer's status; shows the body when it is not the expected one. */
export function expectStatus(res: { status: number; body: unknown }, status: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
}

export async function createContact(svc: Crm, s: Session, body: Record<string, unknown> = {}) {
  const res = await call(svc, 'POST', '/api/v1/contacts', {
    token: s.accessToken,
    body: { name: 'José Núñez', phone: newPhone(), ...body },
  });
  expectStatus(res, 201);
  return res.body as { id: string; name: string; status: string };
}

export async function createLead(svc: Crm, s: Session, contactId: string, body: Record<string, unknown> = {}) {
  const res = await call(svc, 'POST', '/api/v1/leads', {
    token: s.accessToken,
    body: { contactId, source: 'whatsapp', ...body },
  });
  expectStatus(res, 201);
  return res.body as { id: string; contactId: string; status: string; campaignId: string | null };
}

export async function createService(svc: Crm, s: Session, body: Record<string, unknown> = {}) {
  const res = await call(svc, 'POST', '/api/v1/services', {
    token: s.accessToken,
    body: { name: 'Consultoría', price: 1999, currency: 'EUR', ...body },
  });
  expectStatus(res, 201);
  return res.body as { id: string; price: number; currency: string; contractsSigned: number };
}

export interface QuoteBody {
  leadId?: string;
  contactId?: string;
  currency?: string;
  validUntil?: string;
  notes?: string;
  lines: Record<string, unknown>[];
}

export async function createQuote(svc: Crm, s: Session, body: QuoteBody) {
  const res = await call(svc, 'POST', '/api/v1/quotes', { token: s.accessToken, body });
  expectStatus(res, 201);
  return res.body as {
    id: string;
    number: number;
    reference: string;
    total: number;
    status: string;
    contactId: string;
  };
}

export async function setQuoteStatus(svc: Crm, s: Session, id: string, status: string) {
  return call(svc, 'POST', `/api/v1/quotes/${id}/status`, { token: s.accessToken, body: { status } });
}

/** A quote taken to accepted (draft → sent → accepted). */
export async function acceptedQuote(svc: Crm, s: Session, body: QuoteBody) {
  const q = await createQuote(svc, s, body);
  expectStatus(await setQuoteStatus(svc, s, q.id, 'sent'), 200);
  const accepted = await setQuoteStatus(svc, s, q.id, 'accepted');
  expectStatus(accepted, 200);
  return accepted.body as typeof q;
}

export async function createInvoice(svc: Crm, s: Session, body: Record<string, unknown>) {
  const res = await call(svc, 'POST', '/api/v1/invoices', { token: s.accessToken, body });
  expectStatus(res, 201);
  return res.body as { id: string; number: number; total: number; balance: number; status: string; currency: string };
}

export async function pay(
  svc: Crm,
  s: Session,
  invoiceId: string,
  amount: number,
  extra: Record<string, unknown> = {},
) {
  return call(svc, 'POST', '/api/v1/payments', {
    token: s.accessToken,
    body: { invoiceId, amount, method: 'transfer', ...extra },
  });
}

/**
 * A channel and a conversation with the contact, inserted as the inbound worker would leave
 * them (the CRM does not create conversations itself).
 */
export async function insertConversation(
  svc: Crm,
  workspaceId: string,
  contactId: string,
): Promise<{ id: string; channelId: string }> {
  const db = svc.rt.database.db;
  const channel = await db
    .insertInto('channels')
    .values({
      workspace_id: workspaceId,
      type: 'telegram',
      name: 'Test bot',
      credentials: 'not-a-real-ciphertext',
      external_id: `bot-${randomUUID()}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const conv = await db
    .insertInto('conversations')
    .values({
      workspace_id: workspaceId,
      channel_id: channel.id,
      contact_id: contactId,
      last_activity_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: conv.id, channelId: channel.id };
}

export async function auditRows(svc: Crm, workspaceId: string, table: string, recordId: string) {
  return svc.rt.database.db
    .selectFrom('audit_log')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('table_name', '=', table)
    .where('record_id', '=', recordId)
    .orderBy('at')
    .execute();
}
