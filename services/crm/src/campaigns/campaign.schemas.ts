import { z } from 'zod';
import { Currency, Money, SignedMoney } from '../money/money.schemas';

export const campaignChannels = [
  'whatsapp',
  'messenger',
  'telegram',
  'instagram',
  'facebook',
  'google',
  'web',
  'email',
  'other',
] as const;
export const CampaignChannel = z.enum(campaignChannels);

const RefCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)')
  .meta({ description: 'Code of a tagged link: m.me `ref`, Telegram /start payload, utm_campaign' });
const AdId = z.string().trim().min(1).max(100);

export const Campaign = z
  .object({
    id: z.uuid(),
    name: z.string(),
    channel: CampaignChannel,
    source: z.string().nullable().meta({ description: "Ad platform or partner, e.g. 'Meta Ads'" }),
    budget: Money,
    currency: z.string(),
    startsAt: z.iso.datetime().nullable(),
    endsAt: z.iso.datetime().nullable(),
    landingUrl: z.string().nullable(),
    adIds: z.array(z.string()).meta({
      description:
        'Ad ids whose click-to-WhatsApp/Messenger referrals (`source_id` / `ad_id`) attribute leads to this campaign',
    }),
    refCode: z.string().nullable(),
    notes: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Campaign' });

const periodOk = (
  v: { startsAt?: string | null | undefined; endsAt?: string | null | undefined },
  ctx: z.RefinementCtx,
) => {
  if (v.startsAt && v.endsAt && Date.parse(v.endsAt) < Date.parse(v.startsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must not be before startsAt' });
  }
};

const fields = {
  name: z.string().trim().min(1).max(200),
  channel: CampaignChannel,
  source: z.string().trim().max(200).nullable(),
  budget: Money,
  currency: Currency,
  startsAt: z.iso.datetime({ offset: true }).nullable(),
  endsAt: z.iso.datetime({ offset: true }).nullable(),
  landingUrl: z.url().max(2000).nullable(),
  adIds: z.array(AdId).max(200),
  refCode: RefCode.nullable(),
  notes: z.string().max(10_000).nullable(),
};

export const NewCampaign = z
  .object({
    name: fields.name,
    channel: fields.channel,
    source: fields.source.optional(),
    budget: fields.budget.default(0),
    currency: fields.currency,
    startsAt: fields.startsAt.optional(),
    endsAt: fields.endsAt.optional(),
    landingUrl: fields.landingUrl.optional(),
    adIds: fields.adIds.default([]),
    refCode: fields.refCode.optional(),
    notes: fields.notes.optional(),
  })
  .strict()
  .superRefine(periodOk)
  .meta({ id: 'NewCampaign' });

export const CampaignPatch = z
  .object({
    name: fields.name.optional(),
    channel: fields.channel.optional(),
    source: fields.source.optional(),
    budget: fields.budget.optional(),
    currency: fields.currency.optional(),
    startsAt: fields.startsAt.optional(),
    endsAt: fields.endsAt.optional(),
    landingUrl: fields.landingUrl.optional(),
    adIds: fields.adIds.optional(),
    refCode: fields.refCode.optional(),
    notes: fields.notes.optional(),
  })
  .strict()
  .superRefine(periodOk)
  .meta({ id: 'CampaignPatch' });

export const CampaignFilters = z.object({
  channel: CampaignChannel.optional(),
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'true: running now (started, not ended); false: not running now' }),
});

export const CampaignStats = z
  .object({
    campaignId: z.uuid(),
    name: z.string(),
    currency: z.string(),
    budget: Money,
    leads: z.number().int().meta({ description: 'Live leads carrying this campaign' }),
    conversions: z.number().int().meta({ description: "Those leads converted to customers (lead status 'won')" }),
    contracts: z.number().int().meta({ description: 'Signed, not deleted contracts of those leads' }),
    revenue: Money.meta({
      description: 'Money received: the sum of the payments on the (not void) invoices of those leads, in `currency`',
    }),
    revenueOtherCurrencies: z
      .array(z.object({ currency: z.string(), amount: Money }))
      .meta({ description: 'Received in other currencies than the campaign’s (not converted, not in revenue)' }),
    costPerLead: Money.nullable().meta({
      description: 'round(budget / leads), half away from zero; null without leads',
    }),
    profit: SignedMoney.meta({ description: 'revenue − budget' }),
    roiBasisPoints: z.number().int().nullable().meta({
      description:
        'ROI = (revenue − budget) / budget in basis points (12345 = 123.45 %), rounded half away from zero; null when the budget is 0',
    }),
    conversionRateBasisPoints: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'conversions / leads in basis points; null without leads' }),
    profitable: z.boolean().meta({ description: 'revenue > budget' }),
  })
  .meta({ id: 'CampaignStats' });
