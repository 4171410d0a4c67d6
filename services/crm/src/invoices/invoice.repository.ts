import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { ScopedInsert, WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';
import { dayOf } from '../money/money.schemas';
import { documentReference } from '../money/numbering.repository';
import type { Invoice, InvoiceStatus } from './invoice.schemas';

export type InvoiceRow = Selectable<DB['invoices']>;
export type InvoiceRecord = z.output<typeof Invoice>;
export type InvoiceWithRefs = InvoiceRow & {
  contact_name: string;
  contact_phone: string | null;
  quote_number: number;
  contract_number: number | null;
};

export function invoiceRowToRecord(row: InvoiceWithRefs, now: Date): InvoiceRecord {
  const total = Number(row.total);
  const paid = Number(row.amount_paid);
  const open = row.status === 'pending' || row.status === 'partially_paid';
  return {
    id: row.id,
    number: row.number,
    reference: documentReference('invoice', row.number),
    contractId: row.contract_id,
    contractReference: row.contract_number === null ? null : documentReference('contract', row.contract_number),
    quoteId: row.quote_id,
    quoteReference: documentReference('quote', row.quote_number),
    leadId: row.lead_id,
    contactId: row.contact_id,
    contact: { id: row.contact_id, name: row.contact_name, phone: row.contact_phone },
    currency: row.currency,
    subtotal: Number(row.subtotal),
    discountTotal: Number(row.discount_total),
    taxTotal: Number(row.tax_total),
    total,
    amountPaid: paid,
    balance: total - paid,
    status: row.status as InvoiceStatus,
    issuedOn: row.issued_on,
    dueOn: row.due_on,
    overdue: open && row.due_on < dayOf(now),
    notes: row.notes,
    voidedAt: row.voided_at?.toISOString() ?? null,
    voidReason: row.void_reason,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function invoicesWithRefs(scope: WorkspaceScope) {
  return scope
    .selectFrom('invoices')
    .innerJoin('contacts', 'contacts.id', 'invoices.contact_id')
    .innerJoin('quotes', 'quotes.id', 'invoices.quote_id')
    .leftJoin('contracts', 'contracts.id', 'invoices.contract_id')
    .selectAll('invoices')
    .select([
      'contacts.name as contact_name',
      'contacts.phone as contact_phone',
      'quotes.number as quote_number',
      'contracts.number as contract_number',
    ]);
}

export function findInvoiceRow(
  scope: WorkspaceScope,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<InvoiceWithRefs | undefined> {
  let q = invoicesWithRefs(scope).where('invoices.id', '=', id);
  // Locks the invoice row only: payments on one invoice are applied one at a time.
  if (opts.forUpdate) q = q.forUpdate('invoices');
  return q.executeTakeFirst();
}

export function findLiveInvoiceOfQuote(scope: WorkspaceScope, quoteId: string) {
  return scope
    .selectFrom('invoices')
    .select(['invoices.id', 'invoices.number'])
    .where('invoices.quote_id', '=', quoteId)
    .where('invoices.status', '<>', 'void')
    .executeTakeFirst();
}

export function insertInvoice(scope: WorkspaceScope, values: ScopedInsert<'invoices'>): Promise<InvoiceRow> {
  return scope.insertInto('invoices', values).returningAll().executeTakeFirstOrThrow();
}

export type InvoiceValues = Partial<
  Pick<InvoiceRow, 'due_on' | 'notes' | 'status' | 'amount_paid' | 'voided_at' | 'void_reason'>
>;

export async function updateInvoice(
  scope: WorkspaceScope,
  id: string,
  values: InvoiceValues,
  now: Date,
): Promise<void> {
  await scope
    .updateTable('invoices')
    .set({ ...values, updated_at: now })
    .where('invoices.id', '=', id)
    .execute();
}

export interface InvoiceFilters {
  status?: string | undefined;
  contactId?: string | undefined;
  leadId?: string | undefined;
  contractId?: string | undefined;
  quoteId?: string | undefined;
  overdue?: boolean | undefined;
}

export async function listInvoices(
  scope: WorkspaceScope,
  f: InvoiceFilters & PageQuery,
  now: Date,
): Promise<Page<InvoiceRecord>> {
  let q = invoicesWithRefs(scope).select(cursorColumn('invoices.created_at'));
  if (f.status) q = q.where('invoices.status', '=', f.status);
  if (f.contactId) q = q.where('invoices.contact_id', '=', f.contactId);
  if (f.leadId) q = q.where('invoices.lead_id', '=', f.leadId);
  if (f.contractId) q = q.where('invoices.contract_id', '=', f.contractId);
  if (f.quoteId) q = q.where('invoices.quote_id', '=', f.quoteId);
  if (f.overdue !== undefined) {
    const overdue = sql<boolean>`(invoices.status in ('pending', 'partially_paid') and invoices.due_on < ${dayOf(now)})`;
    q = q.where(f.overdue ? overdue : sql<boolean>`not ${overdue}`);
  }
  const rows = await keysetPage(q, f, 'invoices.created_at', 'invoices.id').execute();
  return toPage(rows, f, (r) => invoiceRowToRecord(r, now));
}
