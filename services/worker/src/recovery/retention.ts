import { deleteHandledWebhookEvents, deleteStalePendingUpdates } from '@hub/shared/domain';
import type { Db } from '@hub/shared/db';
import type { Logger } from '@hub/shared/logger';
import { startPeriodic } from '../periodic';

// What would otherwise grow forever: raw webhooks already handled (kept `retentionDays` for
// inspection and replay; 0 keeps them forever) and receipts that waited a week for a message
// that never came (a status for a message sent from another tool, a stray edit). Deleted in
// bounded chunks so no sweep holds locks for long; several workers may sweep at once (deletes
// of the same rows are harmless).

export const PENDING_UPDATE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export interface RetentionOptions {
  retentionDays: number;
  intervalMs: number;
  /** Rows per statement (default 5,000). */
  chunk?: number;
}

export async function sweepRetention(
  db: Db,
  now: Date,
  opts: Pick<RetentionOptions, 'retentionDays' | 'chunk'>,
): Promise<{ webhookEvents: number; pendingUpdates: number }> {
  const chunk = opts.chunk ?? 5_000;
  let webhookEvents = 0;
  if (opts.retentionDays > 0) {
    const before = new Date(now.getTime() - opts.retentionDays * 24 * 3600 * 1000);
    for (let n = chunk; n > 0; webhookEvents += n) n = await deleteHandledWebhookEvents(db, before, chunk);
  }
  let pendingUpdates = 0;
  const stale = new Date(now.getTime() - PENDING_UPDATE_MAX_AGE_MS);
  for (let n = chunk; n >= chunk; pendingUpdates += n) n = await deleteStalePendingUpdates(db, stale, chunk);
  return { webhookEvents, pendingUpdates };
}

export function startRetention(
  db: Db,
  logger: Logger,
  clock: () => Date,
  opts: RetentionOptions,
): { stop(): Promise<void> } {
  return startPeriodic(
    async () => {
      const n = await sweepRetention(db, clock(), opts);
      if (n.webhookEvents + n.pendingUpdates > 0) logger.info(n, 'retention: old rows deleted');
    },
    { intervalMs: opts.intervalMs, runNow: true, logger, what: 'retention sweep' },
  );
}
