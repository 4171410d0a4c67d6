import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../schema';

// Tables of the ingest domain (see migrations/002_ingest.ts): conversations, messages, the raw
// webhook log, statuses/edits that arrived before their message, and stored media files.

/** A timestamptz with a database default (kysely's Generated<> must not wrap a ColumnType). */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

type JsonColumn<T> = ColumnType<T, T | string | undefined, T | string>;
type NullableJsonColumn<T> = ColumnType<T | null, T | string | null | undefined, T | string | null>;

export interface ConversationsTable {
  id: Generated<string>;
  workspace_id: string;
  channel_id: string;
  contact_id: string;
  /** 'open' | 'pending' | 'resolved' */
  status: Generated<string>;
  assignee_id: string | null;
  unread_count: Generated<number>;
  /** The message with the latest platform time (not the last one processed). */
  last_message_id: string | null;
  /** sent_at of last_message_id: lets a late, older message leave lastMessage alone. */
  last_message_at: Timestamp | null;
  last_activity_at: Timestamp;
  last_inbound_at: Timestamp | null;
  last_outbound_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** What the messages.media column holds (the API shows url/mimeType/fileName/caption). */
export interface StoredMedia {
  /** WhatsApp media id / Telegram file_id to fetch from the platform. */
  providerMediaId: string | null;
  /** Direct platform URL (Messenger CDN) to fetch from. */
  sourceUrl: string | null;
  mimeType: string | null;
  fileName?: string | undefined;
  caption?: string | undefined;
  sha256?: string | undefined;
  fileSize?: number | undefined;
  /** media_files.id once downloaded → url /api/v1/media/<id>. */
  fileId?: string | undefined;
  /** 'pending' until the media job stores it; 'failed' after its last try; 'none' = nothing to fetch. */
  state: 'pending' | 'stored' | 'failed' | 'none';
  error?: string | undefined;
}

export interface StatusHistoryEntry {
  status: string;
  at: string;
  error?: { code: string; message: string } | null;
}

export interface EditHistoryEntry {
  text: string | null;
  /** When this text was replaced (platform edit time). */
  replacedAt: string;
}

export interface MessagesTable {
  id: Generated<string>;
  workspace_id: string;
  conversation_id: string;
  channel_id: string;
  /** 'in' | 'out' */
  direction: string;
  type: string;
  text: string | null;
  media: NullableJsonColumn<StoredMedia>;
  /** 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed' */
  status: string;
  /** wamid, mid, "<chat.id>:<message_id>"; null for an outbound message not yet sent. */
  provider_message_id: string | null;
  error: NullableJsonColumn<{ code: string; message: string }>;
  /** Type-specific data: location, shared contacts, interactive ids, reaction target, reactions… */
  details: JsonColumn<Record<string, unknown>>;
  reply_to_provider_message_id: string | null;
  /** The agent who sent it (outbound from the inbox); null for inbound and echoes. */
  sender_user_id: string | null;
  /** Platform time (inbound) or creation time (outbound): the order of the conversation. */
  sent_at: Timestamp;
  /** Insertion order: breaks ties between messages of the same platform second. */
  seq: Generated<number>;
  edited_at: Timestamp | null;
  edit_history: JsonColumn<EditHistoryEntry[]>;
  status_history: JsonColumn<StatusHistoryEntry[]>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/**
 * A status or edit for a provider message id we do not have yet (the receipt overtook the
 * message, or our own send has not recorded its id): applied when the message appears.
 */
export interface PendingUpdatesTable {
  id: Generated<string>;
  channel_id: string;
  provider_message_id: string;
  /** 'status' | 'edit' */
  kind: string;
  /** For kind 'status': sent | delivered | read | failed. For 'edit': ''. */
  status: string;
  error: NullableJsonColumn<{ code: string; message: string }>;
  text: string | null;
  occurred_at: Timestamp;
  created_at: GeneratedTimestamp;
}

/** Every webhook POST as received (raw body), for inspection and replay. */
export interface WebhookEventsTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  channel_type: string;
  /** The raw body exactly as received (valid JSON text). */
  body: string;
  /** 'received' (not processed yet) | 'processed' | 'unhandled' (something in it was kept, not understood or not routed) | 'failed' */
  status: Generated<string>;
  /** Per-event notes: what was unhandled or unrouted, and why. */
  notes: JsonColumn<WebhookNote[]>;
  event_count: Generated<number>;
  received_at: Timestamp;
  processed_at: Timestamp | null;
  /** Last time the recovery sweep put it back on the queue. */
  requeued_at: Timestamp | null;
  created_at: GeneratedTimestamp;
}

export interface WebhookNote {
  reason: string;
  kind?: string;
  routeKey?: string | null;
  error?: { code: string; message: string } | null;
  raw?: unknown;
}

export interface MediaFilesTable {
  id: Generated<string>;
  workspace_id: string;
  message_id: string;
  storage_key: string;
  mime_type: string;
  file_name: string | null;
  size_bytes: number;
  sha256: string;
  created_at: GeneratedTimestamp;
}

export interface IngestTables {
  conversations: ConversationsTable;
  messages: MessagesTable;
  pending_updates: PendingUpdatesTable;
  webhook_events: WebhookEventsTable;
  media_files: MediaFilesTable;
}

// Columns 002_ingest adds to a core table, merged into its row type here so schema.ts stays
// the core's file.
declare module '../schema' {
  interface ContactIdentitiesTable {
    /** false once the person blocked us (Telegram kicked, Messenger #551…). */
    reachable: Generated<boolean>;
    reachability_changed_at: Timestamp | null;
  }
}
