import type { RealtimeBus } from '@hub/shared/bus';
import { adapterFor, type PlatformEndpoints } from '@hub/shared/channels';
import type { Db, Trx } from '@hub/shared/db';

import {
  applyEdit,
  applyPendingUpdates,
  applyStatus,
  claimContact,
  conversationEvent,
  conversationRowToConversation,
  expandIdentities,
  findContactIdByIdentities,
  findConversationByContact,
  findMessageByProviderId,
  getOrCreateConversation,
  insertMessageIfNew,
  insertPendingUpdate,
  listOutboundForWatermark,
  loadConversationViews,
  lockProviderMessage,
  MEDIA_JOB_OPTIONS,
  messageEvent,
  messageRowToMessage,
  publishAll,
  recordMessagesOnConversations,
  foldMessage,
  setIdentitiesReachable,
  statusesBelow,
  updateMessage,
  type ChannelCache,
  type LoadedChannel,
  type MediaJob,
  type MessageRow,
  type NewMessage,
  type RealtimeEvent,
  type StoredMedia,
  type WebhookNote,
} from '@hub/shared/domain';
import { attributeLeadToCampaign, createLeadForNewConversation } from '@hub/crm/inbound-hooks';
import { assertNever } from '@hub/shared/errors';
import type {
  EditEvent,
  InboundEvent,
  InboundMedia,
  MessageEvent,
  ProviderError,
  ReachabilityEvent,
  StatusEvent,
  WatermarkEvent,
} from '@hub/shared/events';
import type { Logger } from '@hub/shared/logger';
import type { JobOptions, Queue } from '@hub/shared/queue';
import { ONCE_TTL_MS } from '@hub/shared/realtime';

// Persists one normalized event, in one transaction, idempotently:
// - contact by platform identity, claimed under a lock (claimContact);
// - conversation per contact × channel (unique), reopened by a new inbound message;
// - message unique on (channel, provider id) — a redelivery is a no-op;
// - statuses forward-only; a status or edit for a message we do not have yet waits in
//   pending_updates and is applied when the message arrives;
// and publishes realtime events only after the commit.

export interface InboundDeps {
  db: Db;
  bus: RealtimeBus;
  channels: ChannelCache;
  mediaQueue: Queue<MediaJob>;
  endpoints: PlatformEndpoints;
  logger: Logger;
  clock: () => Date;
  /** Retries of the media download (default MEDIA_JOB_OPTIONS). */
  mediaJobOptions?: JobOptions;
}

/** What the transaction decided; side effects (realtime, media jobs) run after the commit. */
export interface Outcome {
  note?: WebhookNote;
  conversation?: { id: string; created: boolean; touched: boolean };
  created?: MessageRow;
  /**
   * A message stored by an earlier try of this job, recently enough that its announcement may
   * have died with that try (worker killed between commit and publish): announced again, once.
   */
  announce?: MessageRow;
  updated: MessageRow[];
  mediaFor?: string;
  callbackQueryId?: string;
}

export /** Within the replay log's once-key memory (ONCE_TTL_MS), with a margin for clock skew. */
const REANNOUNCE_WITHIN_MS = ONCE_TTL_MS - 60_000;

export const emptyOutcome = (): Outcome => ({ updated: [] });

/**
 * The channel an event belongs to. An event naming another number/page (routeKey) goes to the
 * channel with that id — only one that shares the URL channel's app secret (the signature was
 * checked with it, so only the same Meta app could have sent it), preferring the same
 * workspace. undefined → nobody has it: the caller keeps it as unrouted.
 */
export async function routeEvent(
  channels: ChannelCache,
  urlChannel: LoadedChannel,
  event: InboundEvent,
): Promise<LoadedChannel | undefined> {
  if (!event.routeKey || event.routeKey === urlChannel.externalId) return urlChannel;
  const secret = appSecretOf(urlChannel);
  if (secret === undefined) return undefined;
  const candidates = (await channels.byExternalId(urlChannel.type, event.routeKey)).filter(
    (c) => appSecretOf(c) === secret,
  );
  return candidates.find((c) => c.workspaceId === urlChannel.workspaceId) ?? candidates[0];
}

function appSecretOf(ch: LoadedChannel): string | undefined {
  const c = ch.credentials as { appSecret?: unknown };
  return typeof c.appSecret === 'string' ? c.appSecret : undefined;
}

/** Persists one event for `channel`; returns a note when the event was kept but not understood. */
export async function processEvent(
  deps: InboundDeps,
  channel: LoadedChannel,
  event: InboundEvent,
): Promise<WebhookNote | undefined> {
  const outcome = await deps.db.transaction().execute((trx) => handleEvent(trx, channel, event));
  await afterCommit(deps, [{ channel, outcome }]);
  return outcome.note;
}

/** One event's changes, inside the caller's transaction. */
export function handleEvent(trx: Trx, channel: LoadedChannel, event: InboundEvent): Promise<Outcome> {
  switch (event.kind) {
    case 'message':
      return handleMessage(trx, channel, event);
    case 'edit':
      return handleEdit(trx, channel, event);
    case 'status':
      return handleStatus(trx, channel, event);
    case 'watermark':
      return handleWatermark(trx, channel, event);
    case 'reachability':
      return handleReachability(trx, channel, event);
    case 'unhandled':
      return Promise.resolve({
        ...emptyOutcome(),
        note: {
          reason: event.reason,
          kind: 'unhandled',
          routeKey: event.routeKey,
          error: event.error,
          raw: event.raw,
        },
      });
    default:
      return assertNever(event);
  }
}

/**
 * After the commit, for one or many events' outcomes: media downloads queued, realtime events
 * published in one go (a conversation's update once, after its messages), Telegram buttons
 * answered. message:created and conversation:created carry once-keys, so a retried job that
 * re-announces them never shows them twice.
 */
export async function afterCommit(
  deps: InboundDeps,
  items: { channel: LoadedChannel; outcome: Outcome }[],
): Promise<void> {
  // Media first: if this add fails the job is retried, and the duplicate path re-adds it.
  const media = items.flatMap(({ outcome }) => (outcome.mediaFor ? [outcome.mediaFor] : []));
  if (media.length > 0) {
    const opts = deps.mediaJobOptions ?? MEDIA_JOB_OPTIONS;
    await deps.mediaQueue.addBulk(
      media.map((messageId) => ({
        name: 'fetch',
        data: { messageId },
        opts: { ...opts, jobId: `media-${messageId}` },
      })),
    );
  }
  const touched = new Map<string, { workspaceId: string; created: boolean }>();
  for (const { channel, outcome } of items) {
    const conv = outcome.conversation;
    if (!conv || !(conv.created || conv.touched)) continue;
    const seen = touched.get(conv.id);
    touched.set(conv.id, { workspaceId: channel.workspaceId, created: (seen?.created ?? false) || conv.created });
  }
  const views = await loadConversationViews(deps.db, [...touched.keys()]);
  const events: RealtimeEvent[] = [];
  const onceKeys: (string | undefined)[] = [];
  const push = (e: RealtimeEvent, onceKey?: string) => {
    events.push(e);
    onceKeys.push(onceKey);
  };
  const announcedConversations = new Set<string>();
  for (const { channel, outcome } of items) {
    const ws = channel.workspaceId;
    const conv = outcome.conversation;
    const view = conv ? views.get(conv.id) : undefined;
    if (view && conv && touched.get(conv.id)?.created && !announcedConversations.has(conv.id)) {
      announcedConversations.add(conv.id);
      push(conversationEvent('conversation:created', ws, conversationRowToConversation(view)), `cc:${conv.id}`);
    }
    // The assignee as of now, when we loaded the conversation anyway: spares the gateway a lookup.
    const meta = view ? { assigneeId: view.assignee_id } : undefined;
    for (const m of [outcome.created, outcome.announce]) {
      if (m) push(messageEvent('message:created', ws, messageRowToMessage(m), meta), `mc:${m.id}`);
    }
    for (const m of outcome.updated) push(messageEvent('message:updated', ws, messageRowToMessage(m), meta));
  }
  for (const [id, t] of touched) {
    const view = views.get(id);
    if (view && !t.created)
      push(conversationEvent('conversation:updated', t.workspaceId, conversationRowToConversation(view)));
  }
  try {
    await publishAll(deps.bus, events, onceKeys);
  } catch (err) {
    // The rows are committed; a missed live update is repaired by the next list fetch.
    deps.logger.warn({ err }, 'realtime publish failed');
  }
  for (const { channel, outcome } of items) {
    if (!outcome.callbackQueryId || channel.type !== 'telegram') continue;
    // Stops the spinner on the user's button. Best effort: a failure is logged, never retried
    // (the message is stored; Telegram only allows answering within seconds anyway).
    try {
      await adapterFor('telegram').answerCallbackQuery?.(
        channel.credentials as never,
        deps.endpoints,
        outcome.callbackQueryId,
      );
    } catch (err) {
      deps.logger.warn({ err }, 'answerCallbackQuery failed');
    }
  }
}

export function toStoredMedia(m: InboundMedia): StoredMedia {
  const fetchable = m.providerMediaId !== null || m.url !== null;
  return {
    providerMediaId: m.providerMediaId,
    sourceUrl: m.url,
    mimeType: m.mimeType,
    ...(m.fileName !== undefined ? { fileName: m.fileName } : {}),
    ...(m.caption !== undefined ? { caption: m.caption } : {}),
    ...(m.sha256 !== undefined ? { sha256: m.sha256 } : {}),
    ...(m.fileSize !== undefined ? { fileSize: m.fileSize } : {}),
    state: fetchable ? 'pending' : 'none',
    ...(fetchable ? {} : { error: 'the platform gave no media reference' }),
  };
}

/** WhatsApp puts per-message errors (unsupported type, media download failed) in details.errors. */
export function firstError(details: Record<string, unknown> | undefined): ProviderError | null {
  const errors = details?.['errors'];
  if (!Array.isArray(errors) || errors.length === 0) return null;
  const e = errors[0] as { code?: unknown; message?: unknown };
  return { code: String(e.code ?? 'unknown'), message: String(e.message ?? 'unknown error') };
}

export async function handleMessage(trx: Trx, channel: LoadedChannel, e: MessageEvent): Promise<Outcome> {
  const at = new Date(e.timestamp);
  const { contactId } = await claimContact(trx, channel.workspaceId, e.contact);
  const conv = await getOrCreateConversation(trx, {
    workspaceId: channel.workspaceId,
    channelId: channel.id,
    contactId,
    at,
  });
  const media = e.media ? toStoredMedia(e.media) : null;
  const inserted = await insertMessageIfNew(trx, messageRowFor(channel, conv.row.id, e, media));
  if (!inserted) {
    // A redelivery (or our own send echoed back): nothing changes — except that a media
    // download whose enqueue failed last time is put back on the queue.
    const existing = await findMessageByProviderId(trx, channel.id, e.providerMessageId);
    return { ...emptyOutcome(), ...duplicateFollowUp(existing) };
  }
  const message = (await applyPendingUpdates(trx, channel.id, e.providerMessageId, inserted)) ?? inserted;
  await attachLead(trx, channel, e, { conversationId: conv.row.id, contactId, created: conv.created, at });
  const isReaction = e.type === 'reaction';
  // Preview, unread and the customer's turn in one update, as a batch does (reactions show on
  // their target, not as unread chat lines or the preview).
  await recordMessagesOnConversations(trx, [
    foldMessage(undefined, conv.row.id, { messageId: message.id, at, direction: e.direction, reaction: isReaction }),
  ]);
  const updated: MessageRow[] = [];
  if (isReaction) {
    const target = await applyReaction(trx, channel.id, e, at);
    if (target) updated.push(target);
  }
  const callbackQueryId = e.details?.['callbackQueryId'];
  return {
    conversation: { id: conv.row.id, created: conv.created, touched: true },
    created: message,
    updated,
    ...(media?.state === 'pending' ? { mediaFor: message.id } : {}),
    ...(typeof callbackQueryId === 'string' ? { callbackQueryId } : {}),
  };
}

/** The row an inbound (or echoed) message is stored as. */
export function messageRowFor(
  channel: LoadedChannel,
  conversationId: string,
  e: MessageEvent,
  media: StoredMedia | null,
): NewMessage {
  return {
    workspace_id: channel.workspaceId,
    conversation_id: conversationId,
    channel_id: channel.id,
    direction: e.direction,
    type: e.type,
    text: e.text,
    media: media ? JSON.stringify(media) : null,
    // Inbound: received. An echo of a message the page sent elsewhere: it was sent.
    status: e.direction === 'in' ? 'received' : 'sent',
    provider_message_id: e.providerMessageId,
    error: e.direction === 'in' ? nullableJson(firstError(e.details)) : null,
    details: JSON.stringify({ ...(e.details ?? {}), ...(e.referral ? { referral: e.referral } : {}) }),
    reply_to_provider_message_id: e.replyToProviderMessageId ?? null,
    sent_at: new Date(e.timestamp),
  };
}

/**
 * The CRM side of a customer's message: a new conversation gets its lead when the workspace
 * wants one (autoCreateLead), and an ad referral (click-to-WhatsApp / Messenger ad) names the
 * lead's campaign. Both idempotent, in the message's transaction. (Messages with a referral
 * and first messages always take this path; the batch's set-based path never sees them.)
 */
async function attachLead(
  trx: Trx,
  channel: LoadedChannel,
  e: MessageEvent,
  conv: { conversationId: string; contactId: string; created: boolean; at: Date },
): Promise<void> {
  if (e.direction !== 'in') return;
  const workspaceId = channel.workspaceId;
  if (conv.created) {
    await createLeadForNewConversation(trx, {
      workspaceId,
      conversationId: conv.conversationId,
      contactId: conv.contactId,
      channelType: channel.type,
      now: conv.at,
    });
  }
  if (e.referral) {
    await attributeLeadToCampaign(trx, { workspaceId, conversationId: conv.conversationId, referral: e.referral });
  }
}

/**
 * A message already stored: a media download whose enqueue failed last time goes back on the
 * queue, and a recent one is announced again (its first announcement may have been lost).
 */
export function duplicateFollowUp(existing: MessageRow | undefined, now = Date.now()): Partial<Outcome> {
  if (!existing) return {};
  return {
    ...(existing.media?.state === 'pending' ? { mediaFor: existing.id } : {}),
    ...(now - existing.created_at.getTime() < REANNOUNCE_WITHIN_MS
      ? { announce: existing, conversation: { id: existing.conversation_id, created: false, touched: true } }
      : {}),
  };
}

/**
 * A reaction is stored as its own 'reaction' message (nothing lost, visible in the timeline)
 * AND applied to its target as details.reactions[by] = {emoji, at}; a removal deletes it.
 * An older reaction never overwrites a newer one.
 */
async function applyReaction(trx: Trx, channelId: string, e: MessageEvent, at: Date): Promise<MessageRow | undefined> {
  const targetId = e.details?.['targetProviderMessageId'];
  if (typeof targetId !== 'string' || targetId === '') return undefined;
  const target = await findMessageByProviderId(trx, channelId, targetId, { forUpdate: true });
  if (!target) return undefined;
  const by = e.direction === 'in' ? 'contact' : 'business';
  const reactions = {
    ...((target.details['reactions'] as Record<string, { emoji: string; at: string }> | undefined) ?? {}),
  };
  const current = reactions[by];
  if (current && new Date(current.at).getTime() > at.getTime()) return undefined;
  const emoji = e.details?.['emoji'];
  if (typeof emoji === 'string' && emoji !== '') reactions[by] = { emoji, at: at.toISOString() };
  else delete reactions[by];
  return updateMessage(trx, target.id, { details: JSON.stringify({ ...target.details, reactions }) });
}

export async function handleEdit(trx: Trx, channel: LoadedChannel, e: EditEvent): Promise<Outcome> {
  const at = new Date(e.timestamp);
  await lockProviderMessage(trx, channel.id, e.providerMessageId);
  const message = await findMessageByProviderId(trx, channel.id, e.providerMessageId, { forUpdate: true });
  if (!message) {
    await insertPendingUpdate(trx, {
      channelId: channel.id,
      providerMessageId: e.providerMessageId,
      kind: 'edit',
      status: '',
      error: null,
      text: e.text,
      occurredAt: at,
    });
    return emptyOutcome();
  }
  const updated = await applyEdit(trx, message, e.text, at);
  return { updated: updated ? [updated] : [] };
}

export async function handleStatus(trx: Trx, channel: LoadedChannel, e: StatusEvent): Promise<Outcome> {
  const updated = await receipt(trx, channel.id, e.providerMessageId, e.status, e.error, new Date(e.timestamp));
  return { updated: updated ? [updated] : [] };
}

/** One receipt for one provider id: applied now, or kept until the message exists. */
async function receipt(
  trx: Trx,
  channelId: string,
  providerMessageId: string,
  status: StatusEvent['status'],
  error: ProviderError | null,
  at: Date,
): Promise<MessageRow | undefined> {
  await lockProviderMessage(trx, channelId, providerMessageId);
  const message = await findMessageByProviderId(trx, channelId, providerMessageId, { forUpdate: true });
  if (!message) {
    await insertPendingUpdate(trx, {
      channelId,
      providerMessageId,
      kind: 'status',
      status,
      error,
      text: null,
      occurredAt: at,
    });
    return undefined;
  }
  return applyStatus(trx, message, status, error, at);
}

/** Messenger delivery/read: everything we sent this person up to the watermark moves forward. */
export async function handleWatermark(trx: Trx, channel: LoadedChannel, e: WatermarkEvent): Promise<Outcome> {
  const at = new Date(e.timestamp);
  const updated = new Map<string, MessageRow>();
  // Named mids first (sorted: a stable lock order between concurrent watermarks).
  for (const mid of [...new Set(e.providerMessageIds)].sort()) {
    const row = await receipt(trx, channel.id, mid, e.status, null, at);
    if (row) updated.set(row.id, row);
  }
  const contactId = await findContactIdByIdentities(trx, channel.workspaceId, expandIdentities(e.contact.identities));
  const conversation = contactId ? await findConversationByContact(trx, channel.id, contactId) : undefined;
  if (!conversation) {
    if (updated.size > 0 || e.providerMessageIds.length > 0) return { updated: [...updated.values()] };
    return {
      updated: [],
      note: { reason: `${e.status} watermark for a person with no conversation`, kind: 'watermark' },
    };
  }
  for (const m of await listOutboundForWatermark(
    trx,
    conversation.id,
    new Date(e.watermark),
    statusesBelow(e.status),
  )) {
    const row = await applyStatus(trx, m, e.status, null, at);
    if (row) updated.set(row.id, row);
  }
  return { updated: [...updated.values()] };
}

export async function handleReachability(trx: Trx, channel: LoadedChannel, e: ReachabilityEvent): Promise<Outcome> {
  const n = await setIdentitiesReachable(
    trx,
    channel.workspaceId,
    expandIdentities(e.contact.identities),
    e.reachable,
    new Date(e.timestamp),
  );
  if (n > 0) return emptyOutcome();
  const known = await findContactIdByIdentities(trx, channel.workspaceId, expandIdentities(e.contact.identities));
  // Unknown person (never wrote to us): kept for inspection. Known but older than the last change: nothing to do.
  return known
    ? emptyOutcome()
    : {
        updated: [],
        note: {
          reason: `reachability (${e.reachable ? 'reachable' : 'blocked'}) for an unknown person`,
          kind: 'reachability',
        },
      };
}

export function nullableJson(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}
