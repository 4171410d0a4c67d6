import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@hub/shared/config';
import { channelCredentialsKey } from '@hub/shared/crypto';
import { sealCredentials } from '@hub/shared/domain';
import { createRuntime } from '@hub/shared/runtime';
import { Histogram } from '../../../infra/load/histogram';
import { forkIpc } from '../../../infra/load/ipc';
import { startLoadProcess } from '../../../infra/load/load.client';
import type { RequestSpec } from '../../../infra/load/load.protocol';
import { RedisServer, createDatabase, freePort, stopStarted } from '../../../infra/load/layout/servers';
import { ServiceProcess } from '../../../infra/load/layout/service-process';
import { webhookRequest } from '../../../infra/load/webhook-mix';

// Benchmark (not a test): the front door alone, measured the way `npm run bench` measures it
// (scaled phase, step 1) but without the rest of the run: the ingest service as its own
// process on PostgreSQL + a Redis of its own, driven from the separate load process, next to
// a bare node:http server measured the same way on the same machine a moment before.
//   acks/s    — closed loop, 64 keep-alive connections (the ratio to bare node:http);
//   p99@1000  — open loop at 1,000 req/s, latency from the scheduled send time;
//   CPU/req   — the ingest process's user+system CPU per acknowledged request (steadier than
//               req/s on a shared machine).
// Usage: npx tsx services/ingest/bench/front-door.bench.ts
// Env: TEST_DATABASE_URL (admin), BENCH_SECONDS (closed-loop window, default 5), BENCH_ROUNDS (3),
// BENCH_INGEST_NODE_OPTIONS (NODE_OPTIONS for the ingest process, e.g. a profiler preload).

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const ENCRYPTION_KEY = 'bench-encryption-key-0123456789abcdef';
const SECRET = 'front-door-app-secret';
const PHONE = '100200300';

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-front-door-'));
  const db = await createDatabase('hub_bench_fd');
  const redis = await new RedisServer().start();
  const load = await startLoadProcess();
  const raw = await forkIpc('bench/raw/raw.main.ts', 'raw process');
  try {
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      JWT_SECRET: 'bench-jwt-secret-0123456789abcdef',
      HUB_ENCRYPTION_KEY: ENCRYPTION_KEY,
      HUB_DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      // e.g. `--import <a profiler preload>` (node 20 refuses --cpu-prof in NODE_OPTIONS).
      ...(process.env['BENCH_INGEST_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['BENCH_INGEST_NODE_OPTIONS'] } : {}),
    };
    // Schema and one WhatsApp channel, written directly (no API process needed).
    const rt = await createRuntime(loadConfig({ ...env, PORT: '0' }));
    const channelId = randomUUID();
    try {
      const ws = await rt.database.db
        .insertInto('workspaces')
        .values({ name: 'front door bench', settings: {} })
        .returning('id')
        .executeTakeFirstOrThrow();
      await rt.database.db
        .insertInto('channels')
        .values({
          id: channelId,
          workspace_id: ws.id,
          type: 'whatsapp',
          name: 'bench',
          external_id: PHONE,
          credentials: sealCredentials(channelCredentialsKey(ENCRYPTION_KEY), channelId, {
            phoneNumberId: PHONE,
            accessToken: 't',
            appSecret: SECRET,
            verifyToken: 'v',
          }),
        })
        .execute();
    } finally {
      await rt.close();
    }
    const ingest = await new ServiceProcess(
      'ingest',
      'services/ingest/src/main.ts',
      env,
      await freePort(),
      join(dir, 'ingest.log'),
    ).start();

    const mix = (runTag: string): RequestSpec => ({
      kind: 'webhook',
      path: `/webhooks/whatsapp/${channelId}`,
      startIndex: 0,
      mix: { phoneNumberId: PHONE, appSecret: SECRET, senders: 500, runTag },
    });
    const sample = webhookRequest({ phoneNumberId: PHONE, appSecret: 'raw', senders: 100, runTag: 'raw' }, 1);
    const rawSpec: RequestSpec = {
      kind: 'fixed',
      path: '/webhooks/whatsapp/raw',
      body: sample.body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sample.signature },
    };
    const closed = (baseUrl: string, spec: RequestSpec) =>
      load.call({ cmd: 'http-closed', baseUrl, concurrency: 64, durationMs: SECONDS * 1000, maxRequests: 1e7, spec });
    const open = async (baseUrl: string, spec: RequestSpec) => {
      const r = await load.call({ cmd: 'http-open', baseUrl, ratePerSec: 1000, durationMs: 3000, spec });
      return Histogram.fromJSON(r.latency).summary().p99;
    };

    const { port } = await raw.call<{ port: number }>({ cmd: 'http-start' });
    const bareUrl = `http://127.0.0.1:${port}`;
    // Warm-up: JIT, keep-alive connections, the channel cache.
    await load.call({
      cmd: 'http-closed',
      baseUrl: ingest.url,
      concurrency: 64,
      durationMs: 3000,
      maxRequests: 1e7,
      spec: mix('warm'),
    });

    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      const bare = await closed(bareUrl, rawSpec);
      const cpu0 = ingest.cpuSeconds() ?? NaN;
      const hub = await closed(ingest.url, mix(`ack${i}`));
      const cpu1 = ingest.cpuSeconds() ?? NaN;
      const non200 = Object.entries(hub.statuses).filter(([k]) => k !== '200');
      if (non200.length) throw new Error(`ingest answered ${JSON.stringify(Object.fromEntries(non200))}`);
      rounds.push({
        bareRps: round(bare.okPerSec, 0),
        ingestRps: round(hub.okPerSec, 0),
        ratio: round(hub.okPerSec / bare.okPerSec, 3),
        ingestCpuUsPerAck: round(((cpu1 - cpu0) * 1e6) / hub.answered, 0),
        bareP99MsAt1000: await open(bareUrl, rawSpec),
        ingestP99MsAt1000: await open(ingest.url, mix(`open${i}`)),
      });
      process.stdout.write(`${JSON.stringify(rounds.at(-1))}\n`);
    }
    await raw.call({ cmd: 'stop-servers' });
    await ingest.close();
    process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), seconds: SECONDS, rounds }, null, 2)}\n`);
  } finally {
    await raw.stop();
    await load.stop();
    await stopStarted();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(async (err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  await stopStarted().catch(() => undefined);
  process.exit(1);
});
