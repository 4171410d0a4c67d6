import { MemoryQueue } from './memory.queue';
import type { Queue, QueueDriver } from './queue.port';
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  assertQueueName,
  consoleLogger,
  settlesWithin,
  type QueueLogger,
} from './queue.policy';

export interface MemoryQueueDriverOptions {
  /** Where unfinished jobs are handed over between a graceful close and the next start. */
  persistDir?: string;
  logger?: QueueLogger;
}

export function createMemoryQueueDriver(opts: MemoryQueueDriverOptions = {}): QueueDriver {
  const logger = opts.logger ?? consoleLogger;
  const queues = new Map<string, MemoryQueue<unknown>>();
  let closed = false;

  return {
    kind: 'memory',

    queue<T>(name: string): Queue<T> {
      if (closed) throw new Error('queue driver is closed');
      let queue = queues.get(name);
      if (!queue) {
        assertQueueName(name);
        queue = new MemoryQueue<unknown>(name, { persistDir: opts.persistDir, logger });
        queues.set(name, queue);
      }
      // One instance per name so producer and consumer share it; the registry cannot know T.
      return queue as unknown as Queue<T>;
    },

    async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
      if (closed) return;
      closed = true;
      const all = [...queues.values()];
      for (const queue of all) queue.beginClose();
      const finished = await settlesWithin(Promise.all(all.map((q) => q.inFlight())), timeoutMs);
      if (!finished) {
        logger.warn({ timeoutMs }, 'memory queue close timed out: in-flight jobs kept as unfinished');
      }
      for (const queue of all) queue.finishClose();
    },
  };
}
