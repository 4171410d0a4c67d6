import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { CrmTables } from './tables/crm.tables';
import type { IngestTables } from './tables/ingest.tables';
import type { LiveTables } from './tables/live.tables';
import type { MoneyTables } from './tables/money.tables';
import type { NotificationTables } from './tables/notification.tables';

// Hand-written table types. Each domain adds its tables in its own interface and joins DB below.

// Already optional on insert (the column has a default): wrapping it in Generated<> would nest
// ColumnTypes and make kysely type selected values as Timestamp instead of Date.
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T extends object | null = Record<string, unknown>> = JSONColumnType<T, T, T>;

export interface WorkspacesTable {
  id: Generated<string>;
  name: string;
  settings: ColumnType<Record<string, unknown>, Record<string, unknown> | undefined, Record<string, unknown>>;
  created_at: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  workspace_id: string;
  email: string;
  name: string;
  password_hash: string;
  role: string;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ContactsTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  phone: string | null;
  email: string | null;
  kind: Generated<string>;
  category: string | null;
  status: Generated<string>;
  country: string | null;
  address: string | null;
  tags: Generated<string[]>;
  notes: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

/** One row per way a platform names a person: wa_id, BSUID, PSID, Telegram user id. */
export interface ContactIdentitiesTable {
  id: Generated<string>;
  workspace_id: string;
  contact_id: string;
  /** 'whatsapp' | 'whatsapp_bsuid' | 'messenger' | 'telegram' | … */
  kind: string;
  value: string;
  created_at: Timestamp;
}

export interface ChannelsTable {
  id: Generated<string>;
  workspace_id: string;
  type: string;
  name: string;
  /** AES-256-GCM ciphertext of the channel's credentials (never returned by the API). */
  credentials: string;
  /** Routing key on the platform: phone_number_id, page id or bot id. */
  external_id: string;
  settings: Generated<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface CoreTables {
  workspaces: WorkspacesTable;
  users: UsersTable;
  contacts: ContactsTable;
  contact_identities: ContactIdentitiesTable;
  channels: ChannelsTable;
}

export interface DB extends CoreTables, IngestTables, CrmTables, LiveTables, MoneyTables, NotificationTables {}

export type { CrmTables, IngestTables, LiveTables, MoneyTables, NotificationTables };
