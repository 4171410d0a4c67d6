import { join } from 'node:path';
import type { Config } from '../config';
import { embeddedDataDir, migrateToLatest, openDatabase, type Database } from '../db';
import { createQueueDriver, type QueueDriver } from '../queue';
import { createBus, type RealtimeBus } from '../bus';
import { createLogger, type Logger } from '../logger';

// The drivers every service gets: chosen by config, the same code on top of either set.

export interface Runtime {
  config: Config;
  database: Database;
  queues: QueueDriver;
  bus: RealtimeBus;
  logger: Logger;
  clock: () => Date;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Redis key prefix for queues (tests isolate runs with it). */
  queuePrefix?: string;
  /** Redis pub/sub channel for the bus. */
  busChannel?: string;
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
  });
  if (opts.migrate !== false) await migrateToLatest(database.db);
  const queues = createQueueDriver({
    redisUrl: config.redisUrl,
    persistDir: join(config.dataDir, 'queue'),
    ...(opts.queuePrefix ? { prefix: opts.queuePrefix } : {}),
    logger,
  });
  const bus = await createBus({ redisUrl: config.redisUrl, ...(opts.busChannel ? { channel: opts.busChannel } : {}) });
  let closed = false;
  return {
    config,
    database,
    queues,
    bus,
    logger,
    clock: () => new Date(),
    async close() {
      if (closed) return;
      closed = true;
      // Order matters: stop taking jobs (in-flight ones finish and may still write), then
      // the bus, then the pool.
      await queues.close(10_000);
      await bus.close();
      await database.close();
    },
  };
}
