import { INBOUND_JOB_OPTIONS, listStrandedWebhookEvents, markRequeued, type InboundJobData } from '@hub/shared/domain';
import type { Db } from '@hub/shared/db';
import type { Logger } from '@hub/shared/logger';
import { startPeriodic } from '../periodic';
import type { Queue } from '@hub/shared/queue';

// Webhooks logged but never processed go back on the queue: in embedded mode the in-process
// queue dies with a crashed process (the raw row was written before the 200), and in scaled
// mode a failed queue add falls back to the raw row. Processing is idempotent, so a row that
// is merely slow and gets enqueued twice costs a no-op.

export interface RecoveryOptions {
  /** A row must be at least this old (ms) to count as stranded. */
  graceMs: number;
  intervalMs: number;
  batch?: number;
}

export async function requeueStranded(
  db: Db,
  inbound: Queue<InboundJobData>,
  now: Date,
  opts: Pick<RecoveryOptions, 'graceMs' | 'batch'>,
): Promise<number> {
  const rows = await listStrandedWebhookEvents(db, new Date(now.getTime() - opts.graceMs), opts.batch ?? 500);
  if (rows.length === 0) return 0;
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
      // A fresh id: the original job id may be remembered as done or dead by the queue.
      opts: { ...INBOUND_JOB_OPTIONS, jobId: `recover-${r.id}-${now.getTime()}` },
    })),
  );
  await markRequeued(
    db,
    rows.map((r) => r.id),
    now,
  );
  return rows.length;
}

export function startRecovery(
  db: Db,
  inbound: Queue<InboundJobData>,
  logger: Logger,
  clock: () => Date,
  opts: RecoveryOptions,
): { stop(): Promise<void> } {
  return startPeriodic(
    async () => {
      const n = await requeueStranded(db, inbound, clock(), opts);
      if (n > 0) logger.info({ count: n }, 'stranded webhooks put back on the queue');
    },
    { intervalMs: opts.intervalMs, runNow: true, logger, what: 'webhook recovery sweep' },
  );
}
