import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { loadConfig, type Config } from '../config';
import { startService, type RunningService, type ServiceParts } from '../service';
import type { Runtime } from '../runtime';
import { createRuntime } from '../runtime';
import { createLogger } from '../logger';

// Integration tests run the same suite on both driver sets: embedded (PGlite + in-process
// queue + in-process bus) and real (PostgreSQL + BullMQ/Redis + Redis bus). Real servers that
// are not reachable skip their suite with a line saying so — unless CI is set, where that fails.

export const TEST_PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

async function probeReal(): Promise<string | undefined> {
  const [pgOk, redisOk] = await Promise.all([reachable(TEST_PG_ADMIN_URL), reachable(TEST_REDIS_URL)]);
  const missing = [!pgOk && `PostgreSQL at ${TEST_PG_ADMIN_URL}`, !redisOk && `Redis at ${TEST_REDIS_URL}`].filter(
    Boolean,
  );
  return missing.length ? missing.join(' and ') : undefined;
}

const missingReal = await probeReal();
if (missingReal && process.env.CI) {
  throw new Error(`CI is set but ${missingReal} is not reachable: the real-driver suites must run in CI`);
}
if (missingReal) console.warn(`[tests] ${missingReal} not reachable: skipping the real-driver suites`);

export const realDriversAvailable = missingReal === undefined;

export type DriverSetName = 'embedded' | 'postgres+redis';
export const driverSets: DriverSetName[] = ['embedded', 'postgres+redis'];

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hub_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestEnv {
  set: DriverSetName;
  config: Config;
  /** Options for createRuntime/startService that isolate this test file. */
  runtimeOptions: { queuePrefix: string; busChannel: string; realtimePrefix: string; pgliteDir: string };
  cleanup(): Promise<void>;
}

/** A config + isolation for one driver set. `env` adds or overrides variables. */
export async function createTestEnv(set: DriverSetName, env: Record<string, string> = {}): Promise<TestEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-test-'));
  const id = randomBytes(4).toString('hex');
  const base: Record<string, string> = {
    PORT: '0',
    HUB_DATA_DIR: dataDir,
    JWT_SECRET: 'test-jwt-secret-0123456789abcdef',
    HUB_ENCRYPTION_KEY: 'test-encryption-key-0123456789abcdef',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  };
  let drop: (() => Promise<void>) | undefined;
  if (set === 'postgres+redis') {
    const database = await createTestDatabase();
    drop = database.drop;
    base.DATABASE_URL = database.url;
    base.REDIS_URL = TEST_REDIS_URL;
  }
  const config = loadConfig({ ...base, ...env });
  return {
    set,
    config,
    runtimeOptions: {
      queuePrefix: `hubtest-${id}`,
      busChannel: `hubtest-${id}:realtime`,
      realtimePrefix: `hubtest-${id}`,
      pgliteDir: 'memory://',
    },
    async cleanup() {
      await drop?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function createTestRuntime(
  set: DriverSetName,
  env: Record<string, string> = {},
): Promise<Runtime & { cleanup(): Promise<void> }> {
  const te = await createTestEnv(set, env);
  const rt = await createRuntime(te.config, {
    ...te.runtimeOptions,
    logger: createLogger({ level: te.config.logLevel }),
  });
  return Object.assign(rt, {
    async cleanup() {
      await rt.close();
      await te.cleanup();
    },
  });
}

export async function startTestService(
  set: DriverSetName,
  build: (rt: Runtime) => Promise<ServiceParts> | ServiceParts,
  env: Record<string, string> = {},
  /**
   * Run on this TestEnv instead of a fresh one (same database, Redis prefix and bus channel):
   * several services of one scaled deployment. `env` is then ignored and the caller cleans it up.
   */
  sharedEnv?: TestEnv,
): Promise<RunningService & { cleanup(): Promise<void> }> {
  const te = sharedEnv ?? (await createTestEnv(set, env));
  const svc = await startService('test', te.config, build, { ...te.runtimeOptions, port: 0 });
  return Object.assign(svc, {
    async cleanup() {
      await svc.close();
      if (!sharedEnv) await te.cleanup();
    },
  });
}

/**
 * Runs `suite` once per driver set, titled "<title> [embedded]" and "<title> [postgres+redis]".
 * `get()` returns what `setup` built for the current set (available inside tests and hooks).
 */
export function describeDrivers<T extends { cleanup(): Promise<void> }>(
  title: string,
  setup: (set: DriverSetName) => Promise<T>,
  suite: (get: () => T, set: DriverSetName) => void,
): void {
  for (const set of driverSets) {
    const skip = set === 'postgres+redis' && !realDriversAvailable;
    describe.skipIf(skip)(`${title} [${set}]`, () => {
      let value: T | undefined;
      beforeAll(async () => {
        value = await setup(set);
      });
      afterAll(async () => {
        await value?.cleanup();
      });
      suite(() => {
        if (!value) throw new Error('setup has not run');
        return value;
      }, set);
    });
  }
}
