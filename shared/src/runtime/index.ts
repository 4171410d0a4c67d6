import { join } from 'node:path';
import type { Config } from '../config';
import { embeddedDataDir, migrateToLatest, openDatabase, type Database } from '../db';
import { createQueueDriver, type QueueDriver } from '../queue';
import { createBus, type RealtimeBus } from '../bus';
import { createLogger, type Logger } from '../logger';
import { createRealtime, createSequencedBus, findConversationAssignee, type Realtime } from '../realtime';

// The drivers every service gets: chosen by config, the same code on top of either set.

export interface Runtime {
  config: Config;
  database: Database;
  queues: QueueDriver;
  /** Sequenced: message:* and conversation:* events get a per-workspace seq and a replay-log entry. */
  bus: RealtimeBus;
  /** Replay log and presence shared by all processes (memory embedded, Redis scaled). */
  realtime: Realtime;
  logger: Logger;
  clock: () => Date;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Redis key prefix for queues (tests isolate runs with it). */
  queuePrefix?: string;
  /** Redis pub/sub channel for the bus. */
  busChannel?: string;
  /** Redis key prefix for the realtime sequence, replay log and presence (default 'hub'). */
  realtimePrefix?: string;
  /** Override PGlite's data dir ('memory://' in tests). */
  pgliteDir?: string;
  logger?: Logger;
  migrate?: boolean;
}

export async function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: opts.pgliteDir ?? embeddedDataDir(config.dataDir),
    onIdleError: (err) => logger.warn({ err: err.message }, 'idle database connection lost'),
  });
  if (opts.migrate !== false) await migrateToLatest(database.db);
  const queues = createQueueDriver({
    redisUrl: config.redisUrl,
    persistDir: join(config.dataDir, 'queue'),
    ...(opts.queuePrefix ? { prefix: opts.queuePrefix } : {}),
    logger,
  });
  const innerBus = await createBus({
    redisUrl: config.redisUrl,
    ...(opts.busChannel ? { channel: opts.busChannel } : {}),
  });
  const realtime = createRealtime({
    redisUrl: config.redisUrl,
    ...(opts.realtimePrefix ? { keyPrefix: opts.realtimePrefix } : {}),
    logger,
  });
  const bus = createSequencedBus(innerBus, {
    log: realtime.log,
    resolveAssignee: (workspaceId, conversationId) =>
      findConversationAssignee(database.db, workspaceId, conversationId),
    logger,
    // Both on config.redisUrl when scaled.
    publishThroughLog: innerBus.kind === 'redis' && realtime.kind === 'redis',
  });
  let closed = false;
  return {
    config,
    database,
    queues,
    bus,
    realtime,
    logger,
    clock: () => new Date(),
    async close() {
      if (closed) return;
      closed = true;
      // Order matters: stop taking jobs (in-flight ones finish and may still write), then
      // the bus, then the pool.
      await queues.close(10_000);
      await bus.close();
      await realtime.close();
      await database.close();
    },
  };
}
