import { z } from 'zod';
import { defaultVisibilitySettings } from '@hub/shared/auth';

// What a workspace keeps in workspaces.settings (jsonb). Stored partially; read through
// settingsOf(), which fills the defaults, so adding a setting needs no migration.

const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');

export const BusinessHours = z
  .array(
    z.object({
      day: z.number().int().min(0).max(6).meta({ description: '0 = Sunday … 6 = Saturday' }),
      open: Time,
      close: Time,
    }),
  )
  .max(21)
  .meta({ description: 'Opening hours per weekday, in the workspace time zone; empty = always open' });

export const WorkspaceSettings = z
  .object({
    agentsSeeUnassigned: z.boolean().meta({ description: 'Agents also see unassigned conversations and leads' }),
    autoCreateLead: z.boolean().meta({ description: 'A new inbound conversation creates a lead' }),
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
      .nullable()
      .meta({ description: 'Reads local phone numbers (without +) as this country' }),
    timezone: z.string().min(1).max(64),
    businessHours: BusinessHours,
    theme: z.string().min(1).max(40).meta({ description: 'DaisyUI theme name' }),
    logoUrl: z.url().nullable(),
    primaryColor: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be #rrggbb')
      .nullable(),
  })
  .meta({ id: 'WorkspaceSettings' });
export type WorkspaceSettings = z.infer<typeof WorkspaceSettings>;

export const defaultWorkspaceSettings: WorkspaceSettings = {
  agentsSeeUnassigned: defaultVisibilitySettings.agentsSeeUnassigned,
  autoCreateLead: false,
  defaultCountry: null,
  timezone: 'UTC',
  businessHours: [],
  theme: 'light',
  logoUrl: null,
  primaryColor: null,
};

/** Stored settings (possibly partial or from an older version) → complete settings. */
export function settingsOf(stored: unknown): WorkspaceSettings {
  const out: Record<string, unknown> = { ...defaultWorkspaceSettings };
  const obj = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  for (const [key, schema] of Object.entries(WorkspaceSettings.shape)) {
    if (key in obj && (schema as z.ZodType).safeParse(obj[key]).success) out[key] = obj[key];
  }
  return out as WorkspaceSettings;
}
