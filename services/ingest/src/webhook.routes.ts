import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
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
import { ChannelType } from '@hub/shared/events';
import type { Logger } from '@hub/shared/logger';
import type { Queue } from '@hub/shared/queue';
import { BodyTooLargeError, readRawBody } from './raw-body';

// The platforms' front door. The POST path is the hot one (benchmarked): channel from an
// in-memory cache, raw body, signature, JSON check, one queue add, 200. Meta retries any
// non-2xx for days and Telegram until it gives up, so acknowledge as soon as the payload is
// safe — the work happens on the queue.

export const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface WebhookDeps {
  db: Db;
  channels: ChannelCache;
  inbound: Queue<InboundJobData>;
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

async function channelFor(deps: WebhookDeps, req: Request): Promise<LoadedChannel> {
  const type = ChannelType.safeParse(req.params['type']);
  const id = String(req.params['channelId'] ?? '');
  if (!type.success) throw new AppError('not_found', 'route_not_found', `no route for ${req.method} ${req.path}`);
  if (!UUID.test(id)) throw channelNotFound();
  const channel = await deps.channels.get(id.toLowerCase());
  if (!channel || channel.type !== type.data) throw channelNotFound();
  return channel;
}

export function webhookRoutes(deps: WebhookDeps): Router {
  const r = express.Router();

  // Meta's verification handshake (sent when the callback URL or verify token is edited).
  r.get('/webhooks/:type/:channelId', async (req, res) => {
    const channel = await channelFor(deps, req);
    const adapter = adapterFor(channel.type);
    if (!adapter.verifyHandshake)
      throw new AppError('not_found', 'route_not_found', `no route for ${req.method} ${req.path}`);
    const result = adapter.verifyHandshake(channel.credentials as never, req.query as Record<string, unknown>);
    if (!result.ok)
      throw new AppError('forbidden', 'verification_failed', 'hub.mode or hub.verify_token does not match');
    res.status(200).type('text/plain').send(result.challenge);
  });

  r.post('/webhooks/:type/:channelId', (req, res, next) => {
    handlePost(deps, req, res).catch((err: unknown) => next(err));
  });

  return r;
}

async function handlePost(deps: WebhookDeps, req: Request, res: Response): Promise<void> {
  const receivedAt = deps.clock();
  const channel = await channelFor(deps, req);
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
  try {
    JSON.parse(body);
  } catch {
    throw new AppError('invalid_json', 'invalid_json', 'webhook body is not valid JSON');
  }
  await accept(deps, channel, body, receivedAt);
  res.status(200).json({ ok: true });
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
    // Queue down: the raw log is the durable copy (recovered by the sweep). If that fails too,
    // the 500 makes the platform retry.
    deps.logger.error({ err, webhookEventId: job.webhookEventId }, 'queue add failed; falling back to the raw log');
    await log();
  }
}
