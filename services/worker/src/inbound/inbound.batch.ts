import type { Trx } from '@hub/shared/db';
import {
  applyStatus,
  applyTakenUpdates,
  expandIdentities,
  findConversationsByPairs,
  findIdentityOwners,
  findMessagesByProviderIds,
  foldMessage,
  identityLockKeys,
  insertMessagesIfNew,
  insertPendingReceipts,
  lockKeys,
  providerMessageLockKey,
  recordMessagesOnConversations,
  saveWebhookEvents,
  takePendingUpdates,
  type ConversationTouch,
  type LoadedChannel,
  type MessageRow,
  type NewMessage,
  type PendingUpdateRow,
  type WebhookJob,
  type WebhookNote,
} from '@hub/shared/domain';
import type { InboundEvent, MessageEvent, StatusEvent } from '@hub/shared/events';
import { prepareWebhook, rawRowOf, webhookResult, type PreparedWebhook } from './inbound.prepare';
import {
  afterCommit,
  duplicateFollowUp,
  emptyOutcome,
  handleEvent,
  messageRowFor,
  toStoredMedia,
  type InboundDeps,
  type Outcome,
} from './inbound.service';
import { processWebhookJob } from './inbound.worker';

// Many webhook jobs, one transaction. The common case — a message from a known person in an
// existing conversation — is stored set-based: one lookup of identities, one of conversations,
// one multi-row insert, one take of waiting receipts, one update of the conversations, one of
// their reporting fields, one write of the raw rows. Everything else (first contact, reactions,
// receipts, edits, watermarks…) runs through the single-event handlers inside the same
// transaction, after the messages, so the outcome is what one-at-a-time processing gives.
// Provider-message locks for the whole batch are taken first, in one sorted statement.

/** Runs a batch; if it fails as a whole, each job is tried on its own (one bad job fails alone). */
export async function runWebhookBatch(deps: InboundDeps, jobs: WebhookJob[]): Promise<PromiseSettledResult<void>[]> {
  const ok: PromiseSettledResult<void> = { status: 'fulfilled', value: undefined };
  try {
    await processWebhookBatch(deps, jobs);
    return jobs.map(() => ok);
  } catch (err) {
    if (jobs.length === 1) return [{ status: 'rejected', reason: err }];
    deps.logger.warn({ err, jobs: jobs.length }, 'inbound batch failed; processing its webhooks one by one');
    const out: PromiseSettledResult<void>[] = [];
    for (const job of jobs) {
      out.push(
        await processWebhookJob(deps, job).then(
          () => ok,
          (reason: unknown) => ({ status: 'rejected', reason }),
        ),
      );
    }
    return out;
  }
}

interface Flat {
  target: LoadedChannel;
  event: InboundEvent;
}

export async function processWebhookBatch(deps: InboundDeps, jobs: WebhookJob[]): Promise<void> {
  const prepared: PreparedWebhook[] = [];
  for (const job of jobs) {
    const channel = await deps.channels.get(job.channelId);
    // A channel removed after the acknowledgement: the single-job path keeps the raw body.
    if (!channel) await processWebhookJob(deps, job);
    else prepared.push(await prepareWebhook(deps.channels, job, channel));
  }
  if (prepared.length === 0) return;
  const flat: Flat[] = prepared.flatMap((p) => p.entries.flatMap((e) => ('event' in e ? [e] : [])));
  const done = await deps.db.transaction().execute(async (trx) => {
    await lockKeys(
      trx,
      flat.flatMap((f) => providerIdsOf(f.event).map((id) => providerMessageLockKey(f.target.id, id))),
    );
    const outcomes = await storeKnownSenders(trx, flat);
    await storeReceipts(trx, flat, outcomes);
    // The rest claims contacts one at a time: their identity locks first, all at once, sorted.
    await lockKeys(
      trx,
      flat.flatMap((f, i) =>
        !outcomes[i] && f.event.kind === 'message' ? identityLockKeys(f.target.workspaceId, f.event.contact) : [],
      ),
    );
    for (let i = 0; i < flat.length; i++) {
      if (!outcomes[i]) outcomes[i] = await handleEvent(trx, flat[i]!.target, flat[i]!.event);
    }
    let k = 0;
    const at = deps.clock();
    // One row per raw webhook (a job delivered twice in one batch is written once).
    const rows = new Map<string, Parameters<typeof saveWebhookEvents>[1][number]>();
    for (const p of prepared) {
      const notes: (WebhookNote | undefined)[] = [];
      for (const e of p.entries) if ('event' in e) notes.push(outcomes[k++]?.note);
      rows.set(p.job.webhookEventId, { event: rawRowOf(p), result: webhookResult(p, notes, at) });
    }
    await saveWebhookEvents(trx, [...rows.values()]);
    return flat.map((f, i) => ({ channel: f.target, outcome: outcomes[i]! }));
  });
  await afterCommit(deps, done);
}

/** The provider message ids an event reads or writes (locked up front for the batch). */
function providerIdsOf(e: InboundEvent): string[] {
  switch (e.kind) {
    case 'message':
    case 'edit':
    case 'status':
      return [e.providerMessageId];
    case 'watermark':
      return e.providerMessageIds;
    case 'reachability':
    case 'unhandled':
      return [];
  }
}

interface Candidate {
  i: number;
  target: LoadedChannel;
  event: MessageEvent;
  key: string;
  conversationId?: string;
}

/**
 * The set-based path for messages (not reactions, no ad referral) whose sender is known by every identity it
 * arrives with and who already has a conversation on the channel. Fills the outcome of each
 * event it took; the others stay undefined for the single-event handlers.
 */
async function storeKnownSenders(trx: Trx, flat: Flat[]): Promise<(Outcome | undefined)[]> {
  const outcomes: (Outcome | undefined)[] = new Array<Outcome | undefined>(flat.length);
  const candidates: Candidate[] = [];
  flat.forEach((f, i) => {
    if (f.event.kind === 'message' && f.event.type !== 'reaction' && !f.event.referral) {
      candidates.push({ i, target: f.target, event: f.event, key: `${f.target.id}|${f.event.providerMessageId}` });
    }
  });
  if (candidates.length === 0) return outcomes;

  // 1. Contacts: every identity already known (else claimContact attaches or creates: slow path).
  const identities = candidates.map((c) => expandIdentities(c.event.contact.identities));
  const owners = new Map<string, string>();
  const wanted = candidates.flatMap((c, n) =>
    identities[n]!.map((identity) => ({ workspaceId: c.target.workspaceId, identity })),
  );
  for (const o of await findIdentityOwners(trx, wanted))
    owners.set(`${o.workspace_id}|${o.kind}|${o.value}`, o.contact_id);
  const contactOf = candidates.map((c, n) => {
    const ids = identities[n]!;
    const found = ids.map((id) => owners.get(`${c.target.workspaceId}|${id.kind}|${id.value}`));
    return ids.length > 0 && found.every((x) => x !== undefined) ? found[0] : undefined;
  });

  // 2. Conversations that exist (a new one is created by the slow path).
  const pairs = candidates.flatMap((c, n) => {
    const contactId = contactOf[n];
    return contactId ? [{ channelId: c.target.id, contactId }] : [];
  });
  const conversations = new Map<string, string>();
  for (const row of await findConversationsByPairs(trx, pairs))
    conversations.set(`${row.channel_id}|${row.contact_id}`, row.id);
  const fast = candidates.filter((c, n) => {
    const contactId = contactOf[n];
    c.conversationId = contactId ? conversations.get(`${c.target.id}|${contactId}`) : undefined;
    return c.conversationId !== undefined;
  });
  if (fast.length === 0) return outcomes;

  // 3. Insert (a provider id twice in the batch: the first copy counts, the second is a redelivery).
  const rows = new Map<string, NewMessage>();
  const firstOfKey = new Map<string, Candidate>();
  for (const c of fast) {
    if (firstOfKey.has(c.key)) {
      outcomes[c.i] = emptyOutcome();
      continue;
    }
    firstOfKey.set(c.key, c);
    const media = c.event.media ? toStoredMedia(c.event.media) : null;
    rows.set(c.key, messageRowFor(c.target, c.conversationId!, c.event, media));
  }
  const sortedKeys = [...rows.keys()].sort();
  const inserted = new Map<string, MessageRow>();
  for (const row of await insertMessagesIfNew(
    trx,
    sortedKeys.map((k) => rows.get(k)!),
  )) {
    inserted.set(`${row.channel_id}|${row.provider_message_id}`, row);
  }

  // 4. Already stored before this batch: redeliveries (maybe of a job that died mid-way).
  const existingKeys = sortedKeys.filter((k) => !inserted.has(k));
  const existing = new Map<string, MessageRow>();
  const existingRows = await findMessagesByProviderIds(
    trx,
    existingKeys.map((k) => {
      const c = firstOfKey.get(k)!;
      return { channelId: c.target.id, providerMessageId: c.event.providerMessageId };
    }),
  );
  for (const row of existingRows) existing.set(`${row.channel_id}|${row.provider_message_id}`, row);
  for (const k of existingKeys) {
    const c = firstOfKey.get(k)!;
    outcomes[c.i] = { ...emptyOutcome(), ...duplicateFollowUp(existing.get(k)) };
  }

  // 5. Receipts and edits that arrived before their message.
  const insertedKeys = [...inserted.keys()];
  const waiting = new Map<string, PendingUpdateRow[]>();
  for (const p of await takePendingUpdates(
    trx,
    insertedKeys.map((k) => {
      const m = inserted.get(k)!;
      return { channelId: m.channel_id, providerMessageId: m.provider_message_id! };
    }),
  )) {
    const k = `${p.channel_id}|${p.provider_message_id}`;
    waiting.set(k, [...(waiting.get(k) ?? []), p]);
  }
  for (const [k, pending] of waiting) inserted.set(k, await applyTakenUpdates(trx, inserted.get(k)!, pending));

  // 6. The conversations: preview, activity, unread, reporting — folded per conversation.
  const touches = new Map<string, ConversationTouch>();
  for (const c of fast) {
    const row = inserted.get(c.key);
    if (!row || firstOfKey.get(c.key) !== c) continue;
    const id = c.conversationId!;
    const at = new Date(c.event.timestamp);
    touches.set(
      id,
      foldMessage(touches.get(id), id, { messageId: row.id, at, direction: c.event.direction, reaction: false }),
    );
    const callbackQueryId = c.event.details?.['callbackQueryId'];
    outcomes[c.i] = {
      conversation: { id, created: false, touched: true },
      created: row,
      updated: [],
      ...(row.media?.state === 'pending' ? { mediaFor: row.id } : {}),
      ...(typeof callbackQueryId === 'string' ? { callbackQueryId } : {}),
    };
  }
  await recordMessagesOnConversations(trx, [...touches.values()]);
  return outcomes;
}

/**
 * Delivery receipts (handleStatus, for the batch): one locked read of the messages they name;
 * applied in order where the message is there, kept in one insert where it is not yet.
 */
async function storeReceipts(trx: Trx, flat: Flat[], outcomes: (Outcome | undefined)[]): Promise<void> {
  const receipts = flat.flatMap((f, i) =>
    f.event.kind === 'status' && !outcomes[i] ? [{ i, target: f.target, event: f.event }] : [],
  );
  if (receipts.length === 0) return;
  const keyOf = (r: { target: LoadedChannel; event: StatusEvent }) => `${r.target.id}|${r.event.providerMessageId}`;
  const found = new Map<string, MessageRow>();
  const distinct = new Map(receipts.map((r) => [keyOf(r), r]));
  for (const row of await findMessagesByProviderIds(
    trx,
    [...distinct.values()].map((r) => ({ channelId: r.target.id, providerMessageId: r.event.providerMessageId })),
    { forUpdate: true },
  )) {
    found.set(`${row.channel_id}|${row.provider_message_id}`, row);
  }
  const keep: Parameters<typeof insertPendingReceipts>[1] = [];
  for (const r of receipts) {
    const k = keyOf(r);
    const message = found.get(k);
    const at = new Date(r.event.timestamp);
    if (!message) {
      keep.push({
        channelId: r.target.id,
        providerMessageId: r.event.providerMessageId,
        status: r.event.status,
        error: r.event.error,
        occurredAt: at,
      });
      outcomes[r.i] = emptyOutcome();
      continue;
    }
    const updated = await applyStatus(trx, message, r.event.status, r.event.error, at);
    if (updated) found.set(k, updated);
    outcomes[r.i] = { updated: updated ? [updated] : [] };
  }
  await insertPendingReceipts(trx, keep);
}
