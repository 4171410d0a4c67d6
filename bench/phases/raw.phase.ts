import { randomUUID } from 'node:crypto';
import { Histogram } from '../../infra/load/histogram';
import { RedisServer } from '../../infra/load/layout/servers';
import { webhookRequest } from '../../infra/load/webhook-mix';
import { round, type BenchContext } from '../bench.context';

// The machine's raw limits (bench/raw/raw.main.ts holds the bare servers and clients).

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : null;
};

export async function rawPhase(ctx: BenchContext): Promise<void> {
  const { profile: p, results: r } = ctx;

  // Bare node:http, fed the same signed webhook bodies the hub gets.
  await step(ctx, ['raw.httpRps', 'raw.httpP99MsAt1000'], async () => {
    const { port } = await ctx.raw.call<{ port: number }>({ cmd: 'http-start' });
    const w = webhookRequest(
      { phoneNumberId: '123456789', appSecret: 'raw', senders: 100, runTag: `${ctx.runTag}-raw` },
      1,
    );
    const spec = {
      kind: 'fixed' as const,
      path: '/webhooks/whatsapp/raw',
      body: w.body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': w.signature },
    };
    const closed = await ctx.load.call({
      cmd: 'http-closed',
      baseUrl: `http://127.0.0.1:${port}`,
      concurrency: p.raw.httpConcurrency,
      durationMs: p.raw.httpMs,
      maxRequests: 10_000_000,
      spec,
    });
    r.raw.httpRps = round(closed.okPerSec, 0);
    const open = await ctx.load.call({
      cmd: 'http-open',
      baseUrl: `http://127.0.0.1:${port}`,
      ratePerSec: 1000,
      durationMs: p.raw.httpAt1000Ms,
      spec,
    });
    r.raw.httpP99MsAt1000 = Histogram.fromJSON(open.latency).summary().p99;
    ctx.log(`raw http: ${r.raw.httpRps} req/s, p99 at 1,000 req/s ${r.raw.httpP99MsAt1000} ms`);
    await ctx.raw.call({ cmd: 'stop-servers' });
  });

  await step(ctx, ['raw.redisStreamAppendsPerSec'], async () => {
    const s = await ctx.raw.call<{ appendsPerSec: number }>({
      cmd: 'streams',
      redisUrl: ctx.redis.url,
      durationMs: p.raw.streamsMs,
      inFlight: 64,
    });
    r.raw.redisStreamAppendsPerSec = round(s.appendsPerSec, 0);
    ctx.log(`raw redis stream appends: ${r.raw.redisStreamAppendsPerSec}/s`);
  });

  await step(ctx, ['raw.bullmqE2eJobsPerSec', 'raw.bullmqDrainJobsPerSec', 'raw.bullmqAddBulkJobsPerSec'], async () => {
    const b = await ctx.raw.call<Record<string, number>>({
      cmd: 'bullmq',
      redisUrl: ctx.redis.url,
      jobs: p.raw.bullmqJobs,
      concurrency: p.raw.bullmqConcurrency,
    });
    r.raw.bullmqE2eJobsPerSec = round(b['e2eJobsPerSec'], 0);
    r.raw.bullmqDrainJobsPerSec = round(b['drainJobsPerSec'], 0);
    r.raw.bullmqAddBulkJobsPerSec = round(b['addBulkJobsPerSec'], 0);
    ctx.log(
      `raw bullmq: producer+worker ${r.raw.bullmqE2eJobsPerSec} jobs/s, drain ${r.raw.bullmqDrainJobsPerSec} jobs/s, addBulk ${r.raw.bullmqAddBulkJobsPerSec} jobs/s`,
    );
  });

  await step(ctx, ['raw.pgBatchRowsPerSec', 'raw.pgSingleRowInsertsPerSec'], async () => {
    const g = await ctx.raw.call<Record<string, number>>({
      cmd: 'pg',
      databaseUrl: ctx.db.url,
      durationMs: p.raw.pgMs,
    });
    r.raw.pgBatchRowsPerSec = round(g['batchRowsPerSec'], 0);
    r.raw.pgSingleRowInsertsPerSec = round(g['singleRowsPerSec16Conn'], 0);
    r.details['rawPg'] = g;
    ctx.log(
      `raw postgres: 500-row batches ${r.raw.pgBatchRowsPerSec} rows/s, single rows (16 conns) ${r.raw.pgSingleRowInsertsPerSec} rows/s`,
    );
  });

  await step(ctx, ['raw.socketRoomEmitMs', 'raw.socketRoomDeliveryMs'], async () => {
    const { port } = await ctx.raw.call<{ port: number }>({ cmd: 'io-start' });
    const c = await ctx.load.call({
      cmd: 'fleet-connect',
      url: `http://127.0.0.1:${port}`,
      token: 'raw',
      count: p.raw.ioSockets,
      batch: 200,
    });
    const blocks: number[] = [];
    const deliveries: number[] = [];
    for (let i = 0; i < p.raw.ioEmits; i++) {
      const marker = `raw ${randomUUID()}`;
      await ctx.load.call({ cmd: 'fleet-expect', marker, timeoutMs: 10_000 });
      const e = await ctx.raw.call<{ emitEpoch: number; blockMs: number; sockets: number }>({ cmd: 'io-emit', marker });
      const times = await ctx.load.call({ cmd: 'fleet-collect' });
      blocks.push(e.blockMs);
      if (times.length > 0) deliveries.push(Math.max(...times) - e.emitEpoch);
      await new Promise((res) => setTimeout(res, 100));
    }
    await ctx.load.call({ cmd: 'fleet-close' });
    await ctx.raw.call({ cmd: 'stop-servers' });
    r.raw.socketRoomEmitMs = round(median(blocks));
    r.raw.socketRoomDeliveryMs = round(median(deliveries));
    r.details['rawSocket'] = { sockets: c.connected, failed: c.failed, connectMs: round(c.ms, 0), blocks, deliveries };
    ctx.log(
      `raw socket.io: ${c.connected} sockets, emit blocks ${r.raw.socketRoomEmitMs} ms, last socket after ${r.raw.socketRoomDeliveryMs} ms`,
    );
  });

  // The same raw queue figures on a Redis with appendonly yes (everysec; and always in full).
  await step(
    ctx,
    ['aof.bullmqE2eJobsPerSec', 'aof.bullmqDrainJobsPerSec', 'aof.redisStreamAppendsPerSec'],
    async () => {
      const aof = await new RedisServer({ appendonly: true, appendfsync: 'everysec' }).start();
      try {
        const b = await ctx.raw.call<Record<string, number>>({
          cmd: 'bullmq',
          redisUrl: aof.url,
          jobs: p.raw.bullmqJobs,
          concurrency: p.raw.bullmqConcurrency,
        });
        r.aof.bullmqE2eJobsPerSec = round(b['e2eJobsPerSec'], 0);
        r.aof.bullmqDrainJobsPerSec = round(b['drainJobsPerSec'], 0);
        const s = await ctx.raw.call<{ appendsPerSec: number }>({
          cmd: 'streams',
          redisUrl: aof.url,
          durationMs: p.raw.streamsMs,
          inFlight: 64,
        });
        r.aof.redisStreamAppendsPerSec = round(s.appendsPerSec, 0);
      } finally {
        await aof.destroy();
      }
      ctx.log(
        `raw bullmq on AOF (everysec): producer+worker ${r.aof.bullmqE2eJobsPerSec} jobs/s, drain ${r.aof.bullmqDrainJobsPerSec} jobs/s`,
      );
    },
  );
  if (p.raw.aofAlways) {
    await step(ctx, ['aof.bullmqE2eJobsPerSecAlways', 'aof.bullmqDrainJobsPerSecAlways'], async () => {
      const aof = await new RedisServer({ appendonly: true, appendfsync: 'always' }).start();
      try {
        const b = await ctx.raw.call<Record<string, number>>({
          cmd: 'bullmq',
          redisUrl: aof.url,
          jobs: p.raw.bullmqJobs,
          concurrency: p.raw.bullmqConcurrency,
        });
        r.aof.bullmqE2eJobsPerSecAlways = round(b['e2eJobsPerSec'], 0);
        r.aof.bullmqDrainJobsPerSecAlways = round(b['drainJobsPerSec'], 0);
      } finally {
        await aof.destroy();
      }
      ctx.log(
        `raw bullmq on AOF (always): producer+worker ${r.aof.bullmqE2eJobsPerSecAlways} jobs/s, drain ${r.aof.bullmqDrainJobsPerSecAlways} jobs/s`,
      );
    });
  } else {
    ctx.fail('aof.bullmqE2eJobsPerSecAlways', 'appendfsync always is measured in the full run only');
    ctx.fail('aof.bullmqDrainJobsPerSecAlways', 'appendfsync always is measured in the full run only');
  }
}

/** Runs one measurement; if it throws, its figures stay null with the error as the reason. */
export async function step(ctx: BenchContext, keys: string[], fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    ctx.log(`  ✗ ${keys.join(', ')}: ${msg}`);
    for (const k of keys) ctx.fail(k, `measurement failed: ${msg}`);
  }
}
