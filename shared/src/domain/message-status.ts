import type { DbOrTrx } from '../db';
import type { MessageStatus, ProviderError } from '../events';
import { lockKey } from './contact-identity.repository';
import type { MessageRow } from './message.mapper';
import {
  deleteMessage,
  findMessageByProviderId,
  setMessageStatus,
  setMessageText,
  updateMessage,
} from './message.repository';
import { repointLastMessage } from './conversation.repository';

// Delivery statuses only move forward: queued → sent → delivered → read.
//
// - `failed` applies only to a message not yet delivered (queued/sent) and keeps the
//   provider's error.
// - A `delivered` or `read` after `failed` wins (the platform evidently delivered it — Meta
//   does send `delivered` after `failed` at times); the error stays in status_history.
// - Anything at or below the current rank (`delivered` after `read`, a repeated `sent`) is
//   ignored. Inbound messages (`received`) take no receipts.

export type ReceiptStatus = 'sent' | 'delivered' | 'read' | 'failed';

const RANK: Record<'queued' | 'sent' | 'delivered' | 'read', number> = { queued: 0, sent: 1, delivered: 2, read: 3 };

/** The status after `incoming`, or null when it does not apply. */
export function nextStatus(current: MessageStatus | string, incoming: ReceiptStatus): ReceiptStatus | null {
  switch (current) {
    case 'received':
      return null;
    case 'failed':
      return incoming === 'delivered' || incoming === 'read' ? incoming : null;
    case 'queued':
    case 'sent':
    case 'delivered':
    case 'read':
      if (incoming === 'failed') return current === 'queued' || current === 'sent' ? 'failed' : null;
      return RANK[incoming] > RANK[current] ? incoming : null;
    default:
      return null;
  }
}

/** Statuses a message may be in for `target` to move it forward (watermarks). */
export function statusesBelow(target: 'delivered' | 'read'): string[] {
  return target === 'delivered' ? ['sent'] : ['sent', 'delivered'];
}

/** Applies a receipt to a message row; the updated row, or undefined when it did not apply. */
export async function applyStatus(
  trx: DbOrTrx,
  message: MessageRow,
  status: ReceiptStatus,
  error: ProviderError | null,
  at: Date,
): Promise<MessageRow | undefined> {
  const next = nextStatus(message.status, status);
  if (!next) return undefined;
  const keptError =
    next === 'failed' ? (error ?? { code: 'unknown', message: 'the platform reported a failure' }) : null;
  return setMessageStatus(trx, message.id, next, keptError, { status: next, at: at.toISOString(), error: keptError });
}

/** Applies an edit unless a later edit is already there; the updated row, or undefined. */
export async function applyEdit(
  trx: DbOrTrx,
  message: MessageRow,
  text: string | null,
  at: Date,
): Promise<MessageRow | undefined> {
  if (message.edited_at && message.edited_at.getTime() >= at.getTime()) return undefined;
  // A captioned media message: the caption is what was edited.
  const captioned = message.media !== null && message.media.caption !== undefined;
  const before = captioned ? (message.media?.caption ?? null) : message.text;
  if (before === text) return undefined;
  return setMessageText(
    trx,
    message.id,
    captioned
      ? {
          text: message.text === before ? text : message.text,
          editedAt: at,
          media: { ...message.media!, caption: text ?? undefined },
        }
      : { text, editedAt: at },
    { text: before, replacedAt: at.toISOString() },
  );
}

/** The lock both sides take around "is the message there? else keep the update for later". */
export function lockProviderMessage(trx: DbOrTrx, channelId: string, providerMessageId: string): Promise<void> {
  return lockKey(trx, providerMessageLockKey(channelId, providerMessageId));
}

/** lockProviderMessage's key (lockKeys takes many at once). */
export function providerMessageLockKey(channelId: string, providerMessageId: string): string {
  return `provider-message|${channelId}|${providerMessageId}`;
}

export async function insertPendingUpdate(
  trx: DbOrTrx,
  row: {
    channelId: string;
    providerMessageId: string;
    kind: 'status' | 'edit';
    status: ReceiptStatus | '';
    error: ProviderError | null;
    text: string | null;
    occurredAt: Date;
  },
): Promise<void> {
  await trx
    .insertInto('pending_updates')
    .values({
      channel_id: row.channelId,
      provider_message_id: row.providerMessageId,
      kind: row.kind,
      status: row.status,
      error: row.error ? JSON.stringify(row.error) : null,
      text: row.text,
      occurred_at: row.occurredAt,
    })
    .onConflict((oc) => oc.columns(['channel_id', 'provider_message_id', 'kind', 'status', 'occurred_at']).doNothing())
    .execute();
}

/**
 * Applies (and removes) the statuses and edits that arrived before the message with this
 * provider id existed. Call it in the transaction that gives a message its provider id —
 * the inbound worker on insert, the outbound sender when the platform answers with the id.
 * Takes the same lock as the receipt handler, so a receipt racing the send is never stranded.
 * Returns the message as it is afterwards (undefined when there is no such message).
 */
export async function applyPendingUpdates(
  trx: DbOrTrx,
  channelId: string,
  providerMessageId: string,
  /** The message row when the caller just wrote it in this transaction (saves a read). */
  current?: MessageRow,
): Promise<MessageRow | undefined> {
  await lockProviderMessage(trx, channelId, providerMessageId);
  const message = current ?? (await findMessageByProviderId(trx, channelId, providerMessageId, { forUpdate: true }));
  if (!message) return undefined;
  const pending = await trx
    .deleteFrom('pending_updates')
    .where('channel_id', '=', channelId)
    .where('provider_message_id', '=', providerMessageId)
    .returningAll()
    .execute();
  return applyTakenUpdates(trx, message, pending);
}

/** Applies updates taken from pending_updates, oldest first; the message as it is afterwards. */
export async function applyTakenUpdates(
  trx: DbOrTrx,
  message: MessageRow,
  pending: { kind: string; status: string; error: ProviderError | null; text: string | null; occurred_at: Date }[],
): Promise<MessageRow> {
  const ordered = [...pending].sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime());
  let current = message;
  for (const p of ordered) {
    const updated: MessageRow | undefined =
      p.kind === 'edit'
        ? await applyEdit(trx, current, p.text, p.occurred_at)
        : await applyStatus(trx, current, p.status as ReceiptStatus, p.error, p.occurred_at);
    if (updated) current = updated;
  }
  return current;
}

/** The name the outbound work calls: statuses (and edits) that overtook the message. */
export const applyPendingStatuses = applyPendingUpdates;

/**
 * For the outbound sender: the platform accepted our message and answered with its id. Records
 * it (status `sent` unless a receipt already moved it further) and applies what arrived before.
 *
 * A Messenger echo of this very message may have beaten the send's answer and been stored as
 * its own outbound row under the same mid; that row is folded into ours (the one the inbox
 * created) so the mid stays unique and the conversation keeps one copy.
 */
export async function recordProviderMessageId(
  trx: DbOrTrx,
  input: { messageId: string; channelId: string; providerMessageId: string; at: Date },
): Promise<MessageRow> {
  await lockProviderMessage(trx, input.channelId, input.providerMessageId);
  const echo = await findMessageByProviderId(trx, input.channelId, input.providerMessageId, { forUpdate: true });
  if (echo && echo.id !== input.messageId) {
    await repointLastMessage(trx, echo.id, input.messageId);
    await deleteMessage(trx, echo.id);
  }
  const row = await updateMessage(trx, input.messageId, { provider_message_id: input.providerMessageId });
  let current = (await applyStatus(trx, row, 'sent', null, input.at)) ?? row;
  // Receipts that reached the echo's row before it was folded in.
  if (
    echo &&
    echo.id !== input.messageId &&
    (echo.status === 'delivered' || echo.status === 'read' || echo.status === 'failed')
  ) {
    current = (await applyStatus(trx, current, echo.status, echo.error, input.at)) ?? current;
  }
  return (await applyPendingUpdates(trx, input.channelId, input.providerMessageId, current)) ?? current;
}
