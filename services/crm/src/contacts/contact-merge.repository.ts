import type { Selectable } from 'kysely';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';

// What a contact merge moves. Conversations are unique per channel × contact
// (conversations_contact_channel_key, 002_ingest), so a channel on which both contacts talk
// gets its two conversations folded into the kept one instead of simply moved.

type ConversationRow = Selectable<DB['conversations']>;

/** One channel's pair folded together: `removedId`'s messages live on in `keptId`. */
export interface FoldedConversation {
  keptId: string;
  removedId: string;
  channelId: string;
  messages: number;
  reportingEvents: number;
  /** Leads moved onto the kept conversation. */
  leadsMoved: number;
  /** Live leads of the removed conversation left without one (the kept one already had its lead). */
  leadsDetached: string[];
}

export interface MovedConversations {
  /** Conversations of the other contact now on the kept contact (other channels). */
  moved: string[];
  folded: FoldedConversation[];
}

const count = (r: { numUpdatedRows: bigint } | { numDeletedRows: bigint }) =>
  Number('numUpdatedRows' in r ? r.numUpdatedRows : r.numDeletedRows);

export async function moveIdentities(tx: WorkspaceScope, fromContact: string, toContact: string): Promise<number> {
  return count(
    await tx
      .updateTable('contact_identities')
      .set({ contact_id: toContact })
      .where('contact_identities.contact_id', '=', fromContact)
      .executeTakeFirst(),
  );
}

export async function moveLeads(
  tx: WorkspaceScope,
  fromContact: string,
  toContact: string,
  now: Date,
): Promise<number> {
  return count(
    await tx
      .updateTable('leads')
      .set({ contact_id: toContact, updated_at: now })
      .where('leads.contact_id', '=', fromContact)
      .executeTakeFirst(),
  );
}

/** Locked, so a message the worker stores meanwhile waits for the merge (then retries onto the survivor). */
function conversationsOf(tx: WorkspaceScope, contactId: string): Promise<ConversationRow[]> {
  return tx
    .selectFrom('conversations')
    .selectAll()
    .where('conversations.contact_id', '=', contactId)
    .orderBy('conversations.id')
    .forUpdate()
    .execute();
}

const later = (a: Date | null, b: Date | null): Date | null => {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
};

const statusRank: Record<string, number> = { open: 2, pending: 1, resolved: 0 };

/**
 * The fields of the survivor of `kept` + `removed`: latest of each time, unread counts added,
 * open if either is open (then pending, then resolved), the kept assignee and team unless it has
 * none, labels joined. Snooze and the reporting cycle come with the status they belong to.
 */
export function foldedFields(kept: ConversationRow, removed: ConversationRow, now: Date) {
  const rank = (s: string) => statusRank[s] ?? 0;
  const statusFrom = rank(removed.status) > rank(kept.status) ? removed : kept;
  const lastFrom = later(kept.last_message_at, removed.last_message_at) === kept.last_message_at ? kept : removed;
  return {
    status: statusFrom.status,
    snoozed_at: statusFrom.snoozed_at,
    snoozed_until: statusFrom.snoozed_until,
    resolved_at: statusFrom.resolved_at,
    cycle_started_at: statusFrom.cycle_started_at,
    first_reply_at: statusFrom.first_reply_at,
    awaiting_since: statusFrom.awaiting_since,
    assignee_id: kept.assignee_id ?? removed.assignee_id,
    team_id: kept.team_id ?? removed.team_id,
    labels: [...new Set([...kept.labels, ...removed.labels])],
    unread_count: kept.unread_count + removed.unread_count,
    last_message_id: lastFrom.last_message_id ?? kept.last_message_id ?? removed.last_message_id,
    last_message_at: later(kept.last_message_at, removed.last_message_at),
    last_activity_at: later(kept.last_activity_at, removed.last_activity_at)!,
    last_inbound_at: later(kept.last_inbound_at, removed.last_inbound_at),
    last_outbound_at: later(kept.last_outbound_at, removed.last_outbound_at),
    updated_at: now,
  };
}

/** Moves everything that points at `removed` onto `kept`, recomputes `kept`, deletes `removed`. */
async function foldConversation(
  tx: WorkspaceScope,
  kept: ConversationRow,
  removed: ConversationRow,
  now: Date,
): Promise<FoldedConversation> {
  // An Idempotency-Key is unique per conversation: a key both used is dropped from the moved
  // message (a retry with it would now find the kept conversation's message anyway).
  await tx
    .updateTable('messages')
    .set({ idempotency_key: null })
    .where('messages.conversation_id', '=', removed.id)
    .where('messages.idempotency_key', 'in', (eb) =>
      eb
        .selectFrom('messages as k')
        .select('k.idempotency_key')
        .where('k.conversation_id', '=', kept.id)
        .where('k.idempotency_key', 'is not', null),
    )
    .execute();
  const messages = count(
    await tx
      .updateTable('messages')
      .set({ conversation_id: kept.id })
      .where('messages.conversation_id', '=', removed.id)
      .executeTakeFirst(),
  );
  const reportingEvents = count(
    await tx
      .updateTable('reporting_events')
      .set({ conversation_id: kept.id })
      .where('reporting_events.conversation_id', '=', removed.id)
      .executeTakeFirst(),
  );

  // One live lead per conversation (leads_conversation_key): the kept conversation's lead stays
  // its lead; the removed one's live lead moves only if there is none, else it keeps its data
  // (and its contact, moved by the merge) without a conversation.
  const keptHasLead = await tx
    .selectFrom('leads')
    .select('leads.id')
    .where('leads.conversation_id', '=', kept.id)
    .where('leads.deleted_at', 'is', null)
    .executeTakeFirst();
  const leadsDetached = keptHasLead
    ? (
        await tx
          .updateTable('leads')
          .set({ conversation_id: null, updated_at: now })
          .where('leads.conversation_id', '=', removed.id)
          .where('leads.deleted_at', 'is', null)
          .returning('leads.id')
          .execute()
      ).map((r) => r.id)
    : [];
  const leadsMoved = count(
    await tx
      .updateTable('leads')
      .set({ conversation_id: kept.id, updated_at: now })
      .where('leads.conversation_id', '=', removed.id)
      .executeTakeFirst(),
  );

  await tx
    .updateTable('conversations')
    .set(foldedFields(kept, removed, now))
    .where('conversations.id', '=', kept.id)
    .execute();
  await tx.deleteFrom('conversations').where('conversations.id', '=', removed.id).execute();
  return {
    keptId: kept.id,
    removedId: removed.id,
    channelId: kept.channel_id,
    messages,
    reportingEvents,
    leadsMoved,
    leadsDetached,
  };
}

/**
 * Puts the conversations of `fromContact` on `toContact`: folded into the kept contact's
 * conversation of the same channel where there is one, moved otherwise.
 */
export async function moveConversations(
  tx: WorkspaceScope,
  fromContact: string,
  toContact: string,
  now: Date,
): Promise<MovedConversations> {
  const keptByChannel = new Map((await conversationsOf(tx, toContact)).map((c) => [c.channel_id, c]));
  const folded: FoldedConversation[] = [];
  const moved: string[] = [];
  for (const removed of await conversationsOf(tx, fromContact)) {
    const kept = keptByChannel.get(removed.channel_id);
    if (kept) folded.push(await foldConversation(tx, kept, removed, now));
    else moved.push(removed.id);
  }
  if (moved.length > 0) {
    await tx
      .updateTable('conversations')
      .set({ contact_id: toContact, updated_at: now })
      .where('conversations.id', 'in', moved)
      .execute();
  }
  return { moved, folded };
}
