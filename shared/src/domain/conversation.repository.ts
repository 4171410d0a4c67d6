import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DB, Db, DbOrTrx } from '../db';
import { messageJsonToRow, type ConversationRow, type ConversationViewRow } from './message.mapper';

export type VisibilityFilter = (eb: ExpressionBuilder<DB, 'conversations'>) => Expression<SqlBool>;

/** Get-or-create the conversation of a contact on a channel (unique per pair). */
export async function getOrCreateConversation(
  trx: DbOrTrx,
  input: { workspaceId: string; channelId: string; contactId: string; at: Date },
): Promise<{ row: ConversationRow; created: boolean }> {
  // The common case is an existing conversation: one read. The insert … on conflict settles
  // a race between two first messages.
  const existing = await findConversationByContact(trx, input.channelId, input.contactId);
  if (existing) return { row: existing, created: false };
  const inserted = await trx
    .insertInto('conversations')
    .values({
      workspace_id: input.workspaceId,
      channel_id: input.channelId,
      contact_id: input.contactId,
      last_activity_at: input.at,
    })
    .onConflict((oc) => oc.columns(['channel_id', 'contact_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const row = await trx
    .selectFrom('conversations')
    .selectAll()
    .where('channel_id', '=', input.channelId)
    .where('contact_id', '=', input.contactId)
    .executeTakeFirstOrThrow();
  return { row, created: false };
}

export function findConversationByContact(
  db: DbOrTrx,
  channelId: string,
  contactId: string,
): Promise<ConversationRow | undefined> {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
}

export interface RecordMessage {
  messageId: string;
  sentAt: Date;
  direction: 'in' | 'out';
  /** Inbound customer messages count as unread and reopen a resolved conversation. */
  countsAsUnread: boolean;
  /** Reactions and similar do not replace the preview. */
  becomesLastMessage: boolean;
}

/**
 * A new message in the conversation: lastMessage only moves to a message with a later
 * platform time (a late, older message leaves it alone), activity never moves backwards.
 */
export async function recordMessageOnConversation(
  trx: DbOrTrx,
  conversationId: string,
  m: RecordMessage,
): Promise<ConversationRow> {
  const newer = sql<boolean>`(last_message_at is null or last_message_at <= ${m.sentAt})`;
  return trx
    .updateTable('conversations')
    .set((eb) => ({
      ...(m.becomesLastMessage
        ? {
            last_message_id: sql<string>`case when ${newer} then ${m.messageId}::uuid else last_message_id end`,
            last_message_at: sql<Date>`case when ${newer} then ${m.sentAt}::timestamptz else last_message_at end`,
            last_activity_at: sql<Date>`greatest(last_activity_at, ${m.sentAt}::timestamptz)`,
          }
        : {}),
      ...(m.direction === 'in'
        ? {
            last_inbound_at: sql<Date>`greatest(coalesce(last_inbound_at, ${m.sentAt}::timestamptz), ${m.sentAt}::timestamptz)`,
          }
        : {
            last_outbound_at: sql<Date>`greatest(coalesce(last_outbound_at, ${m.sentAt}::timestamptz), ${m.sentAt}::timestamptz)`,
          }),
      ...(m.countsAsUnread
        ? {
            unread_count: eb('unread_count', '+', 1),
            status: sql<string>`case when status = 'resolved' then 'open' else status end`,
          }
        : {}),
      updated_at: new Date(),
    }))
    .where('id', '=', conversationId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateConversationRow(
  db: DbOrTrx,
  id: string,
  patch: { status?: string; assignee_id?: string | null; unread_count?: number },
): Promise<ConversationRow> {
  return db
    .updateTable('conversations')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

function viewQuery(db: DbOrTrx) {
  return db
    .selectFrom('conversations')
    .innerJoin('channels', 'channels.id', 'conversations.channel_id')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .leftJoin('messages as lm', 'lm.id', 'conversations.last_message_id')
    .selectAll('conversations')
    .select([
      'channels.type as channel_type',
      'contacts.name as contact_name',
      'contacts.phone as contact_phone',
      sql<Record<string, unknown> | null>`case when lm.id is null then null else to_jsonb(lm) end`.as(
        'last_message_json',
      ),
      // Exact text of the timestamp for cursors (a JS Date would drop microseconds).
      sql<string>`conversations.last_activity_at::text`.as('last_activity_text'),
    ]);
}

type ViewQueryRow = ConversationRow & {
  channel_type: string;
  contact_name: string;
  contact_phone: string | null;
  last_message_json: Record<string, unknown> | null;
  last_activity_text: string;
};

function toViewRow(r: ViewQueryRow): ConversationViewRow & { last_activity_text: string } {
  const { last_message_json, ...rest } = r;
  return { ...rest, last_message: last_message_json ? messageJsonToRow(last_message_json) : null };
}

/** One conversation as the API shows it, if the caller may see it. */
export async function findConversationView(
  db: DbOrTrx,
  visible: VisibilityFilter,
  id: string,
): Promise<ConversationViewRow | undefined> {
  const row = await viewQuery(db).where(visible).where('conversations.id', '=', id).executeTakeFirst();
  return row ? toViewRow(row) : undefined;
}

/** For system code (workers publishing realtime events): no caller to scope by. */
export async function loadConversationView(db: DbOrTrx, id: string): Promise<ConversationViewRow | undefined> {
  const row = await viewQuery(db).where('conversations.id', '=', id).executeTakeFirst();
  return row ? toViewRow(row) : undefined;
}

/** loadConversationView for many ids (one query); keyed by id. */
export async function loadConversationViews(db: DbOrTrx, ids: string[]): Promise<Map<string, ConversationViewRow>> {
  const out = new Map<string, ConversationViewRow>();
  if (ids.length === 0) return out;
  const rows = await viewQuery(db)
    .where('conversations.id', 'in', [...new Set(ids)])
    .execute();
  for (const r of rows) out.set(r.id, toViewRow(r));
  return out;
}

/** A visible conversation's bare row (404 checks before reading its messages). */
export function findVisibleConversation(
  db: DbOrTrx,
  visible: VisibilityFilter,
  id: string,
): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where(visible).where('id', '=', id).executeTakeFirst();
}

export interface ConversationFilters {
  status?: string | undefined;
  channelId?: string | undefined;
  /** A user id, or null for unassigned. */
  assigneeId?: string | null | undefined;
  /** Conversations carrying this label (exact spelling; the GIN index on `labels`). */
  label?: string | undefined;
  /**
   * Text search: `pattern` (a regex for `~*`) against the contact's name and `digits` against
   * the phone (both on the contacts' trigram indexes, within `workspaceId`), or `pattern`
   * against the text of the conversation's messages (per conversation, by the timeline index).
   */
  search?: { workspaceId: string; pattern: string; digits: string | null } | undefined;
}

/** Most recent activity first; cursor = (last_activity_at, id) of the last row of the previous page. */
export async function listConversationViews(
  db: Db,
  visible: VisibilityFilter,
  filters: ConversationFilters,
  page: { after?: { at: string; id: string } | undefined; limit: number },
): Promise<(ConversationViewRow & { last_activity_text: string })[]> {
  let q = viewQuery(db).where(visible);
  if (filters.status) q = q.where('conversations.status', '=', filters.status);
  if (filters.channelId) q = q.where('conversations.channel_id', '=', filters.channelId);
  if (filters.assigneeId === null) q = q.where('conversations.assignee_id', 'is', null);
  else if (filters.assigneeId) q = q.where('conversations.assignee_id', '=', filters.assigneeId);
  if (filters.label) q = q.where(sql<boolean>`conversations.labels @> array[${filters.label}]::text[]`);
  if (filters.search) {
    const { workspaceId, pattern, digits } = filters.search;
    q = q.where((eb) =>
      eb.or([
        // Not correlated, so PostgreSQL runs it once (a bitmap scan of the trigram indexes).
        eb(
          'conversations.contact_id',
          'in',
          eb
            .selectFrom('contacts as sc')
            .select('sc.id')
            .where('sc.workspace_id', '=', workspaceId)
            .where((c) =>
              c.or([sql<boolean>`sc.name ~* ${pattern}`, ...(digits ? [c('sc.phone', 'like', `%${digits}%`)] : [])]),
            ),
        ),
        eb.exists(
          eb
            .selectFrom('messages')
            .select(sql`1`.as('one'))
            .whereRef('messages.conversation_id', '=', 'conversations.id')
            .where(sql<boolean>`messages.text ~* ${pattern}`),
        ),
      ]),
    );
  }
  if (page.after) {
    const { at, id } = page.after;
    q = q.where(sql<boolean>`(conversations.last_activity_at, conversations.id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  const rows = await q
    .orderBy('conversations.last_activity_at', 'desc')
    .orderBy('conversations.id', 'desc')
    .limit(page.limit)
    .execute();
  return rows.map(toViewRow);
}

/** Conversations whose preview was `fromId` now show `toId` (a duplicate folded into another row). */
export async function repointLastMessage(trx: DbOrTrx, fromId: string, toId: string): Promise<void> {
  await trx.updateTable('conversations').set({ last_message_id: toId }).where('last_message_id', '=', fromId).execute();
}
