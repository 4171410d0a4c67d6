import type { RealtimeBus } from '@hub/shared/bus';
import type { Db } from '@hub/shared/db';
import { computeLiveMetrics } from '@hub/shared/domain';
import type { Logger } from '@hub/shared/logger';
import type { PresenceStore } from '@hub/shared/realtime';

// `metrics:updated` for supervisors (the gateway routes it to ws:<ws>:supervisors): when
// something that moves the figures happens in a workspace, its live figures (last 24 hours of
// samples) are computed and published — at most once per interval per workspace, trailing, so
// a burst of events costs one computation. Every worker sees every event; with several of
// them, the one that claims the workspace's interval first (Realtime.claim) computes and
// publishes, the others skip — one computation and one push per interval, not one per worker.

export interface MetricsPublisherOptions {
  /** At most one publication per workspace per this many ms (default 1000). */
  intervalMs?: number;
  /** Window of the samples in the pushed figures (default 24 h). */
  windowMs?: number;
}

export class MetricsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;
  private readonly intervalMs: number;
  private readonly windowMs: number;

  constructor(
    private readonly deps: {
      db: Db;
      bus: RealtimeBus;
      presence: PresenceStore;
      clock: () => Date;
      logger: Logger;
      /** Shared across processes (rt.realtime.claim); absent: this process always publishes. */
      claim?: (key: string, ttlMs: number) => Promise<boolean>;
    },
    opts: MetricsPublisherOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.windowMs = opts.windowMs ?? 24 * 60 * 60 * 1000;
  }

  /** Something changed in this workspace. */
  touch(workspaceId: string): void {
    if (this.closed || !workspaceId || this.timers.has(workspaceId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(workspaceId);
      const p = this.publish(workspaceId).finally(() => this.running.delete(p));
      this.running.add(p);
    }, this.intervalMs);
    timer.unref();
    this.timers.set(workspaceId, timer);
  }

  private async publish(workspaceId: string): Promise<void> {
    try {
      if (this.deps.claim && !(await this.deps.claim(`metrics:${workspaceId}`, this.intervalMs))) return;
      const now = this.deps.clock();
      const figures = await computeLiveMetrics(this.deps.db, this.deps.presence, workspaceId, {
        from: new Date(now.getTime() - this.windowMs),
        to: now,
        now,
      });
      if (this.closed) return;
      await this.deps.bus.publish({ type: 'metrics:updated', workspaceId, payload: figures });
    } catch (err) {
      this.deps.logger.warn({ err, workspaceId }, 'metrics publication failed');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.running);
  }
}
