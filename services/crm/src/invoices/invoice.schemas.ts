import { z } from 'zod';
import { ContactRef, Day, Money } from '../money/money.schemas';

export const invoiceStatuses = ['pending', 'partially_paid', 'paid', 'void'] as const;
export const InvoiceStatus = z.enum(invoiceStatuses);
export type InvoiceStatus = z.infer<typeof InvoiceStatus>;

export const Invoice = z
  .object({
    id: z.uuid(),
    number: z.number().int().meta({ description: 'Per workspace: 1, 2, 3… with no gaps or duplicates' }),
    reference: z.string().meta({ example: 'INV-0004' }),
    contractId: z.uuid().nullable(),
    contractReference: z.string().nullable(),
    quoteId: z.uuid(),
    quoteReference: z.string(),
    leadId: z.uuid().nullable(),
    contactId: z.uuid(),
    contact: ContactRef,
    currency: z.string(),
    subtotal: Money,
    discountTotal: Money,
    taxTotal: Money,
    total: Money,
    amountPaid: Money.meta({ description: 'Sum of its payments' }),
    balance: Money.meta({ description: 'total − amountPaid' }),
    status: InvoiceStatus.meta({
      description:
        'pending (nothing paid), partially_paid, paid (balance 0) — derived from the payments; void when cancelled',
    }),
    issuedOn: Day,
    dueOn: Day,
    overdue: z.boolean().meta({ description: 'Not fully paid, not void, and past dueOn' }),
    notes: z.string().nullable(),
    voidedAt: z.iso.datetime().nullable(),
    voidReason: z.string().nullable(),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Invoice', description: 'Amounts in integer minor units of currency, copied from the quote it bills.' });

export const NewInvoice = z
  .object({
    contractId: z.uuid().optional().meta({ description: 'A signed contract (bills its quote)' }),
    quoteId: z.uuid().optional().meta({ description: 'An accepted quote' }),
    issuedOn: Day.optional().meta({ description: 'Default: today (UTC)' }),
    dueOn: Day.optional().meta({ description: 'Default: issuedOn + 30 days' }),
    notes: z.string().max(10_000).nullable().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (!v.contractId && !v.quoteId)
      ctx.addIssue({ code: 'custom', path: ['contractId'], message: 'contractId or quoteId is required' });
    if (v.contractId && v.quoteId)
      ctx.addIssue({ code: 'custom', path: ['quoteId'], message: 'give contractId or quoteId, not both' });
    if (v.issuedOn && v.dueOn && v.dueOn < v.issuedOn)
      ctx.addIssue({ code: 'custom', path: ['dueOn'], message: 'must not be before issuedOn' });
  })
  .meta({ id: 'NewInvoice' });

export const InvoicePatch = z
  .object({
    dueOn: Day.optional(),
    notes: z.string().max(10_000).nullable().optional(),
    status: z.never({ error: 'follows from the payments (and POST /api/v1/invoices/:id/void)' }).optional(),
  })
  .strict()
  .meta({ id: 'InvoicePatch' });

export const InvoiceVoid = z
  .object({ reason: z.string().trim().max(1000).optional() })
  .strict()
  .meta({ id: 'InvoiceVoid' });

export const InvoiceFilters = z.object({
  status: InvoiceStatus.optional(),
  contactId: z.uuid().optional(),
  leadId: z.uuid().optional(),
  contractId: z.uuid().optional(),
  quoteId: z.uuid().optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
