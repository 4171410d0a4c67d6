import { z } from 'zod';
import { Currency, Money, PositiveMoney } from '../money/money.schemas';
import { InvoiceStatus } from '../invoices/invoice.schemas';

export const paymentMethods = ['cash', 'card', 'transfer', 'bizum', 'paypal', 'other'] as const;
export const PaymentMethod = z.enum(paymentMethods);

export const Payment = z
  .object({
    id: z.uuid(),
    invoiceId: z.uuid(),
    invoiceReference: z.string(),
    amount: PositiveMoney,
    currency: z.string(),
    method: PaymentMethod,
    paidAt: z.iso.datetime(),
    reference: z.string().nullable().meta({ description: 'Bank or card reference' }),
    notes: z.string().nullable(),
    kind: z
      .enum(['partial', 'total'])
      .meta({ description: 'total when this payment left the invoice with a zero balance' }),
    balanceAfter: Money.meta({ description: 'The invoice’s balance right after this payment' }),
    invoice: z
      .object({ status: InvoiceStatus, amountPaid: Money, balance: Money })
      .meta({ description: 'The invoice as it stands now' }),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Payment', description: 'Amounts in integer minor units of currency.' });

export const NewPayment = z
  .object({
    invoiceId: z.uuid(),
    amount: PositiveMoney.meta({
      description: 'Minor units; at most the invoice’s balance (more answers 422 payment_exceeds_balance)',
    }),
    currency: Currency.optional().meta({ description: 'Must be the invoice’s currency when given' }),
    method: PaymentMethod,
    paidAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'Default: now' }),
    reference: z.string().trim().max(200).nullable().optional(),
    notes: z.string().max(5000).nullable().optional(),
  })
  .strict()
  .meta({ id: 'NewPayment' });

export const PaymentFilters = z.object({
  invoiceId: z.uuid().optional(),
  method: PaymentMethod.optional(),
  contactId: z.uuid().optional(),
});
