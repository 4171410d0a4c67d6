import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { channelCredentialsKey } from '../src/crypto';
import type { Db } from '../src/db';
import { ChannelCache, CHANNEL_CHANGED, publishChannelChanged, sealCredentials } from '../src/domain';
import type { Runtime } from '../src/runtime';
import { createTestRuntime, describeDrivers } from '../src/testing';

// The channel cache through a database outage: a channel loaded once is served on when its
// entry expires and the reload fails; one never loaded, or dropped by 'channel:changed', fails.
// The outage is the runtime's database closed under the cache (each test has its own runtime).

async function insertChannel(rt: Runtime): Promise<string> {
  const db: Db = rt.database.db;
  const ws = await db
    .insertInto('workspaces')
    .values({ name: 'cache', settings: {} })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = randomUUID();
  await db
    .insertInto('channels')
    .values({
      id,
      workspace_id: ws.id,
      type: 'telegram',
      name: 'cache',
      external_id: '4242',
      credentials: sealCredentials(channelCredentialsKey(rt.config.encryptionKey), id, {
        botToken: '4242:token',
        secretToken: 'secret',
      }),
    })
    .execute();
  return id;
}

/** A runtime, a cache on it with a clock the test moves, and one channel in the database. */
async function setUp(set: Parameters<typeof createTestRuntime>[0]) {
  const rt = await createTestRuntime(set);
  let now = 1_000_000;
  const cache = new ChannelCache(rt.database.db, channelCredentialsKey(rt.config.encryptionKey), {
    bus: rt.bus,
    ttlMs: 30_000,
    retryMs: 1_000,
    now: () => now,
  });
  const id = await insertChannel(rt);
  return {
    rt,
    cache,
    id,
    advance: (ms: number) => (now += ms),
    async cleanup() {
      cache.close();
      await rt.cleanup();
    },
  };
}

describeDrivers(
  'ChannelCache',
  async () => ({ cleanup: async () => undefined }),
  (_get, set) => {
    it('serves the last loaded channel while reloads fail; an id never loaded fails', async () => {
      const t = await setUp(set);
      try {
        expect((await t.cache.get(t.id))?.id).toBe(t.id);
        await t.rt.database.close(); // the outage
        t.advance(31_000);
        expect((await t.cache.get(t.id))?.id).toBe(t.id);
        t.advance(2_000);
        expect((await t.cache.get(t.id))?.id).toBe(t.id);
        // Never loaded: nothing to serve, the lookup fails.
        await expect(t.cache.get(randomUUID())).rejects.toThrow();
      } finally {
        await t.cleanup();
      }
    });

    it('keeps answering from a live entry and reloads after the TTL when the database is up', async () => {
      const t = await setUp(set);
      try {
        expect((await t.cache.get(t.id))?.name).toBe('cache');
        await t.rt.database.db.updateTable('channels').set({ name: 'renamed' }).where('id', '=', t.id).execute();
        expect((await t.cache.get(t.id))?.name).toBe('cache');
        t.advance(31_000);
        expect((await t.cache.get(t.id))?.name).toBe('renamed');
        // Deleted in the database: after the TTL it is gone, and no copy is kept for an outage.
        await t.rt.database.db.updateTable('channels').set({ deleted_at: new Date() }).where('id', '=', t.id).execute();
        t.advance(31_000);
        expect(await t.cache.get(t.id)).toBeUndefined();
        await t.rt.database.close();
        t.advance(31_000);
        await expect(t.cache.get(t.id)).rejects.toThrow();
      } finally {
        await t.cleanup();
      }
    });

    it("drops the entry at once on 'channel:changed', with no stale copy to fall back on", async () => {
      const t = await setUp(set);
      try {
        expect((await t.cache.get(t.id))?.id).toBe(t.id);
        // Subscribed after the cache: when this hears the message, the cache has too.
        const heard = new Promise<void>((resolve) => {
          const off = t.rt.bus.subscribe((m) => {
            if (m.type !== CHANNEL_CHANGED) return;
            off();
            resolve();
          });
        });
        const ws = (await t.cache.get(t.id))!.workspaceId;
        await publishChannelChanged(t.rt.bus, ws, t.id);
        await heard;
        await t.rt.database.close();
        // Not expired, yet dropped: the next lookup goes to the (unreachable) database.
        await expect(t.cache.get(t.id)).rejects.toThrow();
      } finally {
        await t.cleanup();
      }
    });
  },
);
