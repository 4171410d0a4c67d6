import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, Migrator, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite.dialect';
import { migrations } from './migrations';
import type { DB } from './schema';

export type { DB } from './schema';
export * from './schema';
export { sql };

export type Db = Kysely<DB>;
export type Trx = Transaction<DB>;
export type DbOrTrx = Kysely<DB> | Transaction<DB>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

// pg returns int8 (count(*), bigint ids, money in minor units) as strings, PGlite as numbers:
// normalise once here so every query sees numbers on both drivers.
pg.types.setTypeParser(20, (v) => Number(v));

export interface DatabaseOptions {
  /** postgres://… → pg; undefined → PGlite */
  url?: string | undefined;
  /** PGlite data directory; 'memory://' for an in-memory database */
  dataDir?: string;
  poolSize?: number;
  onIdleError?: (err: Error) => void;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // A lost connection (server restart or outage, an admin's kill, a test's DROP DATABASE …
    // WITH (FORCE)) is emitted as an 'error' event, and an 'error' event nobody hears crashes
    // the process. Two places emit it:
    // - an idle client's error is re-emitted on the pool, which has already dropped the client
    //   (the next query connects anew);
    pool.on('error', (err) => opts.onIdleError?.(err));
    // - a checked-out client (a query in flight, a transaction between statements) emits it on
    //   itself, where pg-pool listens only while the client is idle. Its queries already fail
    //   with that error, and the pool discards the client when it is released.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    // Fail fast with a clear error when the server is not there.
    await sql`select 1`.execute(db);
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const dataDir = opts.dataDir ?? 'memory://';
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const lite = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(lite) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

export function embeddedDataDir(hubDataDir: string): string {
  return join(hubDataDir, 'pglite');
}

export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? '');
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${cause}`);
  }
}
