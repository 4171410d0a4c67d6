import type { PlatformEndpoints } from '@hub/shared/channels';
import {
  AutoAssignChannels,
  LIVE_TIMERS_QUEUE,
  mediaUrlKey,
  OUTBOUND_QUEUE,
  outboundRateLimits,
  type ChannelCache,
  type OutboundJob,
  type WakeJob,
} from '@hub/shared/domain';
import type { Logger } from '@hub/shared/logger';
import type { Runtime } from '@hub/shared/runtime';
import { LiveSubscriber } from './live.subscriber';
import { MetricsPublisher, type MetricsPublisherOptions } from './metrics.publisher';
import { outboundHandler } from './outbound.worker';
import { startOutboundSweep, type OutboundSweepOptions } from './outbound.sweep';
import { wakeHandler } from './wake.worker';

// The live half of the worker: the outbound dispatcher (queue "outbound"), snooze wake-ups
// (queue "live-timers"), the sweep of stranded queued sends, auto-assignment and the
// supervisors' metrics pushes. Registered by buildWorker (worker.app.ts).

export interface OutboundOptions {
  /** Sends in flight per process (the rate limits pace them; default 16). */
  concurrency?: number;
  /** First retry wait when the platform gives no retry_after (default 1 s, doubling). */
  retryBaseMs?: number;
  /** Cap of that backoff (default 60 s). */
  retryMaxMs?: number;
  /** Cap of a platform's retry_after (default 15 min). */
  retryAfterCapMs?: number;
  sweep?: OutboundSweepOptions | false;
  metrics?: MetricsPublisherOptions | false;
  /** Auto-assignment and re-offers (default on; channels opt in with settings.autoAssign). */
  autoAssign?: boolean;
}

export function registerOutbound(
  rt: Runtime,
  channels: ChannelCache,
  endpoints: PlatformEndpoints,
  logger: Logger,
  opts: OutboundOptions = {},
): { close(): Promise<void> } {
  const { db } = rt.database;
  const clock = () => rt.clock();
  const log = logger.child({ module: 'outbound' });
  const outbound = rt.queues.queue<OutboundJob>(OUTBOUND_QUEUE);
  const timers = rt.queues.queue<WakeJob>(LIVE_TIMERS_QUEUE);

  outbound.process(
    outboundHandler({
      db,
      bus: rt.bus,
      channels,
      endpoints,
      mediaKey: mediaUrlKey(rt.config.encryptionKey),
      publicUrl: rt.config.publicUrl,
      logger: log,
      clock,
      retryBaseMs: opts.retryBaseMs ?? 1000,
      retryMaxMs: opts.retryMaxMs ?? 60_000,
      retryAfterCapMs: opts.retryAfterCapMs ?? 15 * 60_000,
    }),
    { concurrency: opts.concurrency ?? 16, rateLimits: outboundRateLimits() },
  );
  timers.process(wakeHandler({ db, bus: rt.bus, logger: log, clock }), { concurrency: 4 });

  const sweep =
    opts.sweep === false
      ? undefined
      : startOutboundSweep(db, outbound, log, clock, opts.sweep ?? { graceMs: 60_000, intervalMs: 30_000 });
  const metrics =
    opts.metrics === false
      ? undefined
      : new MetricsPublisher(
          {
            db,
            bus: rt.bus,
            presence: rt.realtime.presence,
            clock,
            logger: log,
            claim: (key, ttlMs) => rt.realtime.claim(key, ttlMs),
          },
          opts.metrics,
        );
  const subscriber = new LiveSubscriber(
    {
      db,
      bus: rt.bus,
      presence: rt.realtime.presence,
      clock,
      logger: log,
      autoAssignChannels: new AutoAssignChannels(db),
    },
    { metrics, autoAssign: opts.autoAssign !== false },
  );
  subscriber.start();

  return {
    async close() {
      await sweep?.stop();
      await subscriber.close();
      await metrics?.close();
    },
  };
}
