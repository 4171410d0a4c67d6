import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { ConversationsTable, MessagesTable, StoredMedia } from '../db/tables/ingest.tables';
import { ChannelType, MessageStatus, MessageType, ProviderError } from '../events';

// The API shapes of CONTRACT.md ("Conversations and messages"), as zod schemas so the web
// client, the OpenAPI document and tests parse against the same definition, and the named
// mappers that turn rows into them.

export const MediaView = z.object({
  /** /api/v1/media/<id> once downloaded; null while pending or after the download failed. */
  url: z.string().nullable(),
  mimeType: z.string().nullable(),
  fileName: z.string().optional(),
  caption: z.string().optional(),
  /** Why the media is not there (download failed after its last retry). */
  error: z.string().optional(),
});
export type MediaView = z.infer<typeof MediaView>;

export const Message = z.object({
  id: z.string(),
  conversationId: z.string(),
  direction: z.enum(['in', 'out']),
  type: MessageType,
  text: z.string().nullable(),
  media: MediaView.nullable(),
  status: MessageStatus,
  providerMessageId: z.string().nullable(),
  error: ProviderError.nullable(),
  /** ISO 8601 UTC; the platform's time for inbound messages. */
  createdAt: z.string(),
  /** Set when the sender edited the text (Telegram). */
  editedAt: z.string().nullable(),
  /** Type-specific data: location, shared contacts, interactive reply ids, reaction target, reactions. */
  details: z.record(z.string(), z.unknown()),
  replyToProviderMessageId: z.string().nullable(),
});
export type Message = z.infer<typeof Message>;

export const ConversationStatus = z.enum(['open', 'pending', 'resolved']);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

export const Conversation = z.object({
  id: z.string(),
  status: ConversationStatus,
  channel: z.object({ id: z.string(), type: ChannelType }),
  contact: z.object({ id: z.string(), name: z.string(), phone: z.string().nullable() }),
  assigneeId: z.string().nullable(),
  unreadCount: z.number().int(),
  lastMessage: Message.nullable(),
  /** ISO 8601 UTC */
  lastActivityAt: z.string(),
  createdAt: z.string(),
});
export type Conversation = z.infer<typeof Conversation>;

export type MessageRow = Selectable<MessagesTable>;
export type ConversationRow = Selectable<ConversationsTable>;

/** A conversation row with what its API shape needs from channels, contacts and messages. */
export interface ConversationViewRow extends ConversationRow {
  channel_type: string;
  contact_name: string;
  contact_phone: string | null;
  last_message: MessageRow | null;
}

export function mediaUrl(fileId: string): string {
  return `/api/v1/media/${fileId}`;
}

function mediaToView(media: StoredMedia | null): MediaView | null {
  if (!media) return null;
  return {
    url: media.fileId ? mediaUrl(media.fileId) : null,
    mimeType: media.mimeType,
    ...(media.fileName !== undefined ? { fileName: media.fileName } : {}),
    ...(media.caption !== undefined ? { caption: media.caption } : {}),
    ...(media.state === 'failed' && media.error ? { error: media.error } : {}),
  };
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

export function messageRowToMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    direction: row.direction === 'out' ? 'out' : 'in',
    type: MessageType.safeParse(row.type).data ?? 'unsupported',
    text: row.text,
    media: mediaToView(row.media),
    status: MessageStatus.safeParse(row.status).data ?? 'received',
    providerMessageId: row.provider_message_id,
    error: row.error,
    createdAt: iso(row.sent_at),
    editedAt: row.edited_at ? iso(row.edited_at) : null,
    details: row.details ?? {},
    replyToProviderMessageId: row.reply_to_provider_message_id,
  };
}

export function conversationRowToConversation(row: ConversationViewRow): Conversation {
  return {
    id: row.id,
    status: ConversationStatus.safeParse(row.status).data ?? 'open',
    channel: { id: row.channel_id, type: ChannelType.parse(row.channel_type) },
    contact: { id: row.contact_id, name: row.contact_name, phone: row.contact_phone },
    assigneeId: row.assignee_id,
    unreadCount: row.unread_count,
    lastMessage: row.last_message ? messageRowToMessage(row.last_message) : null,
    lastActivityAt: iso(row.last_activity_at),
    createdAt: iso(row.created_at),
  };
}

/** to_jsonb(messages) gives timestamps as strings; bring them back to the row's types. */
export function messageJsonToRow(json: Record<string, unknown>): MessageRow {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)));
  return {
    ...(json as unknown as MessageRow),
    seq: Number(json.seq),
    sent_at: date(json.sent_at)!,
    edited_at: date(json.edited_at),
    created_at: date(json.created_at)!,
    updated_at: date(json.updated_at)!,
  };
}
