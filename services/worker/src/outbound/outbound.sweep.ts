import { ChannelType } from '@hub/shared/events';
import { enqueueOutbound, listStrandedQueued, type OutboundJob } from '@hub/shared/domain';
import type { Db } from '@hub/shared/db';
import type { Logger } from '@hub/shared/logger';
import { startPeriodic } from '../periodic';
import type { Queue } from '@hub/shared/queue';

// Queued sends whose enqueue failed after the commit (queue down), or whose in-process job died
// with a crashed process, go back on the queue under their own job id: when the job is still
// known (waiting for its rate-limit turn, retrying, or done) the add is a no-op, so the sweep
// can never start a second send of one round.

export interface OutboundSweepOptions {
  /** A queued message must be at least this old to count as stranded. */
  graceMs: number;
  intervalMs: number;
  batch?: number;
}

export async function requeueStrandedSends(
  db: Db,
  queue: Queue<OutboundJob>,
  now: Date,
  opts: Pick<OutboundSweepOptions, 'graceMs' | 'batch'>,
): Promise<number> {
  const rows = await listStrandedQueued(db, new Date(now.getTime() - opts.graceMs), opts.batch ?? 200);
  for (const r of rows) {
    await enqueueOutbound(queue, {
      messageId: r.id,
      conversationId: r.conversation_id,
      retryRound: r.retry_round,
      channel: { id: r.channel_id, type: ChannelType.parse(r.channel_type), settings: r.channel_settings },
    });
  }
  return rows.length;
}

export function startOutboundSweep(
  db: Db,
  queue: Queue<OutboundJob>,
  logger: Logger,
  clock: () => Date,
  opts: OutboundSweepOptions,
): { stop(): Promise<void> } {
  return startPeriodic(
    async () => {
      const n = await requeueStrandedSends(db, queue, clock(), opts);
      if (n > 0) logger.debug({ count: n }, 'queued sends checked against the outbound queue');
    },
    { intervalMs: opts.intervalMs, runNow: false, logger, what: 'outbound sweep' },
  );
}
