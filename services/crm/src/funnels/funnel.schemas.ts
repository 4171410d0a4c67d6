import { z } from 'zod';

export const funnelKinds = ['sales', 'support'] as const;
export const FunnelKind = z.enum(funnelKinds);

export const Stage = z.object({ id: z.uuid(), name: z.string(), position: z.number().int() }).meta({ id: 'Stage' });

export const Funnel = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: FunnelKind,
    stages: z.array(Stage).meta({ description: 'Ordered by position (0 first)' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Funnel' });

const StageName = z.string().trim().min(1).max(80);

export const NewFunnel = z
  .object({
    name: z.string().trim().min(1).max(120),
    kind: FunnelKind,
    stages: z
      .array(z.object({ name: StageName }))
      .min(1)
      .max(30),
  })
  .meta({ id: 'NewFunnel' });

export const FunnelPatch = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    kind: FunnelKind.optional(),
    stages: z
      .array(z.object({ id: z.uuid().optional(), name: StageName }))
      .min(1)
      .max(30)
      .optional()
      .meta({
        description:
          'The new ordered list: items with an id keep that stage (renamed/moved), items without one are new, ' +
          'stages left out are removed (409 while leads are in them).',
      }),
  })
  .meta({ id: 'FunnelPatch' });

export const FunnelFilters = z.object({ kind: FunnelKind.optional() });

export const FunnelStats = z
  .object({
    funnelId: z.uuid(),
    stages: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        position: z.number().int(),
        count: z.number().int().meta({ description: 'Leads in this stage now' }),
        avgSecondsInStage: z
          .number()
          .nullable()
          .meta({ description: 'Mean time of finished stays in this stage; null before the first one' }),
      }),
    ),
    conversion: z.object({
      entered: z.number().int().meta({ description: 'Leads that ever entered the funnel' }),
      reachedLast: z.number().int().meta({ description: 'Of those, leads that reached the last stage' }),
      rate: z.number().meta({ description: 'reachedLast / entered (0 when nothing entered)' }),
    }),
  })
  .meta({ id: 'FunnelStats' });

/** Every new workspace starts with these (ARCHITECTURE.md). */
export const defaultFunnels = [
  { name: 'Sales', kind: 'sales', stages: ['Initial chat', 'Negotiation', 'Debate', 'Closing'] },
  { name: 'Support', kind: 'support', stages: ['First contact', 'In progress', 'Closing'] },
] as const;
