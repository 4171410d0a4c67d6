import { createBullmqQueueDriver } from './bullmq.driver';
import { createMemoryQueueDriver } from './memory.driver';
import type { QueueDriver } from './queue.port';
import type { QueueLogger } from './queue.policy';

export * from './queue.port';
export { Batcher, type BatcherOptions, type BatchRunner } from './batcher';
export type { QueueLogger } from './queue.policy';
export { createBullmqQueueDriver, type BullmqQueueDriverOptions } from './bullmq.driver';
export { createMemoryQueueDriver, type MemoryQueueDriverOptions } from './memory.driver';

export interface QueueDriverOptions {
  /** Set: BullMQ on Redis. Unset: the in-process driver (embedded mode). */
  redisUrl?: string;
  /** Memory driver only: where unfinished jobs wait between a graceful close and the next start. */
  persistDir?: string;
  /** BullMQ driver only: Redis key prefix. */
  prefix?: string;
  logger?: QueueLogger;
}

export function createQueueDriver(opts: QueueDriverOptions = {}): QueueDriver {
  const { redisUrl, persistDir, prefix, logger } = opts;
  return redisUrl
    ? createBullmqQueueDriver({ redisUrl, prefix, logger })
    : createMemoryQueueDriver({ persistDir, logger });
}
