import { channelCredentialsKey } from '@hub/shared/crypto';
import { ChannelCache, INBOUND_QUEUE, type InboundJobData } from '@hub/shared/domain';
import type { Runtime } from '@hub/shared/runtime';
import type { ServiceParts } from '@hub/shared/service';
import { webhookRoutes } from './webhook.routes';

/** Webhook ingestion: verify, enqueue, answer (see README.md for the durability split). */
export function buildIngest(rt: Runtime): ServiceParts {
  const channels = new ChannelCache(rt.database.db, channelCredentialsKey(rt.config.encryptionKey), { bus: rt.bus });
  const router = webhookRoutes({
    db: rt.database.db,
    channels,
    inbound: rt.queues.queue<InboundJobData>(INBOUND_QUEUE),
    logFirst: rt.queues.kind === 'memory',
    logger: rt.logger.child({ service: 'ingest' }),
    clock: rt.clock,
  });
  return {
    mount(app) {
      app.use(router);
    },
    async close() {
      channels.close();
    },
  };
}
