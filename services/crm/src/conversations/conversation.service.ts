import { z } from 'zod';
import { loadAssigneeVisibility, type AuthContext } from '@hub/shared/auth';
import type { RealtimeBus } from '@hub/shared/bus';
import type { Db } from '@hub/shared/db';
import {
  Conversation,
  ConversationStatus,
  conversationEvent,
  conversationRowToConversation,
  conversationVisibility,
  findConversationView,
  findVisibleConversation,
  findVisibleMediaFile,
  listConversationViews,
  listMessagesPage,
  loadConversationView,
  Message,
  messageRowToMessage,
  publishAll,
  updateConversationRow,
  type MediaFileRow,
  type VisibilityFilter,
} from '@hub/shared/domain';
import { AppError, notFound } from '@hub/shared/errors';
import type { Logger } from '@hub/shared/logger';
import { conversationSearch } from './conversation-search';

export interface ConversationDeps {
  db: Db;
  bus: RealtimeBus;
  logger: Logger;
}

const uuid = z.uuid();

export const ListConversationsQuery = z.object({
  status: ConversationStatus.optional(),
  channelId: uuid.optional(),
  /** A user id, or "none" for unassigned conversations. */
  assigneeId: z.union([uuid, z.literal('none')]).optional(),
  q: z.string().trim().min(1).max(100).optional().meta({
    description:
      'Search: the contact’s name (case- and accent-insensitive), phone (3 or more digits) or the text of any of the conversation’s messages',
  }),
  label: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .regex(/^[^,]*$/, 'no commas')
    .optional()
    .meta({ description: 'Only conversations carrying this label (exact spelling)' }),
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListConversationsQuery = z.infer<typeof ListConversationsQuery>;

export const ListMessagesQuery = z.object({
  /** nextCursor of the previous (newer) page. */
  before: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListMessagesQuery = z.infer<typeof ListMessagesQuery>;

export const UpdateConversationBody = z
  .object({
    status: ConversationStatus.optional(),
    assigneeId: uuid.nullable().optional(),
  })
  .strict();
export type UpdateConversationBody = z.infer<typeof UpdateConversationBody>;

export const ConversationPage = z.object({ items: z.array(Conversation), nextCursor: z.string().nullable() });
export const MessagePage = z.object({ items: z.array(Message), nextCursor: z.string().nullable() });

// Cursors carry PostgreSQL's own text of the timestamp (microseconds intact) and the row's
// tiebreaker, as base64url JSON. Anything else is a 400 naming the parameter.
function encode(parts: [string, string | number]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decode<T extends string | number>(
  cursor: string,
  field: string,
  second: z.ZodType<T>,
): { at: string; key: T } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && !Number.isNaN(Date.parse(v[0]))) {
      const key = second.safeParse(v[1]);
      if (key.success) return { at: v[0], key: key.data };
    }
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'validation_failed', `invalid ${field}`, [
    { field, message: 'not a cursor from a previous page' },
  ]);
}

async function visibility(db: Db, auth: AuthContext): Promise<VisibilityFilter> {
  return conversationVisibility(auth, await loadAssigneeVisibility(db, auth));
}

export async function listConversations(deps: ConversationDeps, auth: AuthContext, q: ListConversationsQuery) {
  const after = q.cursor ? decode(q.cursor, 'cursor', z.uuid()) : undefined;
  const rows = await listConversationViews(
    deps.db,
    await visibility(deps.db, auth),
    {
      status: q.status,
      channelId: q.channelId,
      assigneeId: q.assigneeId === 'none' ? null : q.assigneeId,
      label: q.label,
      search: q.q ? { workspaceId: auth.workspaceId, ...conversationSearch(q.q) } : undefined,
    },
    { after: after ? { at: after.at, id: after.key } : undefined, limit: q.limit + 1 },
  );
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page[page.length - 1];
  return {
    items: page.map(conversationRowToConversation),
    nextCursor: more && last ? encode([last.last_activity_text, last.id]) : null,
  };
}

export async function getConversation(deps: ConversationDeps, auth: AuthContext, id: string): Promise<Conversation> {
  const row = await findConversationView(deps.db, await visibility(deps.db, auth), id);
  if (!row) throw notFound('conversation');
  return conversationRowToConversation(row);
}

/** Newest page first (by `before`), oldest first within the page; ordered by platform time. */
export async function listMessages(deps: ConversationDeps, auth: AuthContext, id: string, q: ListMessagesQuery) {
  const conversation = await findVisibleConversation(deps.db, await visibility(deps.db, auth), id);
  if (!conversation) throw notFound('conversation');
  const before = q.before ? decode(q.before, 'before', z.number().int()) : undefined;
  const rows = await listMessagesPage(deps.db, conversation.id, {
    before: before ? { at: before.at, seq: before.key } : undefined,
    limit: q.limit + 1,
  });
  // Rows come oldest first; one extra (the oldest) means an older page exists.
  const more = rows.length > q.limit;
  const page = more ? rows.slice(rows.length - q.limit) : rows;
  const oldest = page[0];
  return {
    items: page.map(messageRowToMessage),
    nextCursor: more && oldest ? encode([oldest.sent_at_text, oldest.seq]) : null,
  };
}

async function publishConversation(deps: ConversationDeps, workspaceId: string, id: string): Promise<Conversation> {
  const view = await loadConversationView(deps.db, id);
  if (!view) throw notFound('conversation');
  const conversation = conversationRowToConversation(view);
  try {
    await publishAll(deps.bus, [conversationEvent('conversation:updated', workspaceId, conversation)]);
  } catch (err) {
    deps.logger.warn({ err }, 'realtime publish failed');
  }
  return conversation;
}

/** The agent has read the conversation: unread count back to zero. */
export async function markConversationRead(
  deps: ConversationDeps,
  auth: AuthContext,
  id: string,
): Promise<Conversation> {
  const row = await findVisibleConversation(deps.db, await visibility(deps.db, auth), id);
  if (!row) throw notFound('conversation');
  if (row.unread_count === 0) return getConversation(deps, auth, id);
  await updateConversationRow(deps.db, row.id, { unread_count: 0 });
  return publishConversation(deps, auth.workspaceId, row.id);
}

export async function findMediaForCaller(deps: ConversationDeps, auth: AuthContext, id: string): Promise<MediaFileRow> {
  const file = await findVisibleMediaFile(deps.db, await visibility(deps.db, auth), id);
  if (!file) throw notFound('media');
  return file;
}
