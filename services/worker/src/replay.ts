import {
  INBOUND_JOB_OPTIONS,
  listWebhookEvents,
  type InboundJobData,
  type WebhookEventFilter,
} from '@hub/shared/domain';
import type { Db } from '@hub/shared/db';
import type { Queue } from '@hub/shared/queue';

// Re-runs stored raw webhooks through normalization and the inbound queue. Safe to run any
// number of times: messages are unique per (channel, provider id), statuses only move forward,
// pending updates are keyed — a replay only fills in what is missing (e.g. events that were
// unhandled or unrouted before a fix or before the channel existed).

export interface ReplayOptions extends WebhookEventFilter {
  /** Rows fetched per page. */
  batch?: number;
}

/** Enqueues every matching raw webhook (oldest first); returns how many. */
export async function replayWebhookEvents(
  db: Db,
  inbound: Queue<InboundJobData>,
  opts: ReplayOptions,
  now = new Date(),
): Promise<number> {
  const batch = opts.batch ?? 500;
  let after: { receivedAt: Date; id: string } | undefined;
  let total = 0;
  for (;;) {
    const rows = await listWebhookEvents(db, opts, { after, limit: batch });
    if (rows.length === 0) return total;
    await inbound.addBulk(
      rows.map((r) => ({
        name: 'webhook',
        data: {
          webhookEventId: r.id,
          channelId: r.channel_id,
          body: r.body,
          receivedAt: r.received_at.toISOString(),
          logged: true,
        },
        // A fresh job id per replay run: the original may be remembered as done by the queue.
        opts: { ...INBOUND_JOB_OPTIONS, jobId: `replay-${r.id}-${now.getTime()}` },
      })),
    );
    total += rows.length;
    const last = rows[rows.length - 1]!;
    after = { receivedAt: last.received_at, id: last.id };
  }
}
