import {
  adapterFor,
  SendError,
  type OutboundContent,
  type OutboundRequest,
  type PlatformEndpoints,
} from '@hub/shared/channels';
import type { RealtimeBus } from '@hub/shared/bus';
import type { Db } from '@hub/shared/db';
import {
  applyStatus,
  claimMessageForSending,
  CUSTOMER_WINDOW_MS,
  findContactPhone,
  findMessageById,
  findRecipient,
  messageEvent,
  messageRowToMessage,
  OutboundJob,
  publicMediaUrl,
  recordProviderMessageId,
  releaseSendClaim,
  type ChannelCache,
  type LoadedChannel,
  type MessageRow,
} from '@hub/shared/domain';
import type { ProviderError } from '@hub/shared/events';
import type { Logger } from '@hub/shared/logger';
import { PermanentJobError, RetryLaterError, type Job } from '@hub/shared/queue';

// Queue "outbound": one job per message and send round (jobId out-<message>-<round>), run
// under the per-channel and per-chat rate limits (outboundRateLimits). For one job:
//
// 1. Skip what is not (or no longer) ours to send: unknown, inbound, private, not queued
//    (already sent, failed, or moved on by an early receipt), or holding a provider id.
// 2. Prepare everything that can fail without touching the platform (channel, recipient,
//    content, media link). A failure here is either permanent (→ failed) or ours (→ retried).
// 3. Claim: `sending_at` set on a queued, unclaimed row. A row found claimed means an earlier
//    try died between calling the platform and recording the outcome: we cannot know whether
//    the platform took it, so it is NOT sent again — it fails with `send_unconfirmed` and the
//    agent decides (Retry). At-most-once beats a double message in a chat.
// 4. Call the adapter. Success → provider id + `sent` + pending receipts (recordProviderMessageId,
//    which applies statuses that arrived before this answer) → message:updated.
//    Retryable SendError (429, 5xx, connection refused) → claim released, RetryLaterError with
//    the platform's retry_after or our backoff; on the last try → failed. Permanent → failed
//    with the platform's code and message (PermanentJobError: kept in dead letters).
//    A transport error after the request may have left (timeout, reset) → send_unconfirmed.

export interface OutboundWorkerDeps {
  db: Db;
  bus: RealtimeBus;
  channels: ChannelCache;
  endpoints: PlatformEndpoints;
  /** Key of the signed public media links (outbound.media-url.ts). */
  mediaKey: Buffer;
  publicUrl: string;
  logger: Logger;
  clock: () => Date;
  /** First retry wait without a platform retry_after; doubles per try. */
  retryBaseMs: number;
  /** Cap of our own backoff. */
  retryMaxMs: number;
  /** Cap of a platform's retry_after we honour. */
  retryAfterCapMs: number;
}

/** A definite "not sent" or a failure to record: these transport errors happen before a request is out. */
const NOT_SENT_TRANSPORT = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ERR_INVALID_URL)\b/;

export const UNCONFIRMED: ProviderError = {
  code: 'send_unconfirmed',
  message:
    'The hub lost track of this send while the platform was handling it: the customer may or may not have ' +
    'received it. Check with the customer, then use Retry if needed.',
};

class Permanent extends Error {
  constructor(readonly error: ProviderError) {
    super(`${error.code}: ${error.message}`);
  }
}

interface Prepared {
  channel: LoadedChannel;
  request: OutboundRequest;
}

export function outboundHandler(deps: OutboundWorkerDeps) {
  return async (job: Job<OutboundJob>): Promise<void> => {
    const parsed = OutboundJob.safeParse(job.data);
    if (!parsed.success) throw new PermanentJobError(`invalid outbound job: ${parsed.error.issues[0]?.message ?? ''}`);
    const data = parsed.data;
    const msg = await findMessageById(deps.db, data.messageId);
    if (!msg || msg.direction !== 'out' || msg.private) return;
    if (msg.status !== 'queued' || msg.provider_message_id !== null) return;
    if (msg.sending_at !== null) {
      await fail(deps, msg.id, UNCONFIRMED);
      return;
    }

    let prepared: Prepared;
    try {
      prepared = await prepare(deps, msg);
    } catch (err) {
      if (err instanceof Permanent) {
        await fail(deps, msg.id, err.error);
        throw new PermanentJobError(err.message);
      }
      throw err;
    }

    const claimed = await claimMessageForSending(deps.db, msg.id, deps.clock());
    if (!claimed) {
      // Another worker holds it, or it moved on since step 1: look again.
      const now = await findMessageById(deps.db, msg.id);
      if (now && now.status === 'queued' && now.provider_message_id === null && now.sending_at !== null) {
        await fail(deps, msg.id, UNCONFIRMED);
      }
      return;
    }

    let providerMessageId: string;
    try {
      const result = await adapterFor(prepared.channel.type).send(
        prepared.channel.credentials as never,
        deps.endpoints,
        prepared.request,
      );
      providerMessageId = result.providerMessageId;
    } catch (err) {
      return onSendError(deps, job, claimed, err);
    }
    await recordSent(deps, claimed, providerMessageId);
  };
}

async function prepare(deps: OutboundWorkerDeps, msg: MessageRow): Promise<Prepared> {
  const channel = await deps.channels.get(msg.channel_id);
  if (!channel) throw new Permanent({ code: 'channel_unavailable', message: 'the channel has been disconnected' });
  const conv = await deps.db
    .selectFrom('conversations')
    .select(['contact_id', 'last_inbound_at'])
    .where('id', '=', msg.conversation_id)
    .executeTakeFirst();
  if (!conv) throw new Permanent({ code: 'conversation_missing', message: 'the conversation no longer exists' });
  const identity = await findRecipient(deps.db, msg.workspace_id, conv.contact_id, channel.type);
  let to = identity?.value;
  if (!to && channel.type === 'whatsapp') {
    // A contact created in the CRM: WhatsApp takes the number without '+'.
    to = (await findContactPhone(deps.db, msg.workspace_id, conv.contact_id))?.replace(/^\+/, '') ?? undefined;
  }
  if (!to) {
    throw new Permanent({
      code: 'no_recipient',
      message: `the contact has no ${channel.type} identity to send to`,
    });
  }
  const now = deps.clock();
  const lastInbound = conv.last_inbound_at;
  return {
    channel,
    request: {
      to,
      content: contentOf(deps, msg, now),
      ...(msg.reply_to_provider_message_id ? { replyToProviderMessageId: msg.reply_to_provider_message_id } : {}),
      // Messenger between 24 h and 7 days after the customer's last message: HUMAN_AGENT tag.
      humanAgentTag:
        channel.type === 'messenger' &&
        (lastInbound === null || now.getTime() - lastInbound.getTime() > CUSTOMER_WINDOW_MS),
    },
  };
}

function contentOf(deps: OutboundWorkerDeps, msg: MessageRow, now: Date): OutboundContent {
  switch (msg.type) {
    case 'text':
      if (!msg.text) throw new Permanent({ code: 'empty_message', message: 'the message has no text' });
      return { type: 'text', text: msg.text };
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const m = msg.media;
      const url = m?.fileId ? publicMediaUrl(deps.publicUrl, deps.mediaKey, m.fileId, now) : m?.sourceUrl;
      if (!m || !url) throw new Permanent({ code: 'media_missing', message: 'the message has no media to send' });
      return {
        type: msg.type,
        url,
        ...(m.mimeType ? { mimeType: m.mimeType } : {}),
        ...(m.fileName ? { fileName: m.fileName } : {}),
        ...(m.caption ? { caption: m.caption } : {}),
      };
    }
    case 'template': {
      const t = msg.details['template'] as { name?: unknown; language?: unknown; variables?: unknown } | undefined;
      if (!t || typeof t.name !== 'string' || typeof t.language !== 'string') {
        throw new Permanent({ code: 'template_missing', message: 'the message names no template' });
      }
      const variables = Array.isArray(t.variables) ? t.variables.map(String) : [];
      return { type: 'template', name: t.name, language: t.language, variables };
    }
    default:
      throw new Permanent({ code: 'unsupported_content', message: `messages of type ${msg.type} cannot be sent` });
  }
}

function backoffMs(deps: OutboundWorkerDeps, attempt: number): number {
  return Math.min(deps.retryMaxMs, deps.retryBaseMs * 2 ** Math.max(0, attempt - 1));
}

async function onSendError(deps: OutboundWorkerDeps, job: Job<OutboundJob>, msg: MessageRow, err: unknown) {
  const log = deps.logger.child({ messageId: msg.id, attempt: job.attempt });
  if (!(err instanceof SendError)) {
    log.error({ err }, 'channel adapter failed without a SendError');
    await fail(deps, msg.id, { code: 'send_error', message: err instanceof Error ? err.message : String(err) });
    throw new PermanentJobError('adapter error');
  }
  const transportUnsure = err.error.code === 'network_error' && !NOT_SENT_TRANSPORT.test(err.error.message);
  if (transportUnsure) {
    log.warn({ error: err.error }, 'send outcome unknown (transport error after the request left)');
    await fail(deps, msg.id, { ...UNCONFIRMED, message: `${UNCONFIRMED.message} (${err.error.message})` });
    throw new PermanentJobError(err.message);
  }
  if (err.retryable) {
    await releaseSendClaim(deps.db, msg.id);
    if (job.attempt >= job.maxAttempts) {
      log.warn({ error: err.error }, 'send failed after its last try');
      await fail(deps, msg.id, err.error);
      throw new PermanentJobError(err.message);
    }
    const wait =
      err.retryAfterMs !== undefined ? Math.min(err.retryAfterMs, deps.retryAfterCapMs) : backoffMs(deps, job.attempt);
    log.info({ error: err.error, waitMs: wait }, 'send will be retried');
    throw new RetryLaterError(err.message, wait);
  }
  log.info({ error: err.error }, 'send refused by the platform');
  await fail(deps, msg.id, err.error);
  throw new PermanentJobError(err.message);
}

/** Records the provider id (and any receipt that beat the answer); retried a few times in place. */
async function recordSent(deps: OutboundWorkerDeps, msg: MessageRow, providerMessageId: string): Promise<void> {
  const at = deps.clock();
  let row: MessageRow | undefined;
  for (let i = 0; ; i++) {
    try {
      row = await deps.db.transaction().execute(async (trx) => {
        const r = await recordProviderMessageId(trx, {
          messageId: msg.id,
          channelId: msg.channel_id,
          providerMessageId,
          at,
        });
        await releaseSendClaim(trx, msg.id);
        return r;
      });
      break;
    } catch (err) {
      if (i >= 2) {
        // The platform has it; we could not write that down. Loud, with the id, for repair.
        deps.logger.error({ err, messageId: msg.id, providerMessageId }, 'sent, but recording the provider id failed');
        throw err;
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** i));
    }
  }
  await publishUpdated(deps, row);
}

/** queued → failed with the error (unless a receipt already moved it on); publishes the change. */
async function fail(deps: OutboundWorkerDeps, messageId: string, error: ProviderError): Promise<void> {
  const at = deps.clock();
  const row = await deps.db.transaction().execute(async (trx) => {
    const cur = await trx.selectFrom('messages').selectAll().where('id', '=', messageId).forUpdate().executeTakeFirst();
    if (!cur || cur.status !== 'queued') return undefined;
    const updated = await applyStatus(trx, cur, 'failed', error, at);
    await releaseSendClaim(trx, messageId);
    return updated;
  });
  if (row) await publishUpdated(deps, row);
}

async function publishUpdated(deps: OutboundWorkerDeps, row: MessageRow): Promise<void> {
  try {
    // No meta: the sequencer reads the conversation's assignee as it is now.
    await deps.bus.publish(messageEvent('message:updated', row.workspace_id, messageRowToMessage(row)));
  } catch (err) {
    deps.logger.warn({ err, messageId: row.id }, 'realtime publish failed');
  }
}
