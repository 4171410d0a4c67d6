import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../schema';

// Stored notifications (see migrations/007_notifications.ts).

type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Something addressed to one user (kind 'mention': an @mention in a private note). */
export interface NotificationsTable {
  id: Generated<string>;
  workspace_id: string;
  user_id: string;
  kind: string;
  conversation_id: string | null;
  message_id: string | null;
  /** Who caused it (the note's author). */
  by_user_id: string | null;
  /** A short excerpt shown in the list. */
  text: string;
  created_at: GeneratedTimestamp;
  /** Null while unread. */
  read_at: Timestamp | null;
}

export interface NotificationTables {
  notifications: NotificationsTable;
}
