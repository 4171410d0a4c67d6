import type { PlatformEndpoints } from '@hub/shared/channels';
import { channelCredentialsKey } from '@hub/shared/crypto';
import { ChannelCache, INBOUND_QUEUE, MEDIA_QUEUE, type InboundJobData, type MediaJob } from '@hub/shared/domain';
import type { JobOptions } from '@hub/shared/queue';
import type { Runtime } from '@hub/shared/runtime';
import type { ServiceParts } from '@hub/shared/service';
import { createMediaStorage, type MediaStorage } from '@hub/shared/storage';
import { inboundHandler, type InboundBatchOptions } from './inbound/inbound.worker';
import { mediaHandler } from './media/media.worker';
import { startRecovery, type RecoveryOptions } from './recovery/webhook-recovery';
import { startRetention, type RetentionOptions } from './recovery/retention';
import { registerOutbound, type OutboundOptions } from './outbound/outbound.app';

export interface WorkerOptions {
  /** Inbound jobs taken at once (default 400); the batcher groups them (inbound.worker.ts). */
  inboundConcurrency?: number;
  inboundBatch?: InboundBatchOptions;
  mediaConcurrency?: number;
  recovery?: RecoveryOptions | false;
  /** Deletion of old handled raw webhooks and stale receipts (default hourly, HUB_WEBHOOK_RETENTION_DAYS). */
  retention?: RetentionOptions | false;
  storage?: MediaStorage;
  /** Attempts/backoff of media downloads (tests shorten them). */
  mediaJobOptions?: JobOptions;
  /** The outbound dispatcher, snooze wake-ups, auto-assignment and metrics pushes. */
  outbound?: OutboundOptions;
}

/**
 * Embedded, PGlite has one connection: a batch holds it for its whole transaction and the
 * webhook route's raw-log insert (written before each 200) waits behind it, so batches stay
 * small there. Scaled, batches grow with the backlog.
 */
function batchDefaults(rt: Runtime): InboundBatchOptions {
  return rt.database.kind === 'pglite' ? { maxBatch: 16, maxInFlight: 1 } : { maxBatch: 200, maxInFlight: 2 };
}

export function platformEndpoints(config: Runtime['config']): PlatformEndpoints {
  return {
    whatsappApiUrl: config.whatsappApiUrl,
    messengerApiUrl: config.messengerApiUrl,
    telegramApiUrl: config.telegramApiUrl,
    graphApiVersion: config.graphApiVersion,
  };
}

/** Job handlers: inbound persistence, media download, recovery of stranded webhooks. */
export function buildWorker(rt: Runtime, opts: WorkerOptions = {}): ServiceParts {
  const { db } = rt.database;
  const channels = new ChannelCache(db, channelCredentialsKey(rt.config.encryptionKey), { bus: rt.bus });
  const inbound = rt.queues.queue<InboundJobData>(INBOUND_QUEUE);
  const media = rt.queues.queue<MediaJob>(MEDIA_QUEUE);
  const endpoints = platformEndpoints(rt.config);
  const logger = rt.logger.child({ service: 'worker' });

  inbound.process(
    inboundHandler(
      {
        db,
        bus: rt.bus,
        channels,
        mediaQueue: media,
        endpoints,
        logger,
        clock: rt.clock,
        ...(opts.mediaJobOptions ? { mediaJobOptions: opts.mediaJobOptions } : {}),
      },
      opts.inboundBatch ?? batchDefaults(rt),
    ),
    {
      concurrency: opts.inboundConcurrency ?? 400,
    },
  );
  media.process(
    mediaHandler({
      db,
      bus: rt.bus,
      channels,
      storage: opts.storage ?? createMediaStorage(rt.config),
      endpoints,
      logger,
    }),
    { concurrency: opts.mediaConcurrency ?? 4 },
  );
  const recovery =
    opts.recovery === false
      ? undefined
      : startRecovery(db, inbound, logger, rt.clock, opts.recovery ?? { graceMs: 60_000, intervalMs: 30_000 });

  const retention =
    opts.retention === false
      ? undefined
      : startRetention(
          db,
          logger,
          rt.clock,
          opts.retention ?? { retentionDays: rt.config.webhookRetentionDays, intervalMs: 3_600_000 },
        );

  const live = registerOutbound(rt, channels, endpoints, logger, opts.outbound);

  return {
    async close() {
      await live.close();
      await recovery?.stop();
      await retention?.stop();
      channels.close();
    },
  };
}
