import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgProxy } from '../../infra/chaos/pg-proxy';
import { viaPort } from '../../infra/load/layout/servers';
import { channelCredentialsKey } from '../src/crypto';
import { migrateToLatest, openDatabase, sql, type Database } from '../src/db';
import { ChannelCache, sealCredentials } from '../src/domain';
import { createTestDatabase, realDriversAvailable } from '../src/testing';

// PostgreSQL going away under a running process (as `npm run chaos` does it: a TCP proxy that
// cuts every connection and refuses new ones): the queries of that moment fail, the process
// lives on, and the pool serves again once the server is back.

const KEY = channelCredentialsKey('test-encryption-key-0123456789abcdef');
const settle = () => new Promise((r) => setTimeout(r, 200));

describe.skipIf(!realDriversAvailable)('PostgreSQL outage [postgres]', () => {
  let target: { url: string; drop(): Promise<void> };
  let proxy: PgProxy;
  let database: Database;

  beforeAll(async () => {
    target = await createTestDatabase();
    const server = new URL(target.url);
    proxy = await new PgProxy({ host: server.hostname, port: Number(server.port || 5432) }).up();
    database = await openDatabase({ url: viaPort(target.url, proxy.port) });
    await migrateToLatest(database.db);
  });

  afterAll(async () => {
    await database?.close();
    await proxy?.down();
    await target?.drop();
  });

  it('fails the transaction whose connection is cut, without crashing, and serves again afterwards', async () => {
    const inTransaction = database.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      // The connection is cut while this transaction holds it, between two statements.
      await proxy.down();
      await settle();
      await sql`select 1`.execute(trx);
    });
    await expect(inTransaction).rejects.toThrow();
    await proxy.up();
    const inFlight = sql`select pg_sleep(5)`.execute(database.db);
    await settle();
    await proxy.down();
    await expect(inFlight).rejects.toThrow();
    await expect(sql`select 1`.execute(database.db)).rejects.toThrow(); // refused while down
    await proxy.up();
    const { rows } = await sql<{ n: number }>`select 1 as n`.execute(database.db);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('serves a cached channel through the outage and reloads it once the server is back', async () => {
    const db = database.db;
    const ws = await db
      .insertInto('workspaces')
      .values({ name: 'outage', settings: {} })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = randomUUID();
    await db
      .insertInto('channels')
      .values({
        id,
        workspace_id: ws.id,
        type: 'telegram',
        name: 'before',
        external_id: '4242',
        credentials: sealCredentials(KEY, id, { botToken: '4242:token', secretToken: 'secret' }),
      })
      .execute();
    let now = 0;
    const cache = new ChannelCache(db, KEY, { ttlMs: 30_000, retryMs: 1_000, now: () => now });
    try {
      expect((await cache.get(id))?.name).toBe('before');
      await proxy.down();
      // Renamed meanwhile, straight on the server (not through the proxy).
      const direct = await openDatabase({ url: target.url });
      await direct.db.updateTable('channels').set({ name: 'after' }).where('id', '=', id).execute();
      await direct.close();
      now += 31_000;
      expect((await cache.get(id))?.name).toBe('before');
      await proxy.up();
      expect((await cache.get(id))?.name).toBe('before'); // until the retry is due
      now += 1_000;
      expect((await cache.get(id))?.name).toBe('after');
    } finally {
      cache.close();
    }
  });
});
