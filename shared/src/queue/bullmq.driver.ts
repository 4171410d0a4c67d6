import { Redis } from 'ioredis';
import { BullmqQueue } from './bullmq.queue';
import type { Queue, QueueDriver } from './queue.port';
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  assertQueueName,
  consoleLogger,
  settlesWithin,
  type QueueLogger,
} from './queue.policy';

export interface BullmqQueueDriverOptions {
  redisUrl: string;
  /** Redis key prefix (BullMQ's default is "bull"); tests use a unique one per run. */
  prefix?: string;
  logger?: QueueLogger;
}

export function createBullmqQueueDriver(opts: BullmqQueueDriverOptions): QueueDriver {
  const logger = opts.logger ?? consoleLogger;
  const prefix = opts.prefix ?? 'bull';
  // ioredis' default maxRetriesPerRequest (20) makes add() fail while Redis is down instead of
  // hanging, so a webhook answers 5xx and the platform re-delivers.
  const producer = new Redis(opts.redisUrl);
  const workerConnection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  producer.on('error', (err) => logger.warn({ err }, 'queue redis connection error'));
  workerConnection.on('error', (err) => logger.warn({ err }, 'queue redis connection error'));
  const queues = new Map<string, BullmqQueue<unknown>>();
  let closed = false;

  return {
    kind: 'bullmq',

    queue<T>(name: string): Queue<T> {
      if (closed) throw new Error('queue driver is closed');
      let queue = queues.get(name);
      if (!queue) {
        assertQueueName(name);
        queue = new BullmqQueue<unknown>(name, { producer, workerConnection, prefix, logger });
        queues.set(name, queue);
      }
      // One instance per name so there is one worker per queue; the registry cannot know T.
      return queue as unknown as Queue<T>;
    },

    async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
      if (closed) return;
      closed = true;
      const all = [...queues.values()];
      const drained = await settlesWithin(Promise.all(all.map((q) => q.closeWorker())), timeoutMs);
      if (!drained) {
        logger.warn({ timeoutMs }, 'bullmq close timed out: in-flight jobs will be retried as stalled');
        await Promise.all(all.map((q) => q.forceCloseWorker()));
      }
      await Promise.all(all.map((q) => q.closeQueue()));
      await producer.quit().catch(() => producer.disconnect());
      workerConnection.disconnect();
    },
  };
}
