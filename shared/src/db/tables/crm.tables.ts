import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../schema';

// Tables of the crm domain (see migrations/003_crm.ts): sessions and login throttling, API
// tokens, funnels and their stages, leads with stage history, and the audit log.

/** jsonb written as a JSON string (pg would turn a JS array into a PostgreSQL array). */
type JsonText<T> = ColumnType<T | null, string | null | undefined, string | null>;

/**
 * One row per refresh token ever issued. A login starts a family; each refresh marks its row
 * rotated and adds the next one to the family. Presenting a rotated token again means it was
 * stolen or replayed: the whole family is revoked.
 */
export interface SessionsTable {
  id: Generated<string>;
  workspace_id: string;
  user_id: string;
  family_id: string;
  /** sha256 of the refresh token; the token itself is never stored. */
  token_hash: string;
  created_at: Timestamp;
  /** When the family was last used (login or refresh); idle timeout counts from here. */
  last_used_at: Timestamp;
  /** Absolute end of the family, however active it is. */
  expires_at: Timestamp;
  rotated_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** 'logout' | 'reuse' | 'password_changed' | 'deactivated' | 'admin' */
  revoked_reason: string | null;
  user_agent: string | null;
  ip: string | null;
}

/** Failed logins, keyed 'email:<lower email>' or 'ip:<address>'; counted over a window. */
export interface LoginFailuresTable {
  id: Generated<string>;
  key: string;
  at: Timestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  /** sha256 of the token; the token is shown once at creation. */
  token_hash: string;
  /** The first characters, so admins can tell tokens apart. */
  prefix: string;
  created_by: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface FunnelsTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  /** 'sales' | 'support' */
  kind: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface FunnelStagesTable {
  id: Generated<string>;
  workspace_id: string;
  funnel_id: string;
  name: string;
  position: number;
  created_at: Timestamp;
}

export interface LeadsTable {
  id: Generated<string>;
  workspace_id: string;
  contact_id: string;
  conversation_id: string | null;
  /** 'web' | 'whatsapp' | 'messenger' | 'telegram' | 'instagram' | 'manual' | 'api' */
  source: string;
  /** 'sale' | 'no_interest' | 'future_contact' | 'support' | 'recovery' */
  case_type: string | null;
  /** 'new' | 'contacted' | 'quoted' | 'negotiation' | 'won' | 'lost' | 'discarded' */
  status: Generated<string>;
  /** Integer minor units (cents) of `currency`. */
  value: number | null;
  currency: string | null;
  assignee_id: string | null;
  campaign_id: string | null;
  funnel_id: string | null;
  stage_id: string | null;
  stage_entered_at: Timestamp | null;
  notes: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

/** One row per stay of a lead in a stage; left_at is null while it is still there. */
export interface StageHistoryTable {
  id: Generated<string>;
  workspace_id: string;
  lead_id: string;
  funnel_id: string;
  stage_id: string;
  from_stage_id: string | null;
  entered_at: Timestamp;
  left_at: Timestamp | null;
  actor_id: string | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  workspace_id: string;
  table_name: string;
  record_id: string;
  /** 'create' | 'update' | 'delete' (plus verbs such as 'merge', 'revoke') */
  action: string;
  before: JsonText<Record<string, unknown>>;
  after: JsonText<Record<string, unknown>>;
  actor_id: string | null;
  at: Timestamp;
}

export interface CrmTables {
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  api_tokens: ApiTokensTable;
  funnels: FunnelsTable;
  funnel_stages: FunnelStagesTable;
  leads: LeadsTable;
  stage_history: StageHistoryTable;
  audit_log: AuditLogTable;
}

// Columns 003_crm adds to core tables, merged into their row types here so schema.ts stays the
// core's file.
declare module '../schema' {
  interface WorkspacesTable {
    updated_at: Timestamp;
  }
  interface UsersTable {
    last_login_at: Timestamp | null;
  }
}
