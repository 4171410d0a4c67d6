import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTrx } from '../db';
import type { ConversationsTable } from '../db/tables/ingest.tables';
import type { ChannelTemplatesTable, MediaUploadsTable, ReportingEventsTable } from '../db/tables/live.tables';
import { jsonbAppend, type NewMessage } from './message.repository';
import type { ConversationRow, MessageRow } from './message.mapper';
import type { MediaFileRow } from './media.repository';
import type { VisibilityFilter } from './conversation.repository';

// Every query of the live work (sending, conversation actions, reporting, auto-assignment):
// repositories take the db or the caller's transaction first; services own the transactions.

// ── messages ────────────────────────────────────────────────────────────────────────────────

export function findMessageByIdempotencyKey(
  db: DbOrTrx,
  conversationId: string,
  key: string,
): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

/** Inserts an agent's message; undefined when its idempotency key is already taken. */
export function insertOutboundMessage(trx: DbOrTrx, row: NewMessage): Promise<MessageRow | undefined> {
  return trx
    .insertInto('messages')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['conversation_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

export function findMessageInConversation(
  db: DbOrTrx,
  conversationId: string,
  messageId: string,
): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('id', '=', messageId)
    .executeTakeFirst();
}

/**
 * The send claim, taken right before the platform is called: only a queued message with no
 * claim and no provider id gets it. A message found claimed later means an earlier try died
 * between the call and recording its outcome (see the worker's README: the at-most-once rule).
 */
export function claimMessageForSending(db: DbOrTrx, id: string, at: Date): Promise<MessageRow | undefined> {
  return db
    .updateTable('messages')
    .set((eb) => ({ sending_at: at, send_attempts: eb('send_attempts', '+', 1), updated_at: at }))
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .where('sending_at', 'is', null)
    .where('provider_message_id', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** The platform answered "not sent" (an error it will let us retry): the claim goes. */
export async function releaseSendClaim(db: DbOrTrx, id: string): Promise<void> {
  await db.updateTable('messages').set({ sending_at: null }).where('id', '=', id).execute();
}

/** An agent's retry of a failed message: queued again, in a new send round. */
export function resetFailedForRetry(trx: DbOrTrx, id: string, at: Date): Promise<MessageRow | undefined> {
  return trx
    .updateTable('messages')
    .set((eb) => ({
      status: 'queued',
      error: null,
      sending_at: null,
      retry_round: eb('retry_round', '+', 1),
      status_history: jsonbAppend('status_history', { status: 'queued', at: at.toISOString(), retry: true }) as never,
      updated_at: at,
    }))
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .where('direction', '=', 'out')
    .where('private', '=', false)
    .returningAll()
    .executeTakeFirst();
}

export interface StrandedMessage {
  id: string;
  conversation_id: string;
  retry_round: number;
  channel_id: string;
  channel_type: string;
  channel_settings: Record<string, unknown>;
}

/** Queued sends nobody is working on (their enqueue failed, or the queue lost them). */
export function listStrandedQueued(db: DbOrTrx, olderThan: Date, limit: number): Promise<StrandedMessage[]> {
  return db
    .selectFrom('messages')
    .innerJoin('channels', 'channels.id', 'messages.channel_id')
    .select([
      'messages.id',
      'messages.conversation_id',
      'messages.retry_round',
      'channels.id as channel_id',
      'channels.type as channel_type',
      'channels.settings as channel_settings',
    ])
    .where('messages.status', '=', 'queued')
    .where('messages.direction', '=', 'out')
    .where('messages.private', '=', false)
    .where('messages.sending_at', 'is', null)
    .where('messages.created_at', '<', olderThan)
    .where('channels.deleted_at', 'is', null)
    .orderBy('messages.created_at')
    .limit(limit)
    .execute();
}

// ── media ───────────────────────────────────────────────────────────────────────────────────

export type MediaUploadRow = Selectable<MediaUploadsTable>;

export function insertMediaUpload(db: DbOrTrx, row: Insertable<MediaUploadsTable>): Promise<MediaUploadRow> {
  return db.insertInto('media_uploads').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findMediaUpload(db: DbOrTrx, workspaceId: string, id: string): Promise<MediaUploadRow | undefined> {
  return db
    .selectFrom('media_uploads')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Unscoped: the caller holds a signed token naming this file. */
export function findMediaFileById(db: DbOrTrx, id: string): Promise<MediaFileRow | undefined> {
  return db.selectFrom('media_files').selectAll().where('id', '=', id).executeTakeFirst();
}

// ── conversations ───────────────────────────────────────────────────────────────────────────

export function lockConversation(trx: DbOrTrx, id: string): Promise<ConversationRow | undefined> {
  return trx.selectFrom('conversations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export type LiveConversationPatch = Omit<
  Updateable<ConversationsTable>,
  'id' | 'workspace_id' | 'channel_id' | 'contact_id' | 'created_at'
>;

export function updateLiveConversation(
  trx: DbOrTrx,
  id: string,
  patch: LiveConversationPatch,
  at: Date,
): Promise<ConversationRow> {
  return trx
    .updateTable('conversations')
    .set({ ...patch, updated_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Wakes a snoozed conversation if it is still snoozed until exactly `until`. */
export function wakeSnoozed(trx: DbOrTrx, id: string, until: Date, at: Date): Promise<ConversationRow | undefined> {
  return trx
    .updateTable('conversations')
    .set({ status: 'open', snoozed_at: null, snoozed_until: null, updated_at: at })
    .where('id', '=', id)
    .where('snoozed_at', 'is not', null)
    .where('snoozed_until', '=', until)
    .returningAll()
    .executeTakeFirst();
}

export interface UnreadCounts {
  conversations: number;
  messages: number;
}

/** Unread conversations/messages among open and pending conversations matching `where`. */
export async function countUnread(
  db: DbOrTrx,
  workspaceId: string,
  assignee: 'any' | 'none' | string,
  visible: VisibilityFilter,
): Promise<UnreadCounts> {
  let q = db
    .selectFrom('conversations')
    .select([
      sql<number>`count(*) filter (where unread_count > 0)::int`.as('conversations'),
      sql<number>`coalesce(sum(unread_count), 0)::int`.as('messages'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('status', 'in', ['open', 'pending'])
    .where(visible);
  if (assignee === 'none') q = q.where('assignee_id', 'is', null);
  else if (assignee !== 'any') q = q.where('assignee_id', '=', assignee);
  const row = await q.executeTakeFirstOrThrow();
  return { conversations: Number(row.conversations), messages: Number(row.messages) };
}

// ── recipients, users, templates ────────────────────────────────────────────────────────────

/** The person's id on this platform (wa_id, PSID, Telegram chat id), reachable ones first. */
export async function findRecipient(
  db: DbOrTrx,
  workspaceId: string,
  contactId: string,
  kind: 'whatsapp' | 'messenger' | 'telegram',
): Promise<{ value: string; reachable: boolean } | undefined> {
  const row = await db
    .selectFrom('contact_identities')
    .select(['value', 'reachable'])
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId)
    .where('kind', '=', kind)
    .orderBy('reachable', 'desc')
    .orderBy('created_at')
    .orderBy('value')
    .executeTakeFirst();
  return row ? { value: row.value, reachable: row.reachable } : undefined;
}

export function findContactPhone(db: DbOrTrx, workspaceId: string, contactId: string): Promise<string | null> {
  return db
    .selectFrom('contacts')
    .select('phone')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', contactId)
    .executeTakeFirst()
    .then((r) => r?.phone ?? null);
}

export interface WorkspaceUser {
  id: string;
  email: string;
  name: string;
  role: string;
  active: boolean;
  conversation_capacity: number | null;
}

export function findUsersByIdsOrEmails(
  db: DbOrTrx,
  workspaceId: string,
  ids: string[],
  emails: string[],
): Promise<WorkspaceUser[]> {
  if (ids.length === 0 && emails.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role', 'active', 'conversation_capacity'])
    .where('workspace_id', '=', workspaceId)
    .where('active', '=', true)
    .where((eb) =>
      eb.or([
        ...(ids.length ? [eb('id', 'in', ids)] : []),
        ...(emails.length
          ? [
              eb(
                sql<string>`lower(email)`,
                'in',
                emails.map((e) => e.toLowerCase()),
              ),
            ]
          : []),
      ]),
    )
    .execute();
}

export function findWorkspaceUser(db: DbOrTrx, workspaceId: string, id: string): Promise<WorkspaceUser | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role', 'active', 'conversation_capacity'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findWorkspaceSettings(db: DbOrTrx, workspaceId: string): Promise<Record<string, unknown>> {
  return db
    .selectFrom('workspaces')
    .select('settings')
    .where('id', '=', workspaceId)
    .executeTakeFirst()
    .then((r) => r?.settings ?? {});
}

export type ChannelTemplateRow = Selectable<ChannelTemplatesTable>;

export function findChannelTemplatesByName(
  db: DbOrTrx,
  channelId: string,
  name: string,
): Promise<ChannelTemplateRow[]> {
  return db
    .selectFrom('channel_templates')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('name', '=', name)
    .execute();
}

export function findTeam(db: DbOrTrx, workspaceId: string, id: string): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('teams')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

// ── reporting ───────────────────────────────────────────────────────────────────────────────

export type NewReportingEvent = Insertable<ReportingEventsTable>;

/** One sample; a second one for the same reply message and kind is ignored. */
export async function insertReportingEvent(trx: DbOrTrx, row: NewReportingEvent): Promise<void> {
  await trx
    .insertInto('reporting_events')
    .values(row)
    .onConflict((oc) => oc.columns(['kind', 'message_id']).where('message_id', 'is not', null).doNothing())
    .execute();
}

// ── auto-assignment ─────────────────────────────────────────────────────────────────────────

/** The channel's round-robin cursor, locked for this transaction (created on first use). */
export async function lockAssignmentCursor(
  trx: DbOrTrx,
  workspaceId: string,
  channelId: string,
): Promise<string | null> {
  await trx
    .insertInto('assignment_cursors')
    .values({ channel_id: channelId, workspace_id: workspaceId, last_user_id: null })
    .onConflict((oc) => oc.column('channel_id').doNothing())
    .execute();
  const row = await trx
    .selectFrom('assignment_cursors')
    .select('last_user_id')
    .where('channel_id', '=', channelId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return row.last_user_id;
}

export async function moveAssignmentCursor(trx: DbOrTrx, channelId: string, userId: string, at: Date): Promise<void> {
  await trx
    .updateTable('assignment_cursors')
    .set({ last_user_id: userId, updated_at: at })
    .where('channel_id', '=', channelId)
    .execute();
}

/** Active agents among `ids` with their open-conversation load. */
export function agentLoads(
  db: DbOrTrx,
  workspaceId: string,
  ids: string[],
): Promise<{ id: string; conversation_capacity: number | null; open: number }[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select([
      'users.id',
      'users.conversation_capacity',
      sql<number>`(select count(*)::int from conversations c
        where c.workspace_id = users.workspace_id and c.assignee_id = users.id and c.status = 'open')`.as('open'),
    ])
    .where('users.workspace_id', '=', workspaceId)
    .where('users.active', '=', true)
    .where('users.role', '=', 'agent')
    .where('users.id', 'in', ids)
    .orderBy('users.id')
    .execute();
}

/** Unassigned open conversations of auto-assigning channels, oldest waiting first. */
export function listUnassignedForOffer(
  db: DbOrTrx,
  workspaceId: string,
  limit: number,
): Promise<{ id: string; channel_id: string }[]> {
  return db
    .selectFrom('conversations')
    .innerJoin('channels', 'channels.id', 'conversations.channel_id')
    .select(['conversations.id', 'conversations.channel_id'])
    .where('conversations.workspace_id', '=', workspaceId)
    .where('conversations.status', '=', 'open')
    .where('conversations.assignee_id', 'is', null)
    .where('channels.deleted_at', 'is', null)
    .where(sql<boolean>`coalesce((channels.settings ->> 'autoAssign')::boolean, false)`)
    .orderBy(sql`coalesce(conversations.awaiting_since, conversations.last_activity_at)`)
    .limit(limit)
    .execute();
}

// ── channel settings ────────────────────────────────────────────────────────────────────────

/** Replaces channels.settings (the caller merged it); undefined when no live channel of the workspace. */
export function writeChannelSettings(
  db: DbOrTrx,
  workspaceId: string,
  id: string,
  settings: Record<string, unknown>,
  at: Date,
): Promise<{ id: string; settings: Record<string, unknown> } | undefined> {
  return db
    .updateTable('channels')
    .set({ settings: JSON.stringify(settings) as never, updated_at: at })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returning(['id', 'settings'])
    .executeTakeFirst();
}
