import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realDriversAvailable } from '@hub/shared/testing';
import { signMeta, startFakePlatforms, type FakePlatforms } from '../fake-platforms';
import { Histogram } from './histogram';
import { startLoadProcess, type LoadProcess } from './load.client';
import { startScaled, type ScaledLayout } from './layout/hub-layout';
import { createDatabase, RedisServer, stopStarted, type TempDatabase } from './layout/servers';
import { kindOf, webhookRequest } from './webhook-mix';
import pg from 'pg';

// The small variant of `npm run bench`, inside `npm test`: the same harness (scaled layout as
// separate processes, the load process, agent sockets, the socket fleet) asserting counts only
// — every acknowledged webhook stored once and seen once on every socket, every latency
// recorded — never a timing.

describe('Histogram', () => {
  it('answers percentiles within its bucket precision and survives JSON', () => {
    const h = new Histogram();
    for (let i = 1; i <= 10_000; i++) h.recordMs(i / 10); // 0.1 … 1000 ms
    const within = (v: number | null, expected: number) => {
      expect(v).not.toBeNull();
      expect(Math.abs(v! - expected) / expected).toBeLessThan(0.02);
    };
    within(h.percentileMs(50), 500);
    within(h.percentileMs(99), 990);
    within(h.percentileMs(99.9), 999);
    expect(h.count).toBe(10_000);
    const back = Histogram.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
    expect(back.summary()).toEqual(h.summary());
    const merged = new Histogram().merge(h).merge(back);
    expect(merged.count).toBe(20_000);
    within(merged.percentileMs(50), 500);
    expect(new Histogram().summary().p99).toBeNull();
  });
});

describe('webhook mix', () => {
  const spec = { phoneNumberId: '123', appSecret: 'secret', senders: 10, runTag: 't1' };

  it('builds the same signed request for the same index, with unique wamids and whole characters', () => {
    const kinds = new Set<string>();
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const a = webhookRequest(spec, i);
      expect(webhookRequest(spec, i)).toEqual(a);
      expect(a.signature).toBe(signMeta(a.body, 'secret'));
      expect(a.kind).toBe(kindOf(spec, i));
      // Meta escapes non-ASCII; never half a surrogate pair.
      expect(a.body).toMatch(/^[\x20-\x7e]*$/);
      expect(() => JSON.parse(a.body)).not.toThrow();
      expect(JSON.stringify(JSON.parse(a.body))).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i);
      kinds.add(a.kind);
      if (a.wamid) ids.add(a.wamid);
    }
    expect(kinds).toEqual(new Set(['text', 'image', 'audio', 'document', 'status']));
    expect(ids.size).toBe([...Array(500).keys()].filter((i) => kindOf(spec, i) !== 'status').length);
  });
});

const redisServer = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!redisServer && process.env.CI) throw new Error('CI is set but redis-server is not installed');

describe.skipIf(!realDriversAvailable || !redisServer)(
  'bench harness, small: scaled layout end to end [postgres+redis]',
  () => {
    let fake: FakePlatforms;
    let redis: RedisServer;
    let db: TempDatabase;
    let layout: ScaledLayout;
    let load: LoadProcess;
    const logDir = mkdtempSync(join(tmpdir(), 'hub-load-test-'));
    /** Tests that reached their end: the logs go only when both did. */
    let passed = 0;

    beforeAll(async () => {
      fake = await startFakePlatforms();
      redis = await new RedisServer().start();
      db = await createDatabase('hub_loadtest');
      layout = await startScaled({
        databaseUrl: db.url,
        redisUrl: redis.url,
        fake,
        logDir,
      });
      load = await startLoadProcess();
    }, 120_000);

    afterAll(async () => {
      await load?.stop();
      await layout?.close();
      await stopStarted();
      await fake?.close();
      // The services' logs are kept only when something failed.
      if (passed === 2) rmSync(logDir, { recursive: true, force: true });
    }, 60_000);

    it('stores every acknowledged webhook once and every agent socket sees each message once', async () => {
      const token = await layout.login();
      await load.call({ cmd: 'agents-open', url: layout.gatewayUrl, token, names: ['admin-1', 'admin-2'] });
      const runTag = `lt${Date.now().toString(36)}`;
      const mix = {
        phoneNumberId: layout.channel.phoneNumberId,
        appSecret: layout.channel.appSecret,
        senders: 30,
        runTag,
      };
      const r = await load.call({
        cmd: 'e2e',
        baseUrl: layout.ingestUrl,
        ratePerSec: 40,
        durationMs: 3_000,
        settleMs: 60_000,
        spec: { kind: 'webhook', path: layout.channel.webhookPath, startIndex: 0, mix },
      });
      const messages = Array.from({ length: r.posted }, (_, i) => kindOf(mix, i)).filter((k) => k !== 'status').length;
      expect(r.posted).toBe(120);
      expect(r.failures).toEqual({});
      expect(r.ackedMessages).toBe(messages);
      expect(r.ackedStatuses).toBe(r.posted - messages);
      expect(r.missingAtEnd).toBe(0);
      const final = await load.call({ cmd: 'e2e-final' });
      expect(final.missing).toBe(0);
      // One latency per message, taken on the tracking socket.
      expect(final.e2e.count).toBe(messages);

      const stats = await load.call({ cmd: 'agents-stats' });
      expect(stats.expected).toBe(messages);
      for (const a of stats.agents) {
        expect({ name: a.name, received: a.received, missing: a.missing, doubles: a.doubles }).toEqual({
          name: a.name,
          received: messages,
          missing: 0,
          doubles: 0,
        });
      }
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const rows = await c.query<{ rows: string; distinct: string }>(
          `select count(*) as rows, count(distinct provider_message_id) as distinct from messages where provider_message_id like $1`,
          [`wamid.${runTag}.%`],
        );
        expect(Number(rows.rows[0]!.rows)).toBe(messages);
        expect(Number(rows.rows[0]!.distinct)).toBe(messages);
      } finally {
        await c.end();
      }
      await load.call({ cmd: 'agents-close' });
      passed += 1;
    }, 120_000);

    it('fans one published event out to every socket of the fleet', async () => {
      const token = await layout.login();
      const fleet = await load.call({ cmd: 'fleet-connect', url: layout.gatewayUrl, token, count: 30, batch: 10 });
      expect(fleet).toMatchObject({ connected: 30, failed: 0 });
      const conv = (await layout.api.conversations(layout.channel.id))[0]!;
      const message = { ...(await layout.api.messages(conv.id))[0]!, providerMessageId: null };
      const f = await load.call({
        cmd: 'fleet-fanout',
        redisUrl: redis.url,
        workspaceId: layout.workspaceId,
        conversationId: conv.id,
        message,
        repeats: 2,
        timeoutMs: 20_000,
      });
      expect(f.sockets).toBe(30);
      expect(f.repeats.map((x) => x.received)).toEqual([30, 30]);
      await load.call({ cmd: 'fleet-close' });
      passed += 1;
    }, 120_000);
  },
);
