import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../schema';

// Tables of the "chat to cash" domain (see migrations/005_money.ts): the services catalogue,
// campaigns, per-workspace document counters, quotes and their lines, contracts with their PDF
// versions, invoices, payments, and notes on a contact's record.
//
// Money is always an integer amount of minor units (cents) of the row's `currency` (ISO 4217),
// stored as bigint (read back as a JS number: see db/index.ts). Calendar dates that carry no
// time of day (valid until, due date, contract period) are stored as 'YYYY-MM-DD' text: a SQL
// `date` comes back from pg as a Date at *local* midnight, which shifts the day with the server's
// zone, and ISO text still sorts and compares correctly.

/** jsonb written as a JSON string (pg would turn a JS array into a PostgreSQL array). */
type JsonText<T> = ColumnType<T | null, string | null | undefined, string | null>;

/** bytea: Buffer in, Buffer (pg) or Uint8Array (PGlite) out. */
type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

export interface ServicesTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  description: string | null;
  price: number;
  currency: string;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface CampaignsTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  /** 'whatsapp' | 'messenger' | 'telegram' | 'instagram' | 'facebook' | 'google' | 'web' | 'email' | 'other' */
  channel: string;
  /** Free text: the ad platform or partner ('Meta Ads', 'Google Ads', 'newsletter'). */
  source: string | null;
  budget: number;
  currency: string;
  starts_at: Timestamp | null;
  ends_at: Timestamp | null;
  landing_url: string | null;
  /** Ad ids (Meta `source_id` of a click-to-WhatsApp/Messenger referral) that attribute to it. */
  ad_ids: Generated<string[]>;
  /** Code of a tagged link (m.me `ref`, Telegram /start payload, `utm_campaign`). */
  ref_code: string | null;
  notes: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

/** One row per workspace × document kind: the last number handed out. */
export interface DocumentCountersTable {
  workspace_id: string;
  /** 'quote' | 'contract' | 'invoice' */
  kind: string;
  last_number: number;
}

export interface QuotesTable {
  id: Generated<string>;
  workspace_id: string;
  number: number;
  lead_id: string | null;
  contact_id: string;
  currency: string;
  /** 'draft' | 'sent' | 'accepted' | 'rejected' | 'expired' */
  status: Generated<string>;
  valid_until: string | null;
  notes: string | null;
  subtotal: number;
  discount_total: number;
  tax_total: number;
  total: number;
  sent_at: Timestamp | null;
  /** When it was accepted, rejected or marked expired. */
  decided_at: Timestamp | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface QuoteLinesTable {
  id: Generated<string>;
  workspace_id: string;
  quote_id: string;
  position: number;
  service_id: string | null;
  description: string;
  quantity: number;
  unit_price: number;
  /** Percent discount in basis points (1000 = 10 %). */
  discount_bp: number;
  /** Tax rate in basis points (2100 = 21 %). */
  tax_rate_bp: number;
  /** quantity × unit_price */
  subtotal: number;
  discount: number;
  /** subtotal − discount */
  net: number;
  tax: number;
  /** net + tax */
  total: number;
}

export interface ContractsTable {
  id: Generated<string>;
  workspace_id: string;
  number: number;
  quote_id: string;
  lead_id: string | null;
  contact_id: string;
  title: string;
  terms: string | null;
  starts_on: string | null;
  ends_on: string | null;
  currency: string;
  total: number;
  /** 'draft' | 'signed' */
  status: Generated<string>;
  signed_at: Timestamp | null;
  signed_by: string | null;
  /** Number of the latest PDF version (0 before signing). */
  current_version: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface ContractVersionsTable {
  id: Generated<string>;
  workspace_id: string;
  contract_id: string;
  version: number;
  /** 'signed' | 'terms_changed' */
  reason: string;
  /** The contract's terms as they were in this version. */
  snapshot: JsonText<Record<string, unknown>>;
  pdf: Bytes;
  size_bytes: number;
  sha256: string;
  created_by: string | null;
  created_at: Timestamp;
}

export interface InvoicesTable {
  id: Generated<string>;
  workspace_id: string;
  number: number;
  contract_id: string | null;
  quote_id: string;
  lead_id: string | null;
  contact_id: string;
  currency: string;
  subtotal: number;
  discount_total: number;
  tax_total: number;
  total: number;
  /** Sum of its live payments (kept in the same transaction as each payment). */
  amount_paid: Generated<number>;
  /** 'pending' | 'partially_paid' | 'paid' | 'void' */
  status: Generated<string>;
  issued_on: string;
  due_on: string;
  notes: string | null;
  voided_at: Timestamp | null;
  void_reason: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PaymentsTable {
  id: Generated<string>;
  workspace_id: string;
  invoice_id: string;
  amount: number;
  currency: string;
  /** 'cash' | 'card' | 'transfer' | 'bizum' | 'paypal' | 'other' */
  method: string;
  paid_at: Timestamp;
  reference: string | null;
  notes: string | null;
  /** 'partial' | 'total': whether this payment settled the invoice, at the time it was made. */
  kind: string;
  /** The invoice's balance right after this payment. */
  balance_after: number;
  created_by: string | null;
  created_at: Timestamp;
  /** Cancelled (a mistake, a bounced transfer): no longer counts towards the invoice. */
  deleted_at: Timestamp | null;
}

/** Notes on a contact's record; written by the system (contract events) or by people. */
export interface ContactNotesTable {
  id: Generated<string>;
  workspace_id: string;
  contact_id: string;
  /** 'contract' | 'note' */
  kind: string;
  body: string;
  /** The record the note is about, when there is one (e.g. 'contracts' + id). */
  record_table: string | null;
  record_id: string | null;
  author_id: string | null;
  created_at: Timestamp;
}

export interface MoneyTables {
  services: ServicesTable;
  campaigns: CampaignsTable;
  document_counters: DocumentCountersTable;
  quotes: QuotesTable;
  quote_lines: QuoteLinesTable;
  contracts: ContractsTable;
  contract_versions: ContractVersionsTable;
  invoices: InvoicesTable;
  payments: PaymentsTable;
  contact_notes: ContactNotesTable;
}

// Columns 005_money adds to the CRM core's leads table, merged into its row type here so
// crm.tables.ts stays the core's file.
declare module './crm.tables' {
  interface LeadsTable {
    /** Meta's click id of the click-to-WhatsApp ad that brought the lead (referral.ctwa_clid). */
    ctwa_clid: string | null;
  }
}
