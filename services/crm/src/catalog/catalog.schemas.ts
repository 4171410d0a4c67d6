import { z } from 'zod';
import { Currency, Money } from '../money/money.schemas';

// The services catalogue (what a workspace sells), owned by marketers.

export const Service = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    price: Money,
    currency: z.string(),
    active: z.boolean(),
    contractsSigned: z
      .number()
      .int()
      .meta({ description: 'Signed, not deleted contracts whose quote has a line of this service' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Service' });

export const NewService = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(5000).nullable().optional(),
    price: Money,
    currency: Currency,
    active: z.boolean().default(true),
  })
  .strict()
  .meta({ id: 'NewService' });

export const ServicePatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().trim().max(5000).nullable().optional(),
    price: Money.optional(),
    currency: Currency.optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'ServicePatch' });

export const ServiceFilters = z.object({
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'true: only active services; false: only inactive ones' }),
  q: z.string().trim().min(1).max(200).optional().meta({ description: 'Part of the name' }),
});
