// Shared by the queue contract and shutdown suites: which drivers run, and Redis upkeep.
import { Redis } from 'ioredis';
import type { QueueLogger } from '../src/queue/index';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export type DriverKind = 'memory' | 'bullmq';

export function uniquePrefix(suite: string): string {
  return `test-${suite}-${process.pid}-${Date.now().toString(36)}`;
}

export async function redisReachable(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * The bullmq suites need a real Redis. Locally a missing Redis only skips them (with a
 * warning); in CI it must fail, or a broken service container would pass silently.
 */
export async function bullmqAvailability(suite: string): Promise<{ run: boolean; failure?: string }> {
  if (await redisReachable(REDIS_URL)) return { run: true };
  if (process.env.CI) {
    return {
      run: false,
      failure: `real Redis not reachable at ${REDIS_URL}; CI is set, so the bullmq ${suite} suite must run`,
    };
  }
  console.warn(`real Redis not reachable at ${REDIS_URL}; skipping bullmq ${suite} suite`);
  return { run: false };
}

export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/** Keeps expected shutdown warnings out of the output; anything else is still shown. */
export const testLogger: QueueLogger = {
  warn(obj, msg) {
    if (msg?.includes('unfinished jobs dropped') || msg?.includes('close timed out')) return;
    console.warn(msg, obj);
  },
};

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
