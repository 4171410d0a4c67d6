import { z } from 'zod';
import { BasisPoints, ContactRef, Currency, Day, Money } from '../money/money.schemas';

export const quoteStatuses = ['draft', 'sent', 'accepted', 'rejected', 'expired'] as const;
export const QuoteStatus = z.enum(quoteStatuses);
export type QuoteStatus = z.infer<typeof QuoteStatus>;

/**
 * Allowed status changes. Lines and terms are edited in `draft`; a sent quote goes back to
 * draft to be revised (and is sent again); `accepted` is final (contracts and invoices come
 * from it); a rejected or expired quote can be revised into a new draft.
 */
export const quoteTransitions = {
  draft: ['sent'],
  sent: ['accepted', 'rejected', 'expired', 'draft'],
  accepted: [],
  rejected: ['draft'],
  expired: ['draft'],
} as const satisfies Record<QuoteStatus, readonly QuoteStatus[]>;

const rounding =
  'Per line: subtotal = quantity × unitPrice; discount = round(subtotal × discountBp / 10000); net = subtotal − discount; ' +
  'tax = round(net × taxRateBp / 10000); total = net + tax — each rounded half-up to the minor unit. ' +
  'The quote’s totals are the sums of its rounded lines.';

export const QuoteLine = z
  .object({
    id: z.uuid(),
    position: z.number().int(),
    serviceId: z.uuid().nullable(),
    description: z.string(),
    quantity: z.number().int(),
    unitPrice: Money,
    discountBp: BasisPoints,
    taxRateBp: BasisPoints,
    subtotal: Money,
    discount: Money,
    net: Money,
    tax: Money,
    total: Money,
  })
  .meta({ id: 'QuoteLine', description: rounding });

export const NewQuoteLine = z
  .object({
    serviceId: z
      .uuid()
      .optional()
      .meta({ description: 'A catalogue service; gives the default description and unit price' }),
    description: z.string().trim().min(1).max(1000).optional().meta({ description: 'Required without serviceId' }),
    quantity: z.number().int('must be a whole number').min(1).max(1_000_000),
    unitPrice: Money.optional().meta({ description: "Required without serviceId; defaults to the service's price" }),
    discountBp: BasisPoints.max(10_000, 'must be at most 10000 (100 %)')
      .default(0)
      .meta({ description: 'Percent discount in basis points (1000 = 10 %)' }),
    taxRateBp: BasisPoints.max(100_000).default(0).meta({ description: 'Tax rate in basis points (2100 = 21 %)' }),
  })
  .strict()
  .superRefine((l, ctx) => {
    if (!l.serviceId && l.description === undefined) {
      ctx.addIssue({ code: 'custom', path: ['description'], message: 'is required without serviceId' });
    }
    if (!l.serviceId && l.unitPrice === undefined) {
      ctx.addIssue({ code: 'custom', path: ['unitPrice'], message: 'is required without serviceId' });
    }
  })
  .meta({ id: 'NewQuoteLine' });

export const Quote = z
  .object({
    id: z.uuid(),
    number: z.number().int().meta({ description: 'Per workspace: 1, 2, 3… with no gaps or duplicates' }),
    reference: z.string().meta({ example: 'Q-0007' }),
    leadId: z.uuid().nullable(),
    contactId: z.uuid(),
    contact: ContactRef,
    currency: z.string(),
    status: QuoteStatus,
    validUntil: Day.nullable(),
    notes: z.string().nullable(),
    lines: z.array(QuoteLine),
    subtotal: Money,
    discountTotal: Money,
    taxTotal: Money,
    total: Money,
    sentAt: z.iso.datetime().nullable(),
    decidedAt: z.iso.datetime().nullable().meta({ description: 'When it was accepted, rejected or marked expired' }),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Quote', description: `Amounts in integer minor units of currency. ${rounding}` });

export const NewQuote = z
  .object({
    leadId: z.uuid().optional().meta({ description: 'The lead/opportunity; its contact is the customer' }),
    contactId: z.uuid().optional().meta({ description: 'The customer, when there is no lead' }),
    currency: Currency.optional().meta({ description: "Default: the lead's currency, else the first service's" }),
    validUntil: Day.nullable().optional(),
    notes: z.string().max(10_000).nullable().optional(),
    lines: z.array(NewQuoteLine).min(1, 'a quote needs at least one line').max(200),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (!q.leadId && !q.contactId)
      ctx.addIssue({ code: 'custom', path: ['leadId'], message: 'leadId or contactId is required' });
  })
  .meta({ id: 'NewQuote' });

export const QuotePatch = z
  .object({
    currency: Currency.optional(),
    validUntil: Day.nullable().optional(),
    notes: z.string().max(10_000).nullable().optional(),
    lines: z.array(NewQuoteLine).min(1, 'a quote needs at least one line').max(200).optional().meta({
      description: 'Replaces every line',
    }),
    status: z.never({ error: 'is changed with POST /api/v1/quotes/:id/status' }).optional(),
  })
  .strict()
  .meta({ id: 'QuotePatch', description: 'Only a draft can be changed (409 quote_not_editable otherwise).' });

export const QuoteFilters = z.object({
  status: QuoteStatus.optional(),
  leadId: z.uuid().optional(),
  contactId: z.uuid().optional(),
});

export const QuoteStatusChange = z.object({ status: QuoteStatus }).strict().meta({
  id: 'QuoteStatusChange',
  description:
    'draft → sent; sent → accepted | rejected | expired | draft; rejected/expired → draft. Anything else: 409.',
});

export const SendQuote = z
  .object({
    conversationId: z
      .uuid()
      .optional()
      .meta({ description: "Default: the lead's conversation, else the customer's latest conversation" }),
    caption: z.string().trim().max(1000).optional(),
  })
  .strict()
  .meta({ id: 'SendQuote' });
