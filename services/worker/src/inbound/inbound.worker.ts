import { randomUUID } from 'node:crypto';
import {
  EventJob,
  findChannelIncludingDeleted,
  insertWebhookEvent,
  markWebhookEvent,
  saveWebhookEvent,
  WebhookJob,
  type InboundJobData,
  type WebhookNote,
} from '@hub/shared/domain';
import { Batcher, PermanentJobError, type Job } from '@hub/shared/queue';
import { runWebhookBatch } from './inbound.batch';
import { prepareWebhook, rawRowOf, webhookResult } from './inbound.prepare';
import { processEvent, routeEvent, type InboundDeps } from './inbound.service';

// Queue "inbound": 'webhook' jobs carry one raw POST (normalized here, so a replay re-runs the
// same code on the stored body); 'event' jobs carry one already-normalized event.

export interface InboundBatchOptions {
  /** Most webhooks persisted in one transaction (default 200). */
  maxBatch?: number;
  /** Batches running at once (default 2: one commits while the next is built). */
  maxInFlight?: number;
}

export function inboundHandler(deps: InboundDeps, opts: InboundBatchOptions = {}) {
  // Webhook jobs running at once are gathered into batches: one transaction and a handful of
  // statements for the lot (inbound.batch.ts). Each job still settles on its own.
  const batcher = new Batcher<WebhookJob>((jobs) => runWebhookBatch(deps, jobs), {
    maxBatch: opts.maxBatch ?? 200,
    maxInFlight: opts.maxInFlight ?? 2,
  });
  return async (job: Job<InboundJobData>): Promise<void> => {
    switch (job.name) {
      case 'webhook': {
        const data = WebhookJob.parse(job.data);
        try {
          return await batcher.submit(data);
        } catch (err) {
          // Out of retries: flag the raw row 'failed' (replay --status failed re-runs it) so
          // the recovery sweep does not cycle a poison payload forever. If even that write
          // fails (database down), the row stays 'received' and the sweep brings it back.
          if (job.attempt >= job.maxAttempts) await markFailed(deps, data, err).catch(() => undefined);
          throw err;
        }
      }
      case 'event':
        return processEventJob(deps, EventJob.parse(job.data));
      default:
        throw new PermanentJobError(`unknown inbound job '${job.name}'`);
    }
  };
}

export async function processWebhookJob(deps: InboundDeps, job: WebhookJob): Promise<void> {
  const { db } = deps;
  const channel = await deps.channels.get(job.channelId);
  if (!channel) {
    // Deleted after the acknowledgement: the raw body is still kept for inspection (the row
    // of a soft-deleted channel is there); nothing is persisted for a channel that is gone.
    const gone = await findChannelIncludingDeleted(db, job.channelId);
    if (gone) {
      await saveWebhookEvent(
        db,
        {
          id: job.webhookEventId,
          workspaceId: gone.workspace_id,
          channelId: gone.id,
          channelType: gone.type,
          body: job.body,
          receivedAt: new Date(job.receivedAt),
        },
        {
          status: 'unhandled',
          notes: [{ reason: 'channel deleted before processing' }],
          eventCount: 0,
          at: deps.clock(),
        },
      );
    } else {
      deps.logger.warn(
        { channelId: job.channelId, webhookEventId: job.webhookEventId },
        'webhook for a removed channel dropped',
      );
    }
    return;
  }
  // Not logged yet (BullMQ held it): the raw row is written once, with its outcome, at the end.
  // Until then the queue is the durable copy — a crash mid-way retries the job.
  const prepared = await prepareWebhook(deps.channels, job, channel);
  const notes: (WebhookNote | undefined)[] = [];
  for (const entry of prepared.entries) {
    if ('event' in entry) notes.push(await processEvent(deps, entry.target, entry.event));
  }
  await saveWebhookEvent(db, rawRowOf(prepared), webhookResult(prepared, notes, deps.clock()));
}

/** A normalized event enqueued directly; what it leaves unhandled is logged like a webhook. */
export async function processEventJob(deps: InboundDeps, job: EventJob): Promise<void> {
  const channel = await deps.channels.get(job.channelId);
  if (!channel) throw new PermanentJobError(`channel ${job.channelId} not found`);
  const target = await routeEvent(deps.channels, channel, job.event);
  const note = target
    ? await processEvent(deps, target, job.event)
    : { reason: 'unrouted: no channel has this number/page', kind: job.event.kind, routeKey: job.event.routeKey };
  if (!note) return;
  const id = randomUUID();
  await insertWebhookEvent(deps.db, {
    id,
    workspaceId: channel.workspaceId,
    channelId: channel.id,
    channelType: channel.type,
    body: JSON.stringify(job.event),
    receivedAt: deps.clock(),
  });
  await markWebhookEvent(deps.db, id, { status: 'unhandled', notes: [note], eventCount: 1, at: deps.clock() });
}

async function markFailed(deps: InboundDeps, job: WebhookJob, err: unknown): Promise<void> {
  const channel = await deps.channels.get(job.channelId);
  if (!channel) return;
  await saveWebhookEvent(
    deps.db,
    {
      id: job.webhookEventId,
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      channelType: channel.type,
      body: job.body,
      receivedAt: new Date(job.receivedAt),
    },
    {
      status: 'failed',
      notes: [
        { reason: `processing failed after the last retry: ${err instanceof Error ? err.message : String(err)}` },
      ],
      eventCount: 0,
      at: deps.clock(),
    },
  );
}
