import { randomUUID } from 'node:crypto';
import { adapterFor } from '@hub/shared/channels';
import {
  EventJob,
  findChannelIncludingDeleted,
  insertWebhookEvent,
  markWebhookEvent,
  saveWebhookEvent,
  WebhookJob,
  type InboundJobData,
  type WebhookEventStatus,
  type WebhookNote,
} from '@hub/shared/domain';
import { InboundEvent } from '@hub/shared/events';
import { PermanentJobError, type Job } from '@hub/shared/queue';
import { processEvent, routeEvent, type InboundDeps } from './inbound.service';

// Queue "inbound": 'webhook' jobs carry one raw POST (normalized here, so a replay re-runs the
// same code on the stored body); 'event' jobs carry one already-normalized event.

export function inboundHandler(deps: InboundDeps) {
  return async (job: Job<InboundJobData>): Promise<void> => {
    switch (job.name) {
      case 'webhook': {
        const data = WebhookJob.parse(job.data);
        try {
          return await processWebhookJob(deps, data);
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
  const save = (status: WebhookEventStatus, notes: WebhookNote[], eventCount: number) =>
    saveWebhookEvent(
      db,
      {
        id: job.webhookEventId,
        workspaceId: channel.workspaceId,
        channelId: channel.id,
        channelType: channel.type,
        body: job.body,
        receivedAt: new Date(job.receivedAt),
      },
      { status, notes, eventCount, at: deps.clock() },
    );
  let body: unknown;
  try {
    body = JSON.parse(job.body);
  } catch {
    await save('failed', [{ reason: 'body is not JSON' }], 0);
    return;
  }
  const events = adapterFor(channel.type).normalize(body);
  const notes: WebhookNote[] = [];
  for (const raw of events) {
    const parsed = InboundEvent.safeParse(raw);
    if (!parsed.success) {
      notes.push({ reason: `normalizer produced an invalid event: ${parsed.error.issues[0]?.message ?? ''}`, raw });
      continue;
    }
    const event = parsed.data;
    const target = await routeEvent(deps.channels, channel, event);
    if (!target) {
      notes.push({ reason: 'unrouted: no channel has this number/page', kind: event.kind, routeKey: event.routeKey });
      continue;
    }
    const note = await processEvent(deps, target, event);
    if (note) notes.push(note);
  }
  await save(notes.length > 0 ? 'unhandled' : 'processed', notes, events.length);
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
