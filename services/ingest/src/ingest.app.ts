import { channelCredentialsKey } from '@hub/shared/crypto';
import { ChannelCache, INBOUND_QUEUE, type InboundJobData } from '@hub/shared/domain';
import type { Runtime } from '@hub/shared/runtime';
import type { ServiceParts } from '@hub/shared/service';
import { AddBatcher } from './add-batcher';
import { putInFront, webhookFrontDoor } from './front-door';
import type { WebhookDeps } from './webhook.receive';
import { webhookRoutes } from './webhook.routes';

/** Webhook ingestion: verify, enqueue, answer (see README.md for the durability split). */
export function buildIngest(rt: Runtime): ServiceParts {
  const channels = new ChannelCache(rt.database.db, channelCredentialsKey(rt.config.encryptionKey), { bus: rt.bus });
  const queue = rt.queues.queue<InboundJobData>(INBOUND_QUEUE);
  const logFirst = rt.queues.kind === 'memory';
  const deps: WebhookDeps = {
    db: rt.database.db,
    channels,
    // BullMQ: one addBulk per event-loop turn. The in-process queue has no round trip to save.
    inbound: logFirst ? queue : new AddBatcher(queue),
    logFirst,
    logger: rt.logger.child({ service: 'ingest' }),
    clock: rt.clock,
  };
  return {
    mount(app) {
      app.use(webhookRoutes(deps));
    },
    attach(server) {
      putInFront(server, webhookFrontDoor(deps));
    },
    async close() {
      channels.close();
    },
  };
}
