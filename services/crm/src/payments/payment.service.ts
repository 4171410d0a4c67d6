import type { WorkspaceScope } from '@hub/shared/auth';
import { AppError, notFound } from '@hub/shared/errors';
import type { z } from 'zod';
import { writeAudit } from '../audit/audit.repository';
import type { CrudContext } from '../http/crud';
import type { Page, PageQuery } from '../http/paging';
import { invoiceStatusFor, paymentKindFor } from '../invoices/invoice.balance';
import { updateInvoice } from '../invoices/invoice.repository';
import { invoiceRecord } from '../invoices/invoice.service';
import { formatMoney } from '../money/money';
import { invalidField, stateConflict, unprocessable } from '../money/money.errors';
import type { NewPayment } from './payment.schemas';
import {
  cancelPaymentRow,
  findPayment,
  insertPayment,
  listPayments,
  paymentRowToRecord,
  type PaymentFilters,
  type PaymentRecord,
} from './payment.repository';

async function paymentRecord(scope: WorkspaceScope, id: string): Promise<PaymentRecord> {
  const row = await findPayment(scope, id);
  if (!row) throw notFound('payment');
  return paymentRowToRecord(row);
}

export const paymentService = {
  /**
   * Records a payment against an invoice. The invoice row is locked for the transaction, so
   * two payments on one invoice are checked against the balance one after the other and can
   * never overpay it together. The payment, the invoice's new amountPaid/status and both audit
   * rows commit together.
   */
  create(ctx: CrudContext, body: z.output<typeof NewPayment>): Promise<PaymentRecord> {
    return ctx.scope.transaction(async (tx) => {
      const invoice = await invoiceRecord(tx, body.invoiceId, ctx.now, { forUpdate: true }).catch((err: unknown) => {
        throw err instanceof AppError && err.code === 'invoice_not_found'
          ? invalidField('invoiceId', 'no such invoice')
          : err;
      });
      if (invoice.status === 'void') throw stateConflict('invoice_void', 'a void invoice cannot be paid', 'invoiceId');
      if (body.currency && body.currency !== invoice.currency) {
        throw unprocessable('currency_mismatch', 'currency', `the invoice is in ${invoice.currency}`);
      }
      if (body.amount > invoice.balance) {
        throw new AppError(
          'unprocessable',
          'payment_exceeds_balance',
          `the payment of ${formatMoney(body.amount, invoice.currency)} exceeds the balance due of ${formatMoney(invoice.balance, invoice.currency)}`,
          [
            {
              field: 'amount',
              message:
                invoice.balance === 0
                  ? 'the invoice is already paid'
                  : `must be at most ${invoice.balance} (the balance due)`,
              balance: invoice.balance,
            },
          ],
        );
      }
      const paid = invoice.amountPaid + body.amount;
      const balanceAfter = invoice.total - paid;
      const row = await insertPayment(tx, {
        invoice_id: invoice.id,
        amount: body.amount,
        currency: invoice.currency,
        method: body.method,
        paid_at: body.paidAt ? new Date(body.paidAt) : ctx.now,
        reference: body.reference ?? null,
        notes: body.notes ?? null,
        kind: paymentKindFor(balanceAfter),
        balance_after: balanceAfter,
        created_by: ctx.auth.userId,
      });
      await updateInvoice(
        tx,
        invoice.id,
        { amount_paid: paid, status: invoiceStatusFor(invoice.total, paid) },
        ctx.now,
      );
      const rec = await paymentRecord(tx, row.id);
      await writeAudit(tx, { table: 'payments', recordId: row.id, action: 'create', after: rec });
      await writeAudit(tx, {
        table: 'invoices',
        recordId: invoice.id,
        action: 'update',
        before: invoice,
        after: await invoiceRecord(tx, invoice.id, ctx.now),
      });
      return rec;
    });
  },

  list(ctx: CrudContext, q: PaymentFilters & PageQuery): Promise<Page<PaymentRecord>> {
    return listPayments(ctx.scope, q);
  },

  get(ctx: CrudContext, id: string): Promise<PaymentRecord> {
    return paymentRecord(ctx.scope, id);
  },

  /** Cancels a payment (entered by mistake, bounced): the invoice's balance and status follow. */
  remove(ctx: CrudContext, id: string): Promise<void> {
    return ctx.scope.transaction(async (tx) => {
      const existing = await paymentRecord(tx, id);
      const invoice = await invoiceRecord(tx, existing.invoiceId, ctx.now, { forUpdate: true });
      const before = await paymentRecord(tx, id);
      const paid = invoice.amountPaid - before.amount;
      await cancelPaymentRow(tx, id, ctx.now);
      await updateInvoice(
        tx,
        invoice.id,
        { amount_paid: paid, status: invoiceStatusFor(invoice.total, paid) },
        ctx.now,
      );
      await writeAudit(tx, { table: 'payments', recordId: id, action: 'delete', before });
      await writeAudit(tx, {
        table: 'invoices',
        recordId: invoice.id,
        action: 'update',
        before: invoice,
        after: await invoiceRecord(tx, invoice.id, ctx.now),
      });
    });
  },
};
