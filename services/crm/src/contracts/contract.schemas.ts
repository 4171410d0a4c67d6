import { z } from 'zod';
import { ContactRef, Day, Money } from '../money/money.schemas';

export const contractStatuses = ['draft', 'signed'] as const;
export const ContractStatus = z.enum(contractStatuses);

export const Contract = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    reference: z.string().meta({ example: 'C-0003' }),
    quoteId: z.uuid(),
    quoteReference: z.string(),
    leadId: z.uuid().nullable(),
    contactId: z.uuid(),
    contact: ContactRef,
    title: z.string(),
    terms: z.string().nullable(),
    startsOn: Day.nullable(),
    endsOn: Day.nullable(),
    currency: z.string(),
    total: Money.meta({ description: 'The accepted quote’s total' }),
    status: ContractStatus,
    signedAt: z.iso.datetime().nullable(),
    signedBy: z.string().nullable(),
    version: z
      .number()
      .int()
      .meta({ description: 'Latest PDF version (0 until signed; +1 on every change of terms after)' }),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Contract' });

const periodOk = (
  v: { startsOn?: string | null | undefined; endsOn?: string | null | undefined },
  ctx: z.RefinementCtx,
) => {
  if (v.startsOn && v.endsOn && v.endsOn < v.startsOn) {
    ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'must not be before startsOn' });
  }
};

const fields = {
  title: z.string().trim().min(1).max(300),
  terms: z.string().max(50_000).nullable(),
  startsOn: Day.nullable(),
  endsOn: Day.nullable(),
};

export const NewContract = z
  .object({
    quoteId: z.uuid().meta({ description: 'An accepted quote without a contract' }),
    title: fields.title.optional().meta({ description: "Default: 'Contract for <quote reference>'" }),
    terms: fields.terms.optional(),
    startsOn: fields.startsOn.optional(),
    endsOn: fields.endsOn.optional(),
  })
  .strict()
  .superRefine(periodOk)
  .meta({ id: 'NewContract' });

export const ContractPatch = z
  .object({
    title: fields.title.optional(),
    terms: fields.terms.optional(),
    startsOn: fields.startsOn.optional(),
    endsOn: fields.endsOn.optional(),
  })
  .strict()
  .superRefine(periodOk)
  .meta({ id: 'ContractPatch', description: 'Changing the terms of a signed contract generates a new PDF version.' });

export const ContractSign = z
  .object({
    signedBy: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: "Who signed; default: the customer's name" }),
  })
  .strict()
  .meta({ id: 'ContractSign' });

export const ContractFilters = z.object({
  status: ContractStatus.optional(),
  contactId: z.uuid().optional(),
  leadId: z.uuid().optional(),
  quoteId: z.uuid().optional(),
});

export const ContractVersion = z
  .object({
    version: z.number().int(),
    reason: z.enum(['signed', 'terms_changed']),
    terms: z
      .record(z.string(), z.unknown())
      .meta({ description: 'Title, terms and period as they were in this version' }),
    sizeBytes: z.number().int(),
    sha256: z.string(),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ContractVersion' });
