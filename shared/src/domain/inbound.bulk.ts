import { sql } from 'kysely';
import type { DbOrTrx } from '../db';
import type { Identity } from './contact-identity.repository';
import type { ConversationRow, MessageRow } from './message.mapper';

// Set-based forms of the inbound worker's per-message statements, so a batch of webhooks costs
// a handful of round trips instead of a dozen per message. Each one keeps the semantics of its
// single-row counterpart (named in its comment); the batch processor in services/worker uses
// them inside one transaction.

/**
 * Transaction-scoped advisory locks on many keys in one statement (lockKey, for a set). The
 * keys are taken in JS sort order, the order every caller uses, so two lockers never deadlock.
 */
export async function lockKeys(trx: DbOrTrx, keys: Iterable<string>): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  // unnest yields the array in order and the projection runs row by row.
  await sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${sorted}::text[]) as k`.execute(trx);
}

export interface IdentityOwner {
  workspace_id: string;
  contact_id: string;
  kind: string;
  value: string;
}

/** Who owns each of these identities (findContactIdByIdentities, for many senders). */
export async function findIdentityOwners(
  db: DbOrTrx,
  wanted: { workspaceId: string; identity: Identity }[],
): Promise<IdentityOwner[]> {
  if (wanted.length === 0) return [];
  const { rows } = await sql<IdentityOwner>`
    select ci.workspace_id, ci.contact_id, ci.kind, ci.value
    from contact_identities ci
    join unnest(${wanted.map((w) => w.workspaceId)}::uuid[], ${wanted.map((w) => w.identity.kind)}::text[],
                ${wanted.map((w) => w.identity.value)}::text[]) as t(ws, kind, value)
      on ci.workspace_id = t.ws and ci.kind = t.kind and ci.value = t.value`.execute(db);
  return rows;
}

/** The conversations of these (channel, contact) pairs (findConversationByContact, for many). */
export async function findConversationsByPairs(
  db: DbOrTrx,
  pairs: { channelId: string; contactId: string }[],
): Promise<ConversationRow[]> {
  if (pairs.length === 0) return [];
  const { rows } = await sql<ConversationRow>`
    select c.* from conversations c
    join unnest(${pairs.map((p) => p.channelId)}::uuid[], ${pairs.map((p) => p.contactId)}::uuid[]) as t(ch, ct)
      on c.channel_id = t.ch and c.contact_id = t.ct`.execute(db);
  return rows;
}

export interface ProviderKey {
  channelId: string;
  providerMessageId: string;
}

function keyArrays(keys: ProviderKey[]) {
  return [keys.map((k) => k.channelId), keys.map((k) => k.providerMessageId)] as const;
}

/** findMessageByProviderId for many (forUpdate: row-locked, in id order). */
export async function findMessagesByProviderIds(
  db: DbOrTrx,
  keys: ProviderKey[],
  opts: { forUpdate?: boolean } = {},
): Promise<MessageRow[]> {
  if (keys.length === 0) return [];
  const [channels, ids] = keyArrays(keys);
  const { rows } = await sql<MessageRow>`
    select m.* from messages m
    join unnest(${channels}::uuid[], ${ids}::text[]) as t(ch, pid)
      on m.channel_id = t.ch and m.provider_message_id = t.pid
    ${opts.forUpdate ? sql`order by m.id for update of m` : sql``}`.execute(db);
  return rows;
}

/** insertPendingUpdate for many receipts (a repeat of one already kept is a no-op). */
export async function insertPendingReceipts(
  trx: DbOrTrx,
  rows: (ProviderKey & { status: string; error: { code: string; message: string } | null; occurredAt: Date })[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('pending_updates')
    .values(
      rows.map((r) => ({
        channel_id: r.channelId,
        provider_message_id: r.providerMessageId,
        kind: 'status',
        status: r.status,
        error: r.error ? JSON.stringify(r.error) : null,
        text: null,
        occurred_at: r.occurredAt,
      })),
    )
    .onConflict((oc) => oc.columns(['channel_id', 'provider_message_id', 'kind', 'status', 'occurred_at']).doNothing())
    .execute();
}

export interface PendingUpdateRow {
  id: string;
  channel_id: string;
  provider_message_id: string;
  kind: string;
  status: string;
  error: { code: string; message: string } | null;
  text: string | null;
  occurred_at: Date;
}

/** Removes and returns what waited for these messages (the read half of applyPendingUpdates). */
export async function takePendingUpdates(trx: DbOrTrx, keys: ProviderKey[]): Promise<PendingUpdateRow[]> {
  if (keys.length === 0) return [];
  const [channels, ids] = keyArrays(keys);
  const { rows } = await sql<PendingUpdateRow>`
    delete from pending_updates p
    using unnest(${channels}::uuid[], ${ids}::text[]) as t(ch, pid)
    where p.channel_id = t.ch and p.provider_message_id = t.pid
    returning p.*`.execute(trx);
  return rows;
}

/** What stored messages add to one conversation: preview, times, unread, customer turn (see foldMessage). */
export interface ConversationTouch {
  conversationId: string;
  /** The latest message that becomes the preview (null: none did). */
  last: { messageId: string; sentAt: Date } | null;
  lastInboundAt: Date | null;
  lastOutboundAt: Date | null;
  unread: number;
  /** The earliest customer message (a customer's turn starts; null: none). */
  turnAt: Date | null;
}

/**
 * Folds one stored message into its conversation's touch (a new one when `t` is undefined),
 * by the rules one-at-a-time processing follows: the later platform time becomes the preview
 * (a tie goes to the later message), a customer message counts unread and starts or extends
 * the customer's turn; a reaction only moves the inbound/outbound times.
 */
export function foldMessage(
  t: ConversationTouch | undefined,
  conversationId: string,
  m: { messageId: string; at: Date; direction: 'in' | 'out'; reaction: boolean },
): ConversationTouch {
  const touch = t ?? { conversationId, last: null, lastInboundAt: null, lastOutboundAt: null, unread: 0, turnAt: null };
  const { at } = m;
  if (!m.reaction && (!touch.last || touch.last.sentAt.getTime() <= at.getTime())) {
    touch.last = { messageId: m.messageId, sentAt: at };
  }
  if (m.direction === 'in') {
    if (!touch.lastInboundAt || touch.lastInboundAt < at) touch.lastInboundAt = at;
    if (!m.reaction) {
      touch.unread += 1;
      if (!touch.turnAt || at < touch.turnAt) touch.turnAt = at;
    }
  } else if (!touch.lastOutboundAt || touch.lastOutboundAt < at) touch.lastOutboundAt = at;
  return touch;
}

/**
 * The conversations' side of stored inbound messages, for many conversations in ONE update (one
 * new row version each), with the same rules: the preview only moves to a later platform time,
 * activity never moves back, unread counts up and reopens a resolved conversation; a customer
 * message starts or extends the customer's turn (several fold into the earliest: the rule only
 * keeps the least) and wakes a snoozed one. Every right-hand side reads the row as it was, and
 * the two parts touch different columns but `status`, combined below. Rows go in id order (a
 * stable lock order between batches).
 */
export async function recordMessagesOnConversations(trx: DbOrTrx, touches: ConversationTouch[]): Promise<void> {
  if (touches.length === 0) return;
  const t = [...touches].sort((a, b) => (a.conversationId < b.conversationId ? -1 : 1));
  const newer = sql`(v.last_id is not null and (c.last_message_at is null or c.last_message_at <= v.last_at))`;
  const turn = sql`(v.turn_at is not null)`;
  await sql`
    update conversations c set
      last_message_id = case when ${newer} then v.last_id else c.last_message_id end,
      last_message_at = case when ${newer} then v.last_at else c.last_message_at end,
      last_activity_at = case when v.last_id is not null then greatest(c.last_activity_at, v.last_at) else c.last_activity_at end,
      last_inbound_at = case when v.in_at is null then c.last_inbound_at else greatest(coalesce(c.last_inbound_at, v.in_at), v.in_at) end,
      last_outbound_at = case when v.out_at is null then c.last_outbound_at else greatest(coalesce(c.last_outbound_at, v.out_at), v.out_at) end,
      unread_count = c.unread_count + v.unread,
      status = case
        when v.unread > 0 and c.status = 'resolved' then 'open'
        when ${turn} and c.snoozed_at is not null and c.status = 'pending' then 'open'
        else c.status end,
      cycle_started_at = case
        when not ${turn} then c.cycle_started_at
        when c.cycle_started_at is null or c.resolved_at is not null then v.turn_at
        when c.first_reply_at is null then least(c.cycle_started_at, v.turn_at)
        else c.cycle_started_at end,
      first_reply_at = case when ${turn} and c.resolved_at is not null then null else c.first_reply_at end,
      awaiting_since = case
        when not ${turn} then c.awaiting_since
        when c.resolved_at is not null then v.turn_at
        else least(c.awaiting_since, v.turn_at) end,
      resolved_at = case when ${turn} then null else c.resolved_at end,
      snoozed_at = case when ${turn} then null else c.snoozed_at end,
      snoozed_until = case when ${turn} then null else c.snoozed_until end,
      updated_at = ${new Date()}
    from (
      select * from unnest(
        ${t.map((x) => x.conversationId)}::uuid[],
        ${t.map((x) => x.last?.messageId ?? null)}::uuid[],
        ${t.map((x) => x.last?.sentAt.toISOString() ?? null)}::timestamptz[],
        ${t.map((x) => x.lastInboundAt?.toISOString() ?? null)}::timestamptz[],
        ${t.map((x) => x.lastOutboundAt?.toISOString() ?? null)}::timestamptz[],
        ${t.map((x) => x.unread)}::int[],
        ${t.map((x) => x.turnAt?.toISOString() ?? null)}::timestamptz[]
      ) as u(id, last_id, last_at, in_at, out_at, unread, turn_at)
    ) v
    where c.id = v.id`.execute(trx);
}
