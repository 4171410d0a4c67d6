import type { RealtimeBus } from '@hub/shared/bus';
import type { Db } from '@hub/shared/db';
import { publishConversationUpdated, wakeSnoozed, WakeJob } from '@hub/shared/domain';
import type { Logger } from '@hub/shared/logger';
import { PermanentJobError, type Job } from '@hub/shared/queue';

// Queue "live-timers": a snoozed conversation wakes up (status open) at its snooze time. The
// job names the exact time it was scheduled for, so a conversation snoozed again, woken by
// the customer or re-opened by an agent in the meantime is left alone.

export interface WakeDeps {
  db: Db;
  bus: RealtimeBus;
  logger: Logger;
  clock: () => Date;
}

export function wakeHandler(deps: WakeDeps) {
  return async (job: Job<WakeJob>): Promise<void> => {
    if (job.name !== 'wake') throw new PermanentJobError(`unknown live-timers job '${job.name}'`);
    const data = WakeJob.parse(job.data);
    const row = await deps.db
      .transaction()
      .execute((trx) => wakeSnoozed(trx, data.conversationId, new Date(data.until), deps.clock()));
    if (row) await publishConversationUpdated(deps, data.workspaceId, data.conversationId);
  };
}
