import type { Insertable, Selectable } from 'kysely';
import type { z } from 'zod';
import type { ScopedInsert, WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';
import { documentReference } from '../money/numbering.repository';
import type { Quote, QuoteLine, QuoteStatus } from './quote.schemas';

export type QuoteRow = Selectable<DB['quotes']>;
export type QuoteLineRow = Selectable<DB['quote_lines']>;
export type QuoteRecord = z.output<typeof Quote>;
type QuoteWithContact = QuoteRow & { contact_name: string; contact_phone: string | null };

export function quoteLineRowToRecord(l: QuoteLineRow): z.output<typeof QuoteLine> {
  return {
    id: l.id,
    position: l.position,
    serviceId: l.service_id,
    description: l.description,
    quantity: l.quantity,
    unitPrice: Number(l.unit_price),
    discountBp: l.discount_bp,
    taxRateBp: l.tax_rate_bp,
    subtotal: Number(l.subtotal),
    discount: Number(l.discount),
    net: Number(l.net),
    tax: Number(l.tax),
    total: Number(l.total),
  };
}

export function quoteRowToRecord(row: QuoteWithContact, lines: QuoteLineRow[]): QuoteRecord {
  return {
    id: row.id,
    number: row.number,
    reference: documentReference('quote', row.number),
    leadId: row.lead_id,
    contactId: row.contact_id,
    contact: { id: row.contact_id, name: row.contact_name, phone: row.contact_phone },
    currency: row.currency,
    status: row.status as QuoteStatus,
    validUntil: row.valid_until,
    notes: row.notes,
    lines: lines
      .filter((l) => l.quote_id === row.id)
      .sort((a, b) => a.position - b.position)
      .map(quoteLineRowToRecord),
    subtotal: Number(row.subtotal),
    discountTotal: Number(row.discount_total),
    taxTotal: Number(row.tax_total),
    total: Number(row.total),
    sentAt: row.sent_at?.toISOString() ?? null,
    decidedAt: row.decided_at?.toISOString() ?? null,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function liveQuotes(scope: WorkspaceScope) {
  return scope
    .selectFrom('quotes')
    .innerJoin('contacts', 'contacts.id', 'quotes.contact_id')
    .selectAll('quotes')
    .select(['contacts.name as contact_name', 'contacts.phone as contact_phone'])
    .where('quotes.deleted_at', 'is', null);
}

export function findQuoteRow(
  scope: WorkspaceScope,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<QuoteWithContact | undefined> {
  let q = liveQuotes(scope).where('quotes.id', '=', id);
  // Locks the quote row (of: quotes) so two status changes or sends of one quote run in turn.
  if (opts.forUpdate) q = q.forUpdate('quotes');
  return q.executeTakeFirst();
}

export function linesOf(scope: WorkspaceScope, quoteIds: string[]): Promise<QuoteLineRow[]> {
  if (quoteIds.length === 0) return Promise.resolve([]);
  return scope
    .selectFrom('quote_lines')
    .selectAll()
    .where('quote_lines.quote_id', 'in', quoteIds)
    .orderBy('quote_lines.position')
    .execute();
}

export type QuoteValues = Partial<
  Pick<
    QuoteRow,
    | 'currency'
    | 'status'
    | 'valid_until'
    | 'notes'
    | 'subtotal'
    | 'discount_total'
    | 'tax_total'
    | 'total'
    | 'sent_at'
    | 'decided_at'
    | 'deleted_at'
  >
>;

export function insertQuote(scope: WorkspaceScope, values: ScopedInsert<'quotes'>): Promise<QuoteRow> {
  return scope.insertInto('quotes', values).returningAll().executeTakeFirstOrThrow();
}

export async function updateQuote(scope: WorkspaceScope, id: string, values: QuoteValues, now: Date): Promise<void> {
  await scope
    .updateTable('quotes')
    .set({ ...values, updated_at: now })
    .where('quotes.id', '=', id)
    .execute();
}

export async function replaceLines(
  scope: WorkspaceScope,
  quoteId: string,
  lines: Omit<Insertable<DB['quote_lines']>, 'workspace_id' | 'quote_id'>[],
): Promise<void> {
  await scope.deleteFrom('quote_lines').where('quote_lines.quote_id', '=', quoteId).execute();
  if (lines.length)
    await scope
      .insertInto(
        'quote_lines',
        lines.map((l) => ({ ...l, quote_id: quoteId })),
      )
      .execute();
}

export interface QuoteFilters {
  status?: string | undefined;
  leadId?: string | undefined;
  contactId?: string | undefined;
}

export async function listQuotes(scope: WorkspaceScope, f: QuoteFilters & PageQuery): Promise<Page<QuoteRecord>> {
  let q = liveQuotes(scope).select(cursorColumn('quotes.created_at'));
  if (f.status) q = q.where('quotes.status', '=', f.status);
  if (f.leadId) q = q.where('quotes.lead_id', '=', f.leadId);
  if (f.contactId) q = q.where('quotes.contact_id', '=', f.contactId);
  const rows = await keysetPage(q, f, 'quotes.created_at', 'quotes.id').execute();
  const lines = await linesOf(
    scope,
    rows.map((r) => r.id),
  );
  return toPage(rows, f, (r) => quoteRowToRecord(r, lines));
}

/** Whether a quote has a live contract or a not-void invoice (it can no longer be deleted). */
export async function quoteInUse(scope: WorkspaceScope, quoteId: string): Promise<boolean> {
  const contract = await scope
    .selectFrom('contracts')
    .select('contracts.id')
    .where('contracts.quote_id', '=', quoteId)
    .where('contracts.deleted_at', 'is', null)
    .executeTakeFirst();
  if (contract) return true;
  const invoice = await scope
    .selectFrom('invoices')
    .select('invoices.id')
    .where('invoices.quote_id', '=', quoteId)
    .where('invoices.status', '<>', 'void')
    .executeTakeFirst();
  return invoice !== undefined;
}

/** The customer's most recent conversation (for sending a quote without a lead conversation). */
export function latestConversationOfContact(scope: WorkspaceScope, contactId: string) {
  return scope
    .selectFrom('conversations')
    .selectAll('conversations')
    .where('conversations.contact_id', '=', contactId)
    .orderBy('conversations.last_activity_at', 'desc')
    .executeTakeFirst();
}

export function findConversation(scope: WorkspaceScope, id: string) {
  return scope
    .selectFrom('conversations')
    .selectAll('conversations')
    .where('conversations.id', '=', id)
    .executeTakeFirst();
}
