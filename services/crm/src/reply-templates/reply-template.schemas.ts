import { z } from 'zod';
import { ChannelType } from '@hub/shared/events';

// Reply templates (canned replies): an agent types the shortcut, the inbox fills the
// {{variables}} (e.g. {{contact.name}}, {{agent.name}}) and sends the text.

const Shortcut = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ (typed after "/" in the inbox)');

export const ReplyTemplate = z
  .object({
    id: z.string(),
    name: z.string(),
    shortcut: z.string(),
    body: z.string(),
    category: z.string().nullable(),
    platforms: z.array(ChannelType).meta({ description: 'Where it may be used; empty: everywhere' }),
    /** The {{…}} names found in the body, in order of first use. */
    variables: z.array(z.string()),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ReplyTemplate' });
export type ReplyTemplate = z.infer<typeof ReplyTemplate>;

const Body = z.string().trim().min(1).max(4096);

export const NewReplyTemplate = z
  .object({
    name: z.string().trim().min(1).max(120),
    shortcut: Shortcut,
    body: Body,
    category: z.string().trim().min(1).max(60).nullable().optional(),
    platforms: z.array(ChannelType).max(3).default([]),
  })
  .strict();

export const ReplyTemplatePatch = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    shortcut: Shortcut.optional(),
    body: Body.optional(),
    category: z.string().trim().min(1).max(60).nullable().optional(),
    platforms: z.array(ChannelType).max(3).optional(),
  })
  .strict();

export const ReplyTemplateFilters = z.object({
  q: z.string().trim().min(1).max(100).optional().meta({ description: 'In name or shortcut' }),
  category: z.string().trim().min(1).max(60).optional(),
  platform: ChannelType.optional().meta({ description: 'Usable on this platform' }),
});

/** The {{…}} placeholders of a body, in order of first use. */
export function templateVariables(body: string): string[] {
  const seen = new Set<string>();
  for (const m of body.matchAll(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g)) seen.add(m[1]!);
  return [...seen];
}

// WhatsApp approved templates, recorded per channel by an admin (mirrors what Meta approved).
export const ChannelTemplate = z
  .object({
    id: z.string(),
    channelId: z.string(),
    name: z.string(),
    language: z.string(),
    category: z.string(),
    body: z.string(),
    variableCount: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'ChannelTemplate' });

export const NewChannelTemplate = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'lowercase letters, digits and underscores (as Meta names templates)'),
    language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a language code such as en or en_US'),
    category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']).default('UTILITY'),
    body: z.string().min(1).max(1024).meta({ description: 'With {{1}}…{{n}} placeholders' }),
  })
  .strict();
