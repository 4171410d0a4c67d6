import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { ScopedInsert, WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';
import { documentReference } from '../money/numbering.repository';
import type { InvoiceStatus } from '../invoices/invoice.schemas';
import type { Payment, PaymentMethod } from './payment.schemas';

export type PaymentRow = Selectable<DB['payments']>;
export type PaymentRecord = z.output<typeof Payment>;
type PaymentWithInvoice = PaymentRow & {
  invoice_number: number;
  invoice_status: string;
  invoice_total: number;
  invoice_amount_paid: number;
};

export function paymentRowToRecord(row: PaymentWithInvoice): PaymentRecord {
  const total = Number(row.invoice_total);
  const paid = Number(row.invoice_amount_paid);
  return {
    id: row.id,
    invoiceId: row.invoice_id,
    invoiceReference: documentReference('invoice', row.invoice_number),
    amount: Number(row.amount),
    currency: row.currency,
    method: row.method as z.output<typeof PaymentMethod>,
    paidAt: row.paid_at.toISOString(),
    reference: row.reference,
    notes: row.notes,
    kind: row.kind === 'total' ? 'total' : 'partial',
    balanceAfter: Number(row.balance_after),
    invoice: { status: row.invoice_status as InvoiceStatus, amountPaid: paid, balance: total - paid },
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

function livePayments(scope: WorkspaceScope) {
  return scope
    .selectFrom('payments')
    .innerJoin('invoices', 'invoices.id', 'payments.invoice_id')
    .selectAll('payments')
    .select([
      'invoices.number as invoice_number',
      'invoices.status as invoice_status',
      'invoices.total as invoice_total',
      'invoices.amount_paid as invoice_amount_paid',
    ])
    .where('payments.deleted_at', 'is', null);
}

export function findPayment(scope: WorkspaceScope, id: string): Promise<PaymentWithInvoice | undefined> {
  return livePayments(scope).where('payments.id', '=', id).executeTakeFirst();
}

export function insertPayment(scope: WorkspaceScope, values: ScopedInsert<'payments'>): Promise<PaymentRow> {
  return scope.insertInto('payments', values).returningAll().executeTakeFirstOrThrow();
}

export async function cancelPaymentRow(scope: WorkspaceScope, id: string, now: Date): Promise<void> {
  await scope.updateTable('payments').set({ deleted_at: now }).where('payments.id', '=', id).execute();
}

export interface PaymentFilters {
  invoiceId?: string | undefined;
  method?: string | undefined;
  contactId?: string | undefined;
}

export async function listPayments(scope: WorkspaceScope, f: PaymentFilters & PageQuery): Promise<Page<PaymentRecord>> {
  let q = livePayments(scope).select(cursorColumn('payments.created_at'));
  if (f.invoiceId) q = q.where('payments.invoice_id', '=', f.invoiceId);
  if (f.method) q = q.where('payments.method', '=', f.method);
  if (f.contactId) q = q.where('invoices.contact_id', '=', f.contactId);
  const rows = await keysetPage(q, f, 'payments.created_at', 'payments.id').execute();
  return toPage(rows, f, paymentRowToRecord);
}
