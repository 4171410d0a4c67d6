import { z } from 'zod';

export const contactKinds = ['person', 'company'] as const;
export const contactCategories = ['low', 'medium', 'high', 'vip'] as const;
export const contactStatuses = ['prospect', 'active', 'inactive'] as const;

export const ContactKind = z.enum(contactKinds);
export const ContactCategory = z.enum(contactCategories);
export const ContactStatus = z.enum(contactStatuses);
const Country = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as ES');
const Tag = z.string().trim().min(1).max(50);

export const ContactIdentity = z
  .object({
    kind: z
      .string()
      .meta({ description: "How a platform names the person: 'whatsapp' (wa_id), 'messenger' (PSID), 'telegram'…" }),
    value: z.string(),
  })
  .meta({ id: 'ContactIdentity' });

export const Contact = z
  .object({
    id: z.uuid(),
    name: z.string(),
    phone: z.string().nullable().meta({ description: 'E.164, unique in the workspace', example: '+34612345678' }),
    email: z.string().nullable(),
    kind: ContactKind,
    category: ContactCategory.nullable(),
    status: ContactStatus,
    country: z.string().nullable().meta({ description: 'ISO 3166-1 alpha-2; derived from the phone when not given' }),
    address: z.string().nullable(),
    tags: z.array(z.string()),
    notes: z.string().nullable(),
    identities: z
      .array(ContactIdentity)
      .meta({ description: 'Channel identities (read-only; set by inbound messages)' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Contact' });

const fields = {
  name: z.string().trim().min(1).max(200),
  phone: z.string().trim().min(1).max(40).nullable().meta({ description: 'Any format; stored as E.164' }),
  email: z.email().max(254).nullable(),
  kind: ContactKind,
  category: ContactCategory.nullable(),
  status: ContactStatus,
  country: Country.nullable(),
  address: z.string().trim().max(500).nullable(),
  tags: z.array(Tag).max(50),
  notes: z.string().max(10_000).nullable(),
};

export const NewContact = z
  .object({
    name: fields.name,
    phone: fields.phone.optional(),
    email: fields.email.optional(),
    kind: fields.kind.default('person'),
    category: fields.category.optional(),
    status: fields.status.default('prospect'),
    country: fields.country.optional(),
    address: fields.address.optional(),
    tags: fields.tags.default([]),
    notes: fields.notes.optional(),
  })
  .strict()
  .meta({ id: 'NewContact' });

export const ContactPatch = z
  .object({
    name: fields.name.optional(),
    phone: fields.phone.optional(),
    email: fields.email.optional(),
    kind: fields.kind.optional(),
    category: fields.category.optional(),
    status: fields.status.optional(),
    country: fields.country.optional(),
    address: fields.address.optional(),
    tags: fields.tags.optional(),
    notes: fields.notes.optional(),
  })
  .strict()
  .meta({ id: 'ContactPatch' });

export const ContactFilters = z.object({
  status: ContactStatus.optional(),
  category: ContactCategory.optional(),
  kind: ContactKind.optional(),
  country: Country.optional(),
  tag: Tag.optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'Search in name (typo-tolerant), phone and email' }),
});

export const ContactLookup = z.object({ phone: z.string().trim().min(1).max(40) });

export const ContactMerge = z
  .object({ otherId: z.uuid().meta({ description: 'The contact folded into this one (then deleted)' }) })
  .meta({ id: 'ContactMerge' });
