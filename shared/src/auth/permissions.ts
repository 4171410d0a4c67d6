import type { Role } from './index';

// The permission matrix, as data: resource family × action → the roles allowed.
// One middleware (services/crm `can(resource, action)`) applies it to every route, the
// permission test walks it role by role, and the README prints it. Change access here, not in
// handlers. Row-level rules (an agent sees only what is assigned to it) live in visibility.ts.

export const resources = [
  'workspace',
  'users',
  'apiTokens',
  'audit',
  'contacts',
  'leads',
  'funnels',
  'channels',
  'conversations',
  'messages',
  'templates',
  'services',
  'campaigns',
  'campaignStats',
  'quotes',
  'contracts',
  'invoices',
  'payments',
  'appointments',
  'reminders',
  'reports',
] as const;
export type Resource = (typeof resources)[number];

export const actions = ['read', 'create', 'update', 'delete', 'assign'] as const;
export type Action = (typeof actions)[number];

const ALL: readonly Role[] = ['admin', 'supervisor', 'agent', 'marketer', 'manager'];
const ADMIN: readonly Role[] = ['admin'];
const LEADS: readonly Role[] = ['admin', 'supervisor'];
const INBOX: readonly Role[] = ['admin', 'supervisor', 'agent'];
const MARKETING: readonly Role[] = ['admin', 'supervisor', 'marketer'];
const BILLING: readonly Role[] = ['admin', 'supervisor', 'manager'];

/** A missing action means nobody may do it. */
export type PermissionMatrix = Record<Resource, Partial<Record<Action, readonly Role[]>>>;

export const permissions = {
  // Name, settings, branding: everyone reads (the web app themes itself), admins change.
  workspace: { read: ALL, update: ADMIN },
  // Everyone may list colleagues (assignee pickers); only admins manage accounts.
  users: { read: ALL, create: ADMIN, update: ADMIN, delete: ADMIN },
  apiTokens: { read: ADMIN, create: ADMIN, delete: ADMIN },
  audit: { read: LEADS },
  // People: the inbox creates and edits them; deleting (soft) is for supervisors.
  contacts: { read: ALL, create: ALL, update: [...INBOX, 'marketer'], delete: LEADS },
  // Agents work their leads (status, stage, notes); handing a lead to someone is a lead's job.
  leads: { read: ALL, create: [...INBOX, 'marketer'], update: [...INBOX, 'manager'], delete: LEADS, assign: LEADS },
  funnels: { read: ALL, create: LEADS, update: LEADS, delete: LEADS },
  channels: { read: INBOX, create: ADMIN, update: ADMIN, delete: ADMIN },
  conversations: { read: INBOX, update: INBOX, assign: INBOX },
  messages: { read: INBOX, create: INBOX },
  templates: { read: ALL, create: MARKETING, update: MARKETING, delete: MARKETING },
  // Marketers own the catalogue and the campaigns; managers read prices for their quotes.
  services: { read: ALL, create: MARKETING, update: MARKETING, delete: MARKETING },
  campaigns: { read: [...MARKETING, 'manager'], create: MARKETING, update: MARKETING, delete: MARKETING },
  // Campaign figures (leads, conversions, revenue, ROI) are everyone's business.
  campaignStats: { read: ALL },
  // Managers own the money side.
  quotes: { read: [...BILLING, 'agent'], create: [...BILLING, 'agent'], update: BILLING, delete: BILLING },
  contracts: { read: BILLING, create: BILLING, update: BILLING, delete: BILLING },
  invoices: { read: BILLING, create: BILLING, update: BILLING, delete: BILLING },
  payments: { read: BILLING, create: BILLING, update: BILLING, delete: BILLING },
  appointments: { read: ALL, create: ALL, update: ALL, delete: [...INBOX, 'manager'] },
  reminders: { read: ALL, create: ALL, update: ALL, delete: ALL },
  // Supervisors see the metrics; marketers and managers see the figures of what they own.
  reports: { read: ['admin', 'supervisor', 'marketer', 'manager'] },
} as const satisfies PermissionMatrix;

export function rolesFor(resource: Resource, action: Action): readonly Role[] {
  return (permissions as PermissionMatrix)[resource][action] ?? [];
}

export function isAllowed(role: Role, resource: Resource, action: Action): boolean {
  return rolesFor(resource, action).includes(role);
}
