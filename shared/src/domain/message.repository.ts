import { sql, type Insertable, type Updateable } from 'kysely';
import type { DbOrTrx } from '../db';
import type { EditHistoryEntry, MessagesTable, StatusHistoryEntry } from '../db/tables/ingest.tables';
import type { MessageRow } from './message.mapper';

export type NewMessage = Insertable<MessagesTable>;

/**
 * Inserts unless (channel_id, provider_message_id) is already there: the one dedupe point for
 * provider messages. undefined → it was a duplicate.
 */
export async function insertMessageIfNew(trx: DbOrTrx, row: NewMessage): Promise<MessageRow | undefined> {
  return (await insertMessagesIfNew(trx, [row]))[0];
}

/** insertMessageIfNew for many rows: the rows inserted (the others were already there). */
export async function insertMessagesIfNew(trx: DbOrTrx, rows: NewMessage[]): Promise<MessageRow[]> {
  if (rows.length === 0) return [];
  return trx
    .insertInto('messages')
    .values(rows)
    .onConflict((oc) => oc.columns(['channel_id', 'provider_message_id']).doNothing())
    .returningAll()
    .execute();
}

/** Outbound messages created by the inbox (no provider id yet). */
export function insertMessage(trx: DbOrTrx, row: NewMessage): Promise<MessageRow> {
  return trx.insertInto('messages').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findMessageById(db: DbOrTrx, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findMessageByProviderId(
  db: DbOrTrx,
  channelId: string,
  providerMessageId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<MessageRow | undefined> {
  let q = db
    .selectFrom('messages')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('provider_message_id', '=', providerMessageId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export function updateMessage(
  trx: DbOrTrx,
  id: string,
  patch: Omit<Updateable<MessagesTable>, 'id' | 'seq'>,
): Promise<MessageRow> {
  return trx
    .updateTable('messages')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function jsonbAppend<T>(column: 'status_history' | 'edit_history', entry: T) {
  return sql<T[]>`${sql.ref(column)} || ${JSON.stringify([entry])}::jsonb`;
}

export function setMessageStatus(
  trx: DbOrTrx,
  id: string,
  status: string,
  error: { code: string; message: string } | null,
  entry: StatusHistoryEntry,
): Promise<MessageRow> {
  return trx
    .updateTable('messages')
    .set({
      status,
      error: error === null ? null : JSON.stringify(error),
      status_history: jsonbAppend('status_history', entry) as never,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function setMessageText(
  trx: DbOrTrx,
  id: string,
  patch: { text: string | null; editedAt: Date; media?: MessageRow['media'] },
  entry: EditHistoryEntry,
): Promise<MessageRow> {
  return trx
    .updateTable('messages')
    .set({
      text: patch.text,
      edited_at: patch.editedAt,
      edit_history: jsonbAppend('edit_history', entry) as never,
      ...(patch.media !== undefined ? { media: patch.media === null ? null : JSON.stringify(patch.media) } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Our sent messages to this conversation at or before `until` still below one of `fromStatuses`. */
export function listOutboundForWatermark(
  trx: DbOrTrx,
  conversationId: string,
  until: Date,
  fromStatuses: string[],
): Promise<MessageRow[]> {
  return trx
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('direction', '=', 'out')
    .where('sent_at', '<=', until)
    .where('status', 'in', fromStatuses)
    .orderBy('sent_at')
    .orderBy('seq')
    .forUpdate()
    .execute();
}

/**
 * One page of a conversation's messages: the newest `limit` strictly before the cursor
 * (sent_at, seq), returned oldest first.
 */
export async function listMessagesPage(
  db: DbOrTrx,
  conversationId: string,
  page: { before?: { at: string; seq: number } | undefined; limit: number },
): Promise<(MessageRow & { sent_at_text: string })[]> {
  let q = db
    .selectFrom('messages')
    .selectAll()
    .select(sql<string>`sent_at::text`.as('sent_at_text'))
    .where('conversation_id', '=', conversationId);
  if (page.before) {
    q = q.where(sql<boolean>`(sent_at, seq) < (${page.before.at}::timestamptz, ${page.before.seq})`);
  }
  const rows = await q.orderBy('sent_at', 'desc').orderBy('seq', 'desc').limit(page.limit).execute();
  return rows.reverse();
}

/** The media column, row-locked: the media job's "still pending?" check before it writes. */
export async function lockMessageMedia(trx: DbOrTrx, id: string): Promise<MessageRow['media'] | undefined> {
  const row = await trx.selectFrom('messages').select('media').where('id', '=', id).forUpdate().executeTakeFirst();
  return row?.media;
}

export async function deleteMessage(trx: DbOrTrx, id: string): Promise<void> {
  await trx.deleteFrom('messages').where('id', '=', id).execute();
}
