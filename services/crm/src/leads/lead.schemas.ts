import { z } from 'zod';

export const leadSources = ['web', 'whatsapp', 'messenger', 'telegram', 'instagram', 'manual', 'api'] as const;
export const caseTypes = ['sale', 'no_interest', 'future_contact', 'support', 'recovery'] as const;
export const leadStatuses = ['new', 'contacted', 'quoted', 'negotiation', 'won', 'lost', 'discarded'] as const;

export const LeadSource = z.enum(leadSources);
export const CaseType = z.enum(caseTypes);
export const LeadStatus = z.enum(leadStatuses);
export type LeadSource = z.infer<typeof LeadSource>;

const Currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
const Money = z
  .number()
  .int('must be an integer amount in minor units (cents)')
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .meta({ description: 'Integer minor units of `currency` (1999 = 19.99 EUR)' });

export const Lead = z
  .object({
    id: z.uuid(),
    contactId: z.uuid(),
    contact: z.object({ id: z.uuid(), name: z.string(), phone: z.string().nullable() }),
    conversationId: z.uuid().nullable(),
    source: LeadSource,
    caseType: CaseType.nullable(),
    status: LeadStatus,
    value: z.number().int().nullable(),
    currency: z.string().nullable(),
    assigneeId: z.uuid().nullable(),
    campaignId: z.uuid().nullable(),
    funnelId: z.uuid().nullable(),
    stageId: z.uuid().nullable(),
    stageEnteredAt: z.iso.datetime().nullable(),
    notes: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Lead' });

const requireCurrencyWithValue = (
  v: { value?: number | null | undefined; currency?: string | null | undefined },
  ctx: z.RefinementCtx,
) => {
  if (v.value !== undefined && v.value !== null && !v.currency) {
    ctx.addIssue({ code: 'custom', path: ['currency'], message: 'is required with a value' });
  }
};

export const NewLead = z
  .object({
    contactId: z.uuid(),
    conversationId: z.uuid().nullable().optional(),
    source: LeadSource.default('manual'),
    caseType: CaseType.nullable().optional(),
    status: LeadStatus.default('new'),
    value: Money.nullable().optional(),
    currency: Currency.nullable().optional(),
    assigneeId: z
      .uuid()
      .nullable()
      .optional()
      .meta({ description: 'Defaults to the creator when an agent creates it' }),
    campaignId: z.uuid().nullable().optional(),
    funnelId: z.uuid().optional().meta({ description: 'Default: the Support funnel for caseType support, else Sales' }),
    stageId: z.uuid().optional().meta({ description: "Default: the funnel's first stage" }),
    notes: z.string().max(10_000).nullable().optional(),
  })
  .strict()
  .superRefine(requireCurrencyWithValue)
  .meta({ id: 'NewLead' });

const ownActions: Record<string, string> = {
  status: 'POST /api/v1/leads/:id/status',
  assigneeId: 'POST /api/v1/leads/:id/assign',
  stageId: 'POST /api/v1/leads/:id/move',
  funnelId: 'POST /api/v1/leads/:id/move',
};

export const LeadPatch = z
  .object(
    {
      contactId: z.uuid().optional(),
      conversationId: z.uuid().nullable().optional(),
      source: LeadSource.optional(),
      caseType: CaseType.nullable().optional(),
      value: Money.nullable().optional(),
      currency: Currency.nullable().optional(),
      campaignId: z.uuid().nullable().optional(),
      notes: z.string().max(10_000).nullable().optional(),
    },
    {
      // Status, assignment and stage are actions of their own (with their own permission and
      // history): say where to go instead of just "unrecognized key".
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? iss.keys
              .map((k) => (ownActions[k] ? `${k}: is changed with ${ownActions[k]}` : `${k}: is not accepted here`))
              .join('; ')
          : undefined,
    },
  )
  .strict()
  .meta({
    id: 'LeadPatch',
    description: 'status, assigneeId and stageId are changed with POST /leads/:id/status, /assign and /move.',
  });

export const LeadFilters = z.object({
  status: LeadStatus.optional(),
  source: LeadSource.optional(),
  caseType: CaseType.optional(),
  assigneeId: z
    .union([z.uuid(), z.literal('none')])
    .optional()
    .meta({ description: "A user id, or 'none' for unassigned" }),
  contactId: z.uuid().optional(),
  conversationId: z.uuid().optional(),
  campaignId: z.uuid().optional(),
  funnelId: z.uuid().optional(),
  stageId: z.uuid().optional(),
});

export const LeadStatsQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Leads created at or after' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Leads created before' }),
});

const Counts = <T extends readonly string[]>(keys: T) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<T[number], z.ZodNumber>);

export const LeadStats = z
  .object({
    total: z.number().int(),
    byStatus: Counts(leadStatuses),
    bySource: Counts(leadSources),
    byCaseType: Counts([...caseTypes, 'none'] as const),
    byAssignee: z.array(z.object({ assigneeId: z.uuid().nullable(), count: z.number().int() })),
  })
  .meta({ id: 'LeadStats', description: 'Counts over the leads the caller may see' });

export const LeadStatusChange = z.object({ status: LeadStatus }).meta({ id: 'LeadStatusChange' });
export const LeadAssign = z
  .object({ assigneeId: z.uuid().nullable().meta({ description: 'null unassigns' }) })
  .meta({ id: 'LeadAssign' });
export const LeadMove = z.object({ stageId: z.uuid() }).meta({ id: 'LeadMove' });

export const LeadIntake = z
  .object({
    name: z.string().trim().min(1).max(200),
    phone: z.string().trim().min(1).max(40),
    email: z.email().max(254).optional(),
    campaignId: z.uuid().optional(),
    source: LeadSource.default('web'),
    caseType: CaseType.optional(),
    notes: z.string().max(10_000).optional(),
  })
  .meta({ id: 'LeadIntake' });

export const LeadIntakeResult = z.object({ leadId: z.uuid(), contactId: z.uuid() }).meta({ id: 'LeadIntakeResult' });
