import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '@hub/shared/config';
import { channelCredentialsKey } from '@hub/shared/crypto';
import { sealCredentials } from '@hub/shared/domain';
import { startService } from '@hub/shared/service';
import { buildWorker } from '@hub/worker';
import { metaJson, signMeta, whatsappTextWebhook } from '../../../infra/fake-platforms';
import { buildIngest } from '../src/ingest.app';

// Benchmark (not a test): the webhook route and the inbound worker on PostgreSQL + Redis.
//   1. acknowledgements per second: N signed WhatsApp POSTs at a fixed concurrency;
//   2. POST → committed row: the time from sending a POST to the worker's message:created
//      event (published right after the commit), at a moderate steady rate.
// Writes bench/results/ingest-<date>.json. Usage: npx tsx services/ingest/bench/webhook.bench.ts
// Env: TEST_DATABASE_URL (admin, default postgres://postgres@127.0.0.1:5432/postgres),
// TEST_REDIS_URL (default redis://127.0.0.1:6379), BENCH_N (default 3000), BENCH_CONCURRENCY (64),
// BENCH_LATENCY_RATE (50 POSTs/s).

const ADMIN_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const N = Number(process.env['BENCH_N'] ?? 3000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 64);
// The latency phase runs below the worker's capacity, so it measures the hop, not a backlog.
const LATENCY_N = Math.min(500, N);
const LATENCY_RATE = Number(process.env['BENCH_LATENCY_RATE'] ?? 50); // POSTs per second
const SECRET = 'bench-app-secret';
const ENCRYPTION_KEY = 'bench-encryption-key-0123456789abcdef';

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const round = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const dbName = `hub_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;

  const config = loadConfig({
    PORT: '0',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL,
    JWT_SECRET: 'bench-jwt-secret-0123456789abcdef',
    HUB_ENCRYPTION_KEY: ENCRYPTION_KEY,
    HUB_DATA_DIR: join('/tmp', dbName),
    LOG_LEVEL: 'silent',
  });
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const svc = await startService(
    'bench',
    config,
    (rt) => {
      const ingest = buildIngest(rt);
      const worker = buildWorker(rt, { recovery: false });
      return {
        mount: (app) => ingest.mount?.(app),
        attach: (server) => ingest.attach?.(server),
        close: async () => (await ingest.close?.(), await worker.close?.()),
      };
    },
    { queuePrefix: prefix, busChannel: `${prefix}:realtime`, port: 0 },
  );
  const { db } = svc.rt.database;
  const ws = await db
    .insertInto('workspaces')
    .values({ name: 'bench', settings: {} })
    .returning('id')
    .executeTakeFirstOrThrow();
  const channelId = randomUUID();
  const phoneNumberId = '100200300';
  await db
    .insertInto('channels')
    .values({
      id: channelId,
      workspace_id: ws.id,
      type: 'whatsapp',
      name: 'bench',
      external_id: phoneNumberId,
      credentials: sealCredentials(channelCredentialsKey(ENCRYPTION_KEY), channelId, {
        phoneNumberId,
        accessToken: 't',
        appSecret: SECRET,
        verifyToken: 'v',
      }),
    })
    .execute();

  const url = `${svc.url}/webhooks/whatsapp/${channelId}`;
  const committed = new Map<string, number>();
  svc.rt.bus.subscribe((m) => {
    if (m.type !== 'message:created') return;
    const id = (m.payload as { message?: { providerMessageId?: string } }).message?.providerMessageId;
    if (id) committed.set(id, performance.now());
  });
  // Several senders so the worker's per-sender locks do not serialise everything.
  const payload = (i: number, wamid: string) => {
    const body = metaJson(
      whatsappTextWebhook({
        phoneNumberId,
        from: `1650555${String(i % 500).padStart(4, '0')}`,
        text: `bench ${i}`,
        id: wamid,
      }),
    );
    return { body, signature: signMeta(body, SECRET) };
  };
  const send = async (p: { body: string; signature: string }) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': p.signature },
      body: p.body,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  };

  // Warm-up (JIT, pool, channel cache).
  for (let i = 0; i < 50; i++) await send(payload(i, `wamid.warm-${i}`));

  // Phase 1: throughput of acknowledgements.
  const bodies = Array.from({ length: N }, (_, i) => payload(i, `wamid.tp-${i}`));
  const ackMs: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const b = bodies[next++]!;
        const s = performance.now();
        await send(b);
        ackMs.push(performance.now() - s);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const inbound = svc.rt.queues.queue('inbound');
  const drainStart = performance.now();
  await inbound.idle(600_000);
  const drainSeconds = (performance.now() - drainStart) / 1000;
  const rows = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();

  // Phase 2: POST → committed row at a steady rate.
  const sentAt = new Map<string, number>();
  const gap = 1000 / LATENCY_RATE;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < LATENCY_N; i++) {
    const wait = start + i * gap - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const wamid = `wamid.lat-${i}`;
    sentAt.set(wamid, performance.now());
    inflight.push(send(payload(i, wamid)));
  }
  await Promise.all(inflight);
  await inbound.idle(600_000);
  const deadline = Date.now() + 10_000;
  while ([...sentAt.keys()].some((k) => !committed.has(k)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const e2e = [...sentAt].flatMap(([k, s]) => (committed.has(k) ? [committed.get(k)! - s] : [])).sort((a, b) => a - b);
  ackMs.sort((a, b) => a - b);

  const result = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    drivers: { db: svc.rt.database.kind, queue: svc.rt.queues.kind },
    note: 'load generator, webhook route and worker share one process (and the machine with PostgreSQL and Redis)',
    acknowledgements: {
      requests: N,
      concurrency: CONCURRENCY,
      perSecond: round(N / elapsed),
      latencyMs: { p50: round(pct(ackMs, 50)), p99: round(pct(ackMs, 99)), max: round(ackMs[ackMs.length - 1] ?? NaN) },
      backlogDrainSeconds: round(drainSeconds),
      workerEventsPerSecond: round(N / (elapsed + drainSeconds)),
      rowsCommitted: Number(rows.n),
    },
    postToCommittedRow: {
      requests: LATENCY_N,
      ratePerSecond: LATENCY_RATE,
      measured: e2e.length,
      latencyMs: { p50: round(pct(e2e, 50)), p99: round(pct(e2e, 99)), max: round(e2e[e2e.length - 1] ?? NaN) },
    },
  };
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const out = join(root, 'bench', 'results', `ingest-${result.at.slice(0, 10)}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\nwritten to ${out}\n`);

  await svc.close();
  const drop = new pg.Client({ connectionString: ADMIN_URL });
  await drop.connect();
  await drop.query(`drop database if exists ${dbName} with (force)`);
  await drop.end();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
