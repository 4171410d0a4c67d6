import type { WorkspaceScope } from '@hub/shared/auth';
import { AppError, notFound } from '@hub/shared/errors';
import type { z } from 'zod';
import { writeAudit } from '../audit/audit.repository';
import { findContact } from '../contacts/contact.repository';
import { contractRecord } from '../contracts/contract.service';
import type { CrudContext } from '../http/crud';
import { isUniqueViolation } from '../http/db-errors';
import type { Page, PageQuery } from '../http/paging';
import { invalidField, stateConflict, unprocessable } from '../money/money.errors';
import { addDays, dayOf } from '../money/money.schemas';
import { nextDocumentNumber } from '../money/numbering.repository';
import { renderInvoicePdf } from '../pdf/invoice.pdf';
import { quoteRecord } from '../quotes/quote.service';
import type { InvoicePatch, NewInvoice } from './invoice.schemas';
import {
  findInvoiceRow,
  findLiveInvoiceOfQuote,
  insertInvoice,
  invoiceRowToRecord,
  listInvoices,
  updateInvoice,
  type InvoiceFilters,
  type InvoiceRecord,
  type InvoiceValues,
} from './invoice.repository';

/** Days between issue and due date when none is given. */
export const DEFAULT_PAYMENT_TERM_DAYS = 30;

export async function invoiceRecord(
  scope: WorkspaceScope,
  id: string,
  now: Date,
  opts: { forUpdate?: boolean } = {},
): Promise<InvoiceRecord> {
  const row = await findInvoiceRow(scope, id, opts);
  if (!row) throw notFound('invoice');
  return invoiceRowToRecord(row, now);
}

const alreadyInvoiced = (field: string) =>
  new AppError('conflict', 'already_invoiced', 'this quote already has an invoice that is not void', [
    { field, message: 'already invoiced (void the invoice to bill again)' },
  ]);

const rethrowNotFoundAs = (code: string, field: string, message: string) => (err: unknown) => {
  throw err instanceof AppError && err.code === code ? invalidField(field, message) : err;
};

export const invoiceService = {
  async create(ctx: CrudContext, body: z.output<typeof NewInvoice>): Promise<InvoiceRecord> {
    const field = body.contractId ? 'contractId' : 'quoteId';
    try {
      return await ctx.scope.transaction(async (tx) => {
        let contractId: string | null = null;
        let quoteId: string;
        if (body.contractId) {
          const contract = await contractRecord(tx, body.contractId, { forUpdate: true }).catch(
            rethrowNotFoundAs('contract_not_found', 'contractId', 'no such contract'),
          );
          if (contract.status !== 'signed') {
            throw stateConflict('contract_not_signed', 'only a signed contract can be invoiced', 'contractId');
          }
          contractId = contract.id;
          quoteId = contract.quoteId;
        } else {
          quoteId = body.quoteId!;
        }
        const quote = await quoteRecord(tx, quoteId, { forUpdate: true }).catch(
          rethrowNotFoundAs('quote_not_found', 'quoteId', 'no such quote'),
        );
        if (quote.status !== 'accepted') {
          throw stateConflict(
            'quote_not_accepted',
            `only an accepted quote can be invoiced; this one is ${quote.status}`,
            field,
          );
        }
        if (quote.total === 0) throw unprocessable('nothing_to_invoice', field, 'the quote’s total is 0');
        if (await findLiveInvoiceOfQuote(tx, quote.id)) throw alreadyInvoiced(field);
        const issuedOn = body.issuedOn ?? dayOf(ctx.now);
        const dueOn = body.dueOn ?? addDays(issuedOn, DEFAULT_PAYMENT_TERM_DAYS);
        if (dueOn < issuedOn) throw invalidField('dueOn', 'must not be before issuedOn');
        const number = await nextDocumentNumber(tx, 'invoice');
        const row = await insertInvoice(tx, {
          number,
          contract_id: contractId,
          quote_id: quote.id,
          lead_id: quote.leadId,
          contact_id: quote.contactId,
          currency: quote.currency,
          subtotal: quote.subtotal,
          discount_total: quote.discountTotal,
          tax_total: quote.taxTotal,
          total: quote.total,
          issued_on: issuedOn,
          due_on: dueOn,
          notes: body.notes ?? null,
          created_by: ctx.auth.userId,
        });
        const rec = await invoiceRecord(tx, row.id, ctx.now);
        await writeAudit(tx, { table: 'invoices', recordId: row.id, action: 'create', after: rec });
        return rec;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'invoices_quote_key')) throw alreadyInvoiced(field);
      throw err;
    }
  },

  list(ctx: CrudContext, q: InvoiceFilters & PageQuery): Promise<Page<InvoiceRecord>> {
    return listInvoices(ctx.scope, q, ctx.now);
  },

  get(ctx: CrudContext, id: string): Promise<InvoiceRecord> {
    return invoiceRecord(ctx.scope, id, ctx.now);
  },

  update(ctx: CrudContext, id: string, patch: z.output<typeof InvoicePatch>): Promise<InvoiceRecord> {
    return ctx.scope.transaction(async (tx) => {
      const before = await invoiceRecord(tx, id, ctx.now, { forUpdate: true });
      if (before.status === 'void') throw stateConflict('invoice_void', 'a void invoice cannot be changed', 'status');
      const v: InvoiceValues = {};
      if (patch.dueOn !== undefined) {
        if (patch.dueOn < before.issuedOn) throw invalidField('dueOn', 'must not be before issuedOn');
        v.due_on = patch.dueOn;
      }
      if (patch.notes !== undefined) v.notes = patch.notes;
      await updateInvoice(tx, id, v, ctx.now);
      const after = await invoiceRecord(tx, id, ctx.now);
      await writeAudit(tx, { table: 'invoices', recordId: id, action: 'update', before, after });
      return after;
    });
  },

  /** Cancels an invoice nothing was paid on (a paid one needs its payments cancelled first). */
  void(ctx: CrudContext, id: string, body: { reason?: string | undefined }): Promise<InvoiceRecord> {
    return ctx.scope.transaction(async (tx) => {
      const before = await invoiceRecord(tx, id, ctx.now, { forUpdate: true });
      if (before.status === 'void') return before;
      if (before.amountPaid > 0) {
        throw stateConflict(
          'invoice_has_payments',
          'payments were received on this invoice; cancel them first',
          'status',
        );
      }
      await updateInvoice(tx, id, { status: 'void', voided_at: ctx.now, void_reason: body.reason ?? null }, ctx.now);
      const after = await invoiceRecord(tx, id, ctx.now);
      await writeAudit(tx, { table: 'invoices', recordId: id, action: 'void', before, after });
      return after;
    });
  },

  async pdf(ctx: CrudContext, id: string): Promise<{ fileName: string; bytes: Buffer }> {
    const inv = await invoiceRecord(ctx.scope, id, ctx.now);
    const [ws, quote, contact] = await Promise.all([
      ctx.scope.workspace(),
      quoteRecord(ctx.scope, inv.quoteId),
      findContact(ctx.scope, inv.contactId),
    ]);
    const bytes = await renderInvoicePdf({
      seller: ws.name,
      invoice: inv,
      lines: quote.lines,
      customer: {
        name: contact?.name ?? inv.contact.name,
        phone: contact?.phone ?? null,
        email: contact?.email ?? null,
        address: contact?.address ?? null,
      },
      now: ctx.now,
    });
    return { fileName: `${inv.reference}.pdf`, bytes };
  },
};
