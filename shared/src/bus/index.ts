import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';

// The realtime bus carries "something changed" events from whoever commits them (worker, API)
// to whoever holds sockets (gateway). In-process in embedded mode; Redis pub/sub when scaled,
// so a worker process reaches sockets held by any gateway process.

export interface BusMessage {
  /** e.g. 'message:created', 'conversation:updated' */
  type: string;
  workspaceId: string;
  payload: unknown;
}

export type BusHandler = (msg: BusMessage) => void;

export interface RealtimeBus {
  readonly kind: 'memory' | 'redis';
  /** The Redis pub/sub channel (scaled): the replay log may publish on it directly. */
  readonly channel?: string;
  publish(msg: BusMessage): Promise<void>;
  /**
   * Publishes in order; scaled, in one round trip. onceKeys only mean something to the
   * runtime's sequenced bus (../realtime/sequenced-bus.ts), which keeps the replay log.
   */
  publishMany(msgs: BusMessage[], opts?: { onceKeys?: (string | undefined)[] }): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(handler: BusHandler): () => void;
  close(): Promise<void>;
}

export function createMemoryBus(): RealtimeBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'memory',
    async publish(msg) {
      emitter.emit('msg', msg);
    },
    async publishMany(msgs) {
      for (const msg of msgs) emitter.emit('msg', msg);
    },
    subscribe(handler) {
      emitter.on('msg', handler);
      return () => emitter.off('msg', handler);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

export function createRedisBus(opts: { redisUrl: string; channel?: string }): RealtimeBus {
  const channel = opts.channel ?? 'hub:realtime';
  const pub = new Redis(opts.redisUrl, { lazyConnect: false });
  let sub: Redis | undefined;
  const handlers = new Set<BusHandler>();
  const ensureSub = () => {
    if (sub) return;
    sub = new Redis(opts.redisUrl);
    void sub.subscribe(channel);
    sub.on('message', (_ch: string, raw: string) => {
      const msg = JSON.parse(raw) as BusMessage;
      for (const h of handlers) h(msg);
    });
  };
  return {
    kind: 'redis',
    channel,
    async publish(msg) {
      await pub.publish(channel, JSON.stringify(msg));
    },
    async publishMany(msgs) {
      if (msgs.length === 0) return;
      const pipe = pub.pipeline();
      for (const msg of msgs) pipe.publish(channel, JSON.stringify(msg));
      for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
    },
    subscribe(handler) {
      ensureSub();
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {
      handlers.clear();
      await Promise.all([pub.quit(), sub?.quit()]);
    },
  };
}

/** Waits until a Redis subscriber is ready (tests publish right after subscribing). */
export async function createBus(opts: { redisUrl?: string | undefined; channel?: string }): Promise<RealtimeBus> {
  return opts.redisUrl
    ? createRedisBus({ redisUrl: opts.redisUrl, ...(opts.channel ? { channel: opts.channel } : {}) })
    : createMemoryBus();
}
