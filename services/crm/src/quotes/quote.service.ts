import type { AssigneeVisibility, WorkspaceScope } from '@hub/shared/auth';
import { notFound } from '@hub/shared/errors';
import type { z } from 'zod';
import { writeAudit } from '../audit/audit.repository';
import { findServicesByIds } from '../catalog/catalog.repository';
import { findContact } from '../contacts/contact.repository';
import type { CrudContext } from '../http/crud';
import type { Page, PageQuery } from '../http/paging';
import { findLead } from '../leads/lead.repository';
import { callerVisibility } from '../money/caller-visibility';
import { documentTotals, lineAmounts, type DocumentTotals } from '../money/money';
import { invalidField, stateConflict, unprocessable } from '../money/money.errors';
import { dayOf } from '../money/money.schemas';
import { nextDocumentNumber } from '../money/numbering.repository';
import { quoteTransitions, type NewQuote, type NewQuoteLine, type QuotePatch, type QuoteStatus } from './quote.schemas';
import {
  findQuoteRow,
  insertQuote,
  linesOf,
  listQuotes,
  quoteInUse,
  quoteRowToRecord,
  replaceLines,
  updateQuote,
  type QuoteFilters,
  type QuoteRecord,
  type QuoteValues,
} from './quote.repository';

type LineInput = z.output<typeof NewQuoteLine>;

export async function quoteRecord(
  scope: WorkspaceScope,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<QuoteRecord> {
  const row = await findQuoteRow(scope, id, opts);
  if (!row) throw notFound('quote');
  return quoteRowToRecord(row, await linesOf(scope, [id]));
}

interface PricedLines {
  currency: string;
  rows: {
    position: number;
    service_id: string | null;
    description: string;
    quantity: number;
    unit_price: number;
    discount_bp: number;
    tax_rate_bp: number;
    subtotal: number;
    discount: number;
    net: number;
    tax: number;
    total: number;
  }[];
  totals: DocumentTotals;
}

/**
 * Lines as typed → lines with their amounts and the quote's totals (money/money.ts holds the
 * rounding rule). A service gives a line its default description and price; a service priced
 * in another currency needs an explicit unitPrice (no conversion happens here).
 */
async function priceLines(tx: WorkspaceScope, lines: LineInput[], currency: string | undefined): Promise<PricedLines> {
  const ids = [...new Set(lines.flatMap((l) => (l.serviceId ? [l.serviceId] : [])))];
  const services = new Map((await findServicesByIds(tx, ids)).map((s) => [s.id, s]));
  lines.forEach((l, i) => {
    const svc = l.serviceId ? services.get(l.serviceId) : undefined;
    if (l.serviceId && !svc) throw invalidField(`lines.${i}.serviceId`, 'no such service');
    if (svc && !svc.active) throw invalidField(`lines.${i}.serviceId`, 'the service is not active');
  });
  const firstService = lines.find((l) => l.serviceId);
  const cur = currency ?? (firstService ? services.get(firstService.serviceId!)!.currency : undefined);
  if (!cur) throw invalidField('currency', 'is required when no line names a service');
  const rows = lines.map((l, i) => {
    const field = `lines.${i}`;
    const svc = l.serviceId ? services.get(l.serviceId) : undefined;
    if (svc && l.unitPrice === undefined && svc.currency !== cur) {
      throw unprocessable(
        'currency_mismatch',
        `${field}.serviceId`,
        `the service is priced in ${svc.currency} and the quote is in ${cur}: give this line a unitPrice in ${cur}`,
      );
    }
    const unitPrice = l.unitPrice ?? Number(svc!.price);
    const amounts = lineAmounts(
      { quantity: l.quantity, unitPrice, discountBp: l.discountBp, taxRateBp: l.taxRateBp },
      field,
    );
    return {
      position: i + 1,
      service_id: svc?.id ?? null,
      description: l.description ?? svc!.name,
      quantity: l.quantity,
      unit_price: unitPrice,
      discount_bp: l.discountBp,
      tax_rate_bp: l.taxRateBp,
      ...amounts,
    };
  });
  return { currency: cur, rows, totals: documentTotals(rows) };
}

const totalsColumns = (t: DocumentTotals) => ({
  subtotal: t.subtotal,
  discount_total: t.discountTotal,
  tax_total: t.taxTotal,
  total: t.total,
});

/** The customer of a new quote: the lead's contact, or the contact named. */
async function customerOf(
  tx: WorkspaceScope,
  vis: AssigneeVisibility,
  body: { leadId?: string | undefined; contactId?: string | undefined },
): Promise<{ leadId: string | null; contactId: string; leadCurrency: string | null }> {
  if (body.leadId) {
    const lead = await findLead(tx, body.leadId, vis);
    if (!lead) throw invalidField('leadId', 'no such lead');
    if (body.contactId && body.contactId !== lead.contact_id)
      throw invalidField('contactId', "is not the lead's contact");
    return { leadId: lead.id, contactId: lead.contact_id, leadCurrency: lead.currency };
  }
  const contact = await findContact(tx, body.contactId!);
  if (!contact) throw invalidField('contactId', 'no such contact');
  return { leadId: null, contactId: contact.id, leadCurrency: null };
}

export function assertTransition(from: QuoteStatus, to: QuoteStatus): void {
  const allowed: readonly QuoteStatus[] = quoteTransitions[from];
  if (!allowed.includes(to)) {
    throw stateConflict(
      'invalid_status_transition',
      `a ${from} quote cannot become ${to} (allowed: ${allowed.length ? allowed.join(', ') : 'none'})`,
      'status',
    );
  }
}

/** Changes a quote's status inside `tx` (audited); used by the route and by send-to-conversation. */
export async function changeQuoteStatus(
  tx: WorkspaceScope,
  id: string,
  to: QuoteStatus,
  now: Date,
): Promise<QuoteRecord> {
  const before = await quoteRecord(tx, id, { forUpdate: true });
  if (before.status === to) return before;
  assertTransition(before.status, to);
  if (to === 'accepted' && before.validUntil && before.validUntil < dayOf(now)) {
    throw stateConflict('quote_expired', `the quote was valid until ${before.validUntil}`, 'validUntil');
  }
  const values: QuoteValues = { status: to };
  switch (to) {
    case 'sent':
      values.sent_at = now;
      values.decided_at = null;
      break;
    case 'accepted':
    case 'rejected':
    case 'expired':
      values.decided_at = now;
      break;
    case 'draft':
      values.decided_at = null;
      break;
  }
  await updateQuote(tx, id, values, now);
  const after = await quoteRecord(tx, id);
  await writeAudit(tx, { table: 'quotes', recordId: id, action: 'update', before, after });
  return after;
}

export const quoteService = {
  async create(ctx: CrudContext, body: z.output<typeof NewQuote>): Promise<QuoteRecord> {
    const vis = await callerVisibility(ctx);
    return ctx.scope.transaction(async (tx) => {
      const customer = await customerOf(tx, vis, body);
      const priced = await priceLines(tx, body.lines, body.currency ?? customer.leadCurrency ?? undefined);
      // Taken last, right before the insert: the counter row stays locked for as short a time as possible.
      const number = await nextDocumentNumber(tx, 'quote');
      const row = await insertQuote(tx, {
        number,
        lead_id: customer.leadId,
        contact_id: customer.contactId,
        currency: priced.currency,
        valid_until: body.validUntil ?? null,
        notes: body.notes ?? null,
        ...totalsColumns(priced.totals),
        created_by: ctx.auth.userId,
      });
      await replaceLines(tx, row.id, priced.rows);
      const rec = await quoteRecord(tx, row.id);
      await writeAudit(tx, { table: 'quotes', recordId: row.id, action: 'create', after: rec });
      return rec;
    });
  },

  list(ctx: CrudContext, q: QuoteFilters & PageQuery): Promise<Page<QuoteRecord>> {
    return listQuotes(ctx.scope, q);
  },

  get(ctx: CrudContext, id: string): Promise<QuoteRecord> {
    return quoteRecord(ctx.scope, id);
  },

  update(ctx: CrudContext, id: string, patch: z.output<typeof QuotePatch>): Promise<QuoteRecord> {
    return ctx.scope.transaction(async (tx) => {
      const before = await quoteRecord(tx, id, { forUpdate: true });
      if (before.status !== 'draft') {
        throw stateConflict(
          'quote_not_editable',
          `only a draft can be changed; this quote is ${before.status}`,
          'status',
        );
      }
      const values: QuoteValues = {};
      if (patch.validUntil !== undefined) values.valid_until = patch.validUntil;
      if (patch.notes !== undefined) values.notes = patch.notes;
      if (patch.lines !== undefined || patch.currency !== undefined) {
        const lines: LineInput[] =
          patch.lines ??
          before.lines.map((l) => ({
            ...(l.serviceId ? { serviceId: l.serviceId } : {}),
            description: l.description,
            quantity: l.quantity,
            unitPrice: l.unitPrice,
            discountBp: l.discountBp,
            taxRateBp: l.taxRateBp,
          }));
        const priced = await priceLines(tx, lines, patch.currency ?? before.currency);
        Object.assign(values, { currency: priced.currency, ...totalsColumns(priced.totals) });
        await replaceLines(tx, id, priced.rows);
      }
      await updateQuote(tx, id, values, ctx.now);
      const after = await quoteRecord(tx, id);
      await writeAudit(tx, { table: 'quotes', recordId: id, action: 'update', before, after });
      return after;
    });
  },

  remove(ctx: CrudContext, id: string): Promise<void> {
    return ctx.scope.transaction(async (tx) => {
      const before = await quoteRecord(tx, id, { forUpdate: true });
      if (await quoteInUse(tx, id)) {
        throw stateConflict('quote_in_use', 'the quote has a contract or an invoice; delete or void those first');
      }
      await updateQuote(tx, id, { deleted_at: ctx.now }, ctx.now);
      await writeAudit(tx, { table: 'quotes', recordId: id, action: 'delete', before });
    });
  },

  setStatus(ctx: CrudContext, id: string, status: QuoteStatus): Promise<QuoteRecord> {
    return ctx.scope.transaction((tx) => changeQuoteStatus(tx, id, status, ctx.now));
  },
};
