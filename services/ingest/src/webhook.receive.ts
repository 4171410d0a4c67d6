import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { adapterFor } from '@hub/shared/channels';
import {
  INBOUND_JOB_OPTIONS,
  insertWebhookEvent,
  type ChannelCache,
  type InboundJobData,
  type LoadedChannel,
  type WebhookJob,
} from '@hub/shared/domain';
import type { Db } from '@hub/shared/db';
import { AppError } from '@hub/shared/errors';
import type { ChannelType } from '@hub/shared/events';
import type { Logger } from '@hub/shared/logger';
import type { Queue } from '@hub/shared/queue';
import { BodyTooLargeError, readRawBody } from './raw-body';

// The POST webhook up to its acknowledgement, shared by the plain node:http front door (the
// hot path) and the Express route (mounted without the front door): channel from an in-memory
// cache, raw body, signature, JSON check, payload made durable. Meta retries any non-2xx for
// days and Telegram until it gives up, so acknowledge as soon as the payload is safe — the
// work happens on the queue.

export const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface WebhookDeps {
  db: Db;
  channels: ChannelCache;
  /** The inbound queue, or its same-tick batcher (AddBatcher). */
  inbound: Pick<Queue<InboundJobData>, 'add'>;
  /**
   * true with the in-process queue: it dies with the process, so the raw body is written to
   * webhook_events BEFORE the 200. With BullMQ (Redis AOF) the queue is the durable copy and
   * the request path does no database write.
   */
  logFirst: boolean;
  logger: Logger;
  clock: () => Date;
}

const channelNotFound = () => new AppError('not_found', 'channel_not_found', 'channel not found');

/** The live channel of this type and id; 404 otherwise (a malformed id without a lookup). */
export async function channelFor(deps: WebhookDeps, type: ChannelType, id: string): Promise<LoadedChannel> {
  if (!UUID.test(id)) throw channelNotFound();
  const channel = await deps.channels.get(id.toLowerCase());
  if (!channel || channel.type !== type) throw channelNotFound();
  return channel;
}

/** Verifies and keeps one POST; resolves when the caller may answer 200, throws AppError otherwise. */
export async function receiveWebhook(
  deps: WebhookDeps,
  type: ChannelType,
  channelId: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const receivedAt = deps.clock();
  const channel = await channelFor(deps, type, channelId);
  const declared = Number(req.headers['content-length']);
  let raw: Buffer;
  try {
    if (declared > WEBHOOK_BODY_LIMIT) throw new BodyTooLargeError(WEBHOOK_BODY_LIMIT);
    raw = await readRawBody(req, WEBHOOK_BODY_LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      res.setHeader('Connection', 'close');
      throw new AppError('payload_too_large', 'payload_too_large', 'webhook body is larger than 5 MiB');
    }
    throw err;
  }
  const verified = adapterFor(channel.type).verifyWebhook(channel.credentials as never, {
    rawBody: raw,
    headers: req.headers,
  });
  if (!verified.ok) throw new AppError('unauthorized', 'invalid_signature', verified.reason);
  const body = raw.toString('utf8');
  // Only to tell JSON from garbage (400); normalization happens in the worker. A few µs for a
  // typical payload, and the one check that is exactly JSON's grammar.
  try {
    JSON.parse(body);
  } catch {
    throw new AppError('invalid_json', 'invalid_json', 'webhook body is not valid JSON');
  }
  await accept(deps, channel, body, receivedAt);
}

/** Makes the payload durable, then returns (the caller answers 200). Throws → 500 → the platform retries. */
async function accept(deps: WebhookDeps, channel: LoadedChannel, body: string, receivedAt: Date): Promise<void> {
  const job: WebhookJob = {
    webhookEventId: randomUUID(),
    channelId: channel.id,
    body,
    receivedAt: receivedAt.toISOString(),
    logged: false,
  };
  const log = () =>
    insertWebhookEvent(deps.db, {
      id: job.webhookEventId,
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      channelType: channel.type,
      body,
      receivedAt,
    });
  const opts = { ...INBOUND_JOB_OPTIONS, jobId: job.webhookEventId };
  if (deps.logFirst) {
    await log();
    try {
      await deps.inbound.add('webhook', { ...job, logged: true }, opts);
    } catch (err) {
      // The raw row is there: the worker's recovery sweep will put it on the queue.
      deps.logger.error({ err, webhookEventId: job.webhookEventId }, 'queue add failed; webhook kept in the raw log');
    }
    return;
  }
  try {
    await deps.inbound.add('webhook', job, opts);
  } catch (err) {
    // Queue down (or the batch this job was in failed): the raw log is the durable copy
    // (recovered by the sweep). If that fails too, the 500 makes the platform retry.
    deps.logger.error({ err, webhookEventId: job.webhookEventId }, 'queue add failed; falling back to the raw log');
    await log();
  }
}
