import { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { createMemoryPresenceStore, createRedisPresenceStore, type PresenceStore } from './presence.store';
import { createMemoryReplayLog, type ReplayLog } from './replay-log';
import { createRedisReplayLog } from './replay-log.redis';

// Realtime state shared by every process of the hub: the per-workspace sequence + replay log
// (written by publishers through the runtime's bus, read by gateways) and agent presence
// (written by gateways, read by anyone, e.g. auto-assignment). In memory when embedded, on
// Redis when scaled; the runtime builds one and exposes it as `rt.realtime`.

export interface Realtime {
  readonly kind: 'memory' | 'redis';
  /** Prefix of this hub's Redis keys (gateways derive their adapter's stream names from it). */
  readonly keyPrefix: string;
  log: ReplayLog;
  presence: PresenceStore;
  /**
   * True for the first caller of `key` within `ttlMs`, across every process of the hub: lets
   * one of several workers do a job all of them noticed (e.g. a workspace's metrics push).
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface RealtimeOptions {
  redisUrl?: string | undefined;
  /** Redis key prefix (default 'hub'); tests isolate runs with it. */
  keyPrefix?: string;
  /** Events kept per workspace for replay (default 10,000). */
  logSize?: number;
  logger?: Logger;
}

export function createRealtime(opts: RealtimeOptions = {}): Realtime {
  const keyPrefix = opts.keyPrefix ?? 'hub';
  if (!opts.redisUrl) {
    const claims = new Map<string, number>();
    return {
      kind: 'memory',
      async claim(key, ttlMs) {
        const now = Date.now();
        if ((claims.get(key) ?? 0) > now) return false;
        claims.set(key, now + ttlMs);
        return true;
      },
      keyPrefix,
      log: createMemoryReplayLog({ ...(opts.logSize ? { size: opts.logSize } : {}) }),
      presence: createMemoryPresenceStore(),
      async close() {},
    };
  }
  // Lazy: processes that never publish a sequenced event nor touch presence never connect.
  const redis = new Redis(opts.redisUrl, { lazyConnect: true });
  redis.on('error', (err) => opts.logger?.warn({ err }, 'realtime redis error'));
  return {
    kind: 'redis',
    keyPrefix,
    log: createRedisReplayLog({ redis, keyPrefix, ...(opts.logSize ? { size: opts.logSize } : {}) }),
    presence: createRedisPresenceStore({ redis, keyPrefix }),
    async claim(key, ttlMs) {
      return (await redis.set(`${keyPrefix}:claim:${key}`, '1', 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK';
    },
    async close() {
      if (redis.status === 'wait' || redis.status === 'end') redis.disconnect();
      else await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export * from './events';
export * from './replay-log';
export * from './presence.store';
export * from './sequenced-bus';
export * from './publisher';
export { findConversationAssignee } from './realtime.repository';
