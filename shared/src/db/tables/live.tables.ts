import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../schema';

// Tables of the live domain (see migrations/004_live.ts): teams, reporting events, reply
// templates, WhatsApp approved templates, uploads waiting to be sent and the round-robin cursor
// of auto-assignment — plus the columns 004 adds to conversations, messages and users, merged
// into their row types below so the owners' files stay theirs.

type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface TeamsTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  deleted_at: Timestamp | null;
}

/**
 * One sample of a response-time figure, written when it happens (so a figure can be explained
 * later, event by event). kind: 'first_response' | 'reply' | 'resolution'.
 */
export interface ReportingEventsTable {
  id: Generated<string>;
  workspace_id: string;
  conversation_id: string;
  channel_id: string;
  kind: string;
  /** Credited to: the agent who replied (first_response, reply) or the assignee (resolution). */
  agent_id: string | null;
  /** The reply that produced the sample (null for resolutions). */
  message_id: string | null;
  value_seconds: number;
  /** The same span counted in the workspace's business hours; null when it has none. */
  value_business_seconds: number | null;
  /** Where the span starts (cycle start, first unanswered customer message). */
  started_at: Timestamp;
  at: Timestamp;
  created_at: GeneratedTimestamp;
}

export interface ReplyTemplatesTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  shortcut: string;
  /** With {{contact.name}}-style variables, filled in by the inbox. */
  body: string;
  category: string | null;
  platforms: Generated<string[]>;
  created_by: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  deleted_at: Timestamp | null;
}

/** A WhatsApp message template approved by Meta, as an admin recorded it for a channel. */
export interface ChannelTemplatesTable {
  id: Generated<string>;
  workspace_id: string;
  channel_id: string;
  name: string;
  language: string;
  category: string;
  /** The body with {{1}}…{{n}} placeholders. */
  body: string;
  variable_count: number;
  created_at: GeneratedTimestamp;
}

/** A file an agent uploaded to send (POST /api/v1/media); copied into media_files when sent. */
export interface MediaUploadsTable {
  id: Generated<string>;
  workspace_id: string;
  storage_key: string;
  mime_type: string;
  file_name: string | null;
  size_bytes: number;
  sha256: string;
  uploaded_by: string | null;
  created_at: GeneratedTimestamp;
}

export interface AssignmentCursorsTable {
  channel_id: string;
  workspace_id: string;
  /** The agent who got the channel's last auto-assigned conversation. */
  last_user_id: string | null;
  updated_at: GeneratedTimestamp;
}

export interface LiveTables {
  teams: TeamsTable;
  reporting_events: ReportingEventsTable;
  reply_templates: ReplyTemplatesTable;
  channel_templates: ChannelTemplatesTable;
  media_uploads: MediaUploadsTable;
  assignment_cursors: AssignmentCursorsTable;
}

declare module './ingest.tables' {
  interface ConversationsTable {
    team_id: string | null;
    labels: Generated<string[]>;
    /** Set while snoozed (status 'pending'); a customer message or the wake-up job clears it. */
    snoozed_at: Timestamp | null;
    /** When the wake-up job reopens it; null while snoozed = until the next customer message. */
    snoozed_until: Timestamp | null;
    /** Start of the current reporting cycle: first customer message, reopen or bot hand-off. */
    cycle_started_at: Timestamp | null;
    /** The first human reply of the current cycle (first response time is recorded once). */
    first_reply_at: Timestamp | null;
    /** The first customer message not answered by a human yet (reply time and "unanswered"). */
    awaiting_since: Timestamp | null;
    /** When the current cycle was resolved (null while it runs). */
    resolved_at: Timestamp | null;
  }
  interface MessagesTable {
    idempotency_key: string | null;
    /** A private note: stored and shown to the team, never sent. */
    private: Generated<boolean>;
    send_attempts: Generated<number>;
    /** Set right before the platform is called; cleared once the outcome is recorded. */
    sending_at: Timestamp | null;
    /** Bumped by each agent retry: the outbound job id of that round. */
    retry_round: Generated<number>;
  }
}

declare module '../schema' {
  interface UsersTable {
    /** Open conversations auto-assignment may give this agent (null: the channel's or the default). */
    conversation_capacity: number | null;
  }
}
