import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { realDriversAvailable, TEST_REDIS_URL } from '../testing';
import { createMemoryPresenceStore, createRedisPresenceStore, type PresenceStore } from './presence.store';
import { createMemoryReplayLog, seedSeq, type ReplayLog, type ResolvedMessage } from './replay-log';
import { createRedisReplayLog } from './replay-log.redis';

// One contract, two implementations: what the gateway relies on from the replay log and the
// presence store holds in memory (embedded) and on Redis (scaled).

const redisClients: Redis[] = [];
const redis = () => {
  const r = new Redis(TEST_REDIS_URL);
  redisClients.push(r);
  return r;
};
afterAll(async () => {
  await Promise.all(redisClients.map((r) => r.quit()));
});

const event = (workspaceId: string, text: string): ResolvedMessage => {
  const conversationId = randomUUID();
  return {
    type: 'message:created',
    workspaceId,
    payload: {
      conversationId,
      message: {
        id: randomUUID(),
        conversationId,
        direction: 'in',
        type: 'text',
        text,
        media: null,
        status: 'received',
        providerMessageId: null,
        error: null,
        createdAt: new Date(0).toISOString(),
        editedAt: null,
        details: { list: [] },
        replyToProviderMessageId: null,
      },
    },
    meta: { conversationId, assigneeId: null },
  };
};
const texts = (r: Awaited<ReturnType<ReplayLog['readAfter']>>) =>
  r.kind === 'ok' ? r.events.map((e) => ('message' in e.payload ? e.payload.message.text : '')) : r;

type LogFactory = (opts: { size?: number; now?: () => number; prefix?: string }) => ReplayLog;
const logs: [string, LogFactory, boolean][] = [
  ['memory', (o) => createMemoryReplayLog(o), false],
  [
    'redis',
    (o) =>
      createRedisReplayLog({
        redis: redis(),
        keyPrefix: o.prefix ?? `hubtest-${randomBytes(4).toString('hex')}`,
        ...(o.size ? { size: o.size } : {}),
        ...(o.now ? { now: o.now } : {}),
      }),
    !realDriversAvailable,
  ],
];

for (const [name, make, skip] of logs) {
  describe.skipIf(skip)(`ReplayLog [${name}]`, () => {
    it('numbers events contiguously from a time-based start and reads them back in order', async () => {
      const log = make({ now: () => 1_700_000_000_000 });
      const ws = randomUUID();
      const head = await log.head(ws);
      expect(head).toBe(seedSeq(1_700_000_000_000));
      const a = await log.append(event(ws, 'a'));
      const b = await log.append(event(ws, 'b'));
      const c = await log.append(event(ws, 'c'));
      expect([a.seq, b.seq, c.seq]).toEqual([head + 1, head + 2, head + 3]);
      expect(texts(await log.readAfter(ws, head))).toEqual(['a', 'b', 'c']);
      expect(texts(await log.readAfter(ws, a.seq, b.seq))).toEqual(['b']);
      expect(texts(await log.readAfter(ws, c.seq))).toEqual([]);
      // The event comes back as it went in (empty arrays included).
      const read = await log.readAfter(ws, a.seq, b.seq);
      expect(read).toEqual({ kind: 'ok', events: [b] });
    });

    it('keeps workspaces apart', async () => {
      const log = make({});
      const [ws1, ws2] = [randomUUID(), randomUUID()];
      const h1 = await log.head(ws1);
      await log.append(event(ws1, 'one'));
      await log.append(event(ws2, 'two'));
      expect(texts(await log.readAfter(ws1, h1))).toEqual(['one']);
    });

    it('answers gap_too_old once events are trimmed, and seq_unknown beyond the head', async () => {
      const log = make({ size: 5 });
      const ws = randomUUID();
      const head = await log.head(ws);
      // Redis trims whole stream nodes (MAXLEN ~): write enough to fill several.
      for (let i = 0; i < 300; i++) await log.append(event(ws, `e${i}`));
      expect(await log.readAfter(ws, head)).toEqual({ kind: 'gap', reason: 'gap_too_old' });
      expect(texts(await log.readAfter(ws, head + 297))).toEqual(['e297', 'e298', 'e299']);
      expect(await log.readAfter(ws, head + 301)).toEqual({ kind: 'gap', reason: 'seq_unknown' });
    });

    it('appends many in order, across workspaces, and skips an event whose once-key was used', async () => {
      const log = make({});
      const [ws1, ws2] = [randomUUID(), randomUUID()];
      const [h1, h2] = [await log.head(ws1), await log.head(ws2)];
      const first = await log.appendMany([
        { event: event(ws1, 'a'), onceKey: `k-${ws1}-a` },
        { event: event(ws2, 'x') },
        { event: event(ws1, 'b') },
      ]);
      expect(first.map((e) => e?.seq)).toEqual([h1 + 1, h2 + 1, h1 + 2]);
      // A retry re-announces 'a' (skipped: its key was used) and 'c' (new).
      const retry = await log.appendMany([
        { event: event(ws1, 'a'), onceKey: `k-${ws1}-a` },
        { event: event(ws1, 'c'), onceKey: `k-${ws1}-c` },
      ]);
      expect(retry.map((e) => e?.seq ?? null)).toEqual([null, h1 + 3]);
      expect(texts(await log.readAfter(ws1, h1))).toEqual(['a', 'b', 'c']);
      expect(texts(await log.readAfter(ws2, h2))).toEqual(['x']);
    });

    it('starts above old numbers after a reset, so an old lastSeq reads as too old', async () => {
      const ws = randomUUID();
      let now = 1_700_000_000_000;
      const before = make({ now: () => now });
      const old = await before.append(event(ws, 'old'));
      now += 1;
      const after = make({ now: () => now });
      const fresh = await after.append(event(ws, 'fresh'));
      expect(fresh.seq).toBeGreaterThan(old.seq);
      expect(await after.readAfter(ws, old.seq)).toEqual({ kind: 'gap', reason: 'gap_too_old' });
    });
  });
}

describe.skipIf(!realDriversAvailable)('ReplayLog [redis] publishing what it stores', () => {
  it('publishes each stored event as its envelope, in order, and nothing for a skipped one', async () => {
    const prefix = `hubtest-${randomBytes(4).toString('hex')}`;
    const channel = `${prefix}:realtime`;
    const log = createRedisReplayLog({ redis: redis(), keyPrefix: prefix });
    const sub = redis();
    const got: unknown[] = [];
    sub.on('message', (_c: string, raw: string) => got.push(JSON.parse(raw)));
    await sub.subscribe(channel);
    const ws = randomUUID();
    const head = await log.head(ws);
    const [a, b] = [event(ws, 'a'), event(ws, 'b')];
    const seqs = await log.appendAndPublish!(
      [{ event: a, onceKey: `once-${ws}` }, { event: b }, { event: a, onceKey: `once-${ws}` }],
      channel,
    );
    expect(seqs).toEqual([head + 1, head + 2, null]);
    for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([
      { ...a, seq: head + 1 },
      { ...b, seq: head + 2 },
    ]);
    expect(await log.readAfter(ws, head)).toEqual({
      kind: 'ok',
      events: [
        { ...a, seq: head + 1 },
        { ...b, seq: head + 2 },
      ],
    });
  });
});

describe.skipIf(!realDriversAvailable)('ReplayLog [redis] shared by two processes', () => {
  it('hands out one sequence to every process on the same prefix', async () => {
    const prefix = `hubtest-${randomBytes(4).toString('hex')}`;
    const [p1, p2] = [
      createRedisReplayLog({ redis: redis(), keyPrefix: prefix }),
      createRedisReplayLog({ redis: redis(), keyPrefix: prefix }),
    ];
    const ws = randomUUID();
    const head = await p1.head(ws);
    const seqs = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? p1 : p2).append(event(ws, `x${i}`))));
    expect(seqs.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => head + 1 + i));
    const read = await p2.readAfter(ws, head);
    expect(read.kind === 'ok' && read.events.map((e) => e.seq)).toEqual(seqs.map((e) => e.seq).sort((a, b) => a - b));
  });
});

type PresenceFactory = (now: () => number) => PresenceStore;
const presences: [string, PresenceFactory, boolean][] = [
  ['memory', () => createMemoryPresenceStore(), false],
  [
    'redis',
    (now) =>
      createRedisPresenceStore({
        redis: redis(),
        keyPrefix: `hubtest-${randomBytes(4).toString('hex')}`,
        ttlMs: 1000,
        now,
      }),
    !realDriversAvailable,
  ],
];

for (const [name, make, skip] of presences) {
  describe.skipIf(skip)(`PresenceStore [${name}]`, () => {
    it('is online from the first connection to the last, and keeps the status set on top', async () => {
      const store = make(() => 1_000);
      const ws = randomUUID();
      const tab = (connId: string) => ({ workspaceId: ws, userId: 'u1', connId });
      expect(await store.connect(tab('c1'))).toBe(true);
      expect(await store.connect(tab('c2'))).toBe(false);
      expect(await store.setStatus(ws, 'u1', 'away')).toBe(true);
      expect(await store.setStatus(ws, 'u1', 'away')).toBe(false);
      expect(await store.list(ws)).toEqual({ online: [{ userId: 'u1', status: 'away' }], expired: [] });
      expect(await store.disconnect(tab('c1'))).toBe(false);
      expect(await store.disconnect(tab('c2'))).toBe(true);
      expect(await store.disconnect(tab('c2'))).toBe(false);
      expect(await store.setStatus(ws, 'u1', 'online')).toBe(false);
      expect(await store.list(ws)).toEqual({ online: [], expired: [] });
      // Back online: fresh status.
      expect(await store.connect(tab('c3'))).toBe(true);
      expect((await store.list(ws)).online).toEqual([{ userId: 'u1', status: 'online' }]);
    });
  });
}

describe.skipIf(!realDriversAvailable)('PresenceStore [redis] connections of a crashed gateway', () => {
  it('expire without a heartbeat and are reported offline exactly once', async () => {
    let now = 10_000;
    const store = createRedisPresenceStore({
      redis: redis(),
      keyPrefix: `hubtest-${randomBytes(4).toString('hex')}`,
      ttlMs: 1000,
      now: () => now,
    });
    const ws = randomUUID();
    const alive = { workspaceId: ws, userId: 'alive', connId: 'a' };
    await store.connect({ workspaceId: ws, userId: 'crashed', connId: 'x' });
    await store.connect(alive);
    now += 800;
    expect(await store.heartbeat([alive])).toEqual([]);
    now += 800;
    expect(await store.list(ws)).toEqual({ online: [{ userId: 'alive', status: 'online' }], expired: ['crashed'] });
    expect((await store.list(ws)).expired).toEqual([]);
    // A heartbeat from a connection that had been swept brings its user back (and says so).
    now += 5000;
    expect((await store.list(ws)).expired).toEqual(['alive']);
    expect(await store.heartbeat([alive])).toEqual([alive]);
  });
});
