import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Server as IoServer } from 'socket.io';
import { serveIpc } from '../../infra/load/ipc';

// The machine's raw limits, each measured on the bare part with nothing of the hub on top, in
// a process of its own (forked by bench/run.ts):
//   http    — a bare node:http server reading the body and answering 200 (driven by the
//             load process, like the webhook route);
//   io      — a bare Socket.IO server, every client in one room; one emit's loop-blocking time;
//   bullmq  — producer + worker together (jobs/s) and a backlog drain (jobs/s), no-op handler;
//   streams — Redis stream appends (XADD … MAXLEN ~), 64 in flight;
//   pg      — message-sized rows: 500-row batches (unnest) and single-row inserts over a pool.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let http: HttpServer | undefined;
let ioHttp: HttpServer | undefined;
let io: IoServer | undefined;

/** A job/event payload of the size the hub moves: one webhook body (~1.2 KB). */
const PAYLOAD = JSON.stringify({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550000000', phone_number_id: '123456789' },
            contacts: [{ profile: { name: 'Test Customer' }, wa_id: '16505551234' }],
            messages: [
              {
                from: '16505551234',
                id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdDMDQ2QjdBNzM1MDk0MEVCRgA=',
                timestamp: '1732363200',
                type: 'text',
                text: { body: 'x'.repeat(700) },
              },
            ],
          },
          field: 'messages',
        },
      ],
    },
  ],
});

async function startHttp(): Promise<{ port: number }> {
  http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
      res.end('{"ok":true}');
    });
  });
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => http!.listen(0, '127.0.0.1', () => r()));
  return { port: (http.address() as { port: number }).port };
}

async function startIo(): Promise<{ port: number }> {
  ioHttp = createServer();
  io = new IoServer(ioHttp, { path: '/socket.io', serveClient: false });
  io.on('connection', (socket) => {
    void socket.join('room');
    socket.emit('ready', { seq: 0 });
  });
  await new Promise<void>((r) => ioHttp!.listen(0, '127.0.0.1', () => r()));
  return { port: (ioHttp.address() as { port: number }).port };
}

/** One emit of a message-sized event to the room: how long it holds the event loop. */
function emitOnce(marker: string): { emitEpoch: number; blockMs: number; sockets: number } {
  if (!io) throw new Error('io-start first');
  const payload = {
    conversationId: randomUUID(),
    seq: 1,
    message: { id: randomUUID(), providerMessageId: null, text: marker, direction: 'in', body: PAYLOAD.slice(0, 400) },
  };
  const emitEpoch = performance.timeOrigin + performance.now();
  const t = performance.now();
  io.to('room').emit('message:created', payload);
  return { emitEpoch, blockMs: performance.now() - t, sockets: io.of('/').sockets.size };
}

async function bullmq(opts: { redisUrl: string; jobs: number; concurrency: number }) {
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const prefix = `raw-${randomUUID().slice(0, 8)}`;
  const keep = { removeOnComplete: { count: 10_000 }, removeOnFail: { count: 1000 } };
  const data = { body: PAYLOAD };
  const out: Record<string, number> = {};

  // 1. Producer and worker together: adds with 200 in flight, a no-op worker.
  {
    const queue = new Queue('e2e', { connection, prefix });
    let done = 0;
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((r) => (resolveAll = r));
    const worker = new Worker('e2e', async () => undefined, { connection, prefix, concurrency: opts.concurrency });
    worker.on('completed', () => {
      if (++done >= opts.jobs) resolveAll();
    });
    await worker.waitUntilReady();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (next < opts.jobs) {
          next += 1;
          await queue.add('job', data, keep);
        }
      }),
    );
    await Promise.race([all, sleep(120_000)]);
    out['e2eJobsPerSec'] = done / ((performance.now() - t0) / 1000);
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }

  // 2. Backlog: addBulk everything (no worker), then drain it with a fresh worker.
  {
    const queue = new Queue('drain', { connection, prefix });
    const t0 = performance.now();
    for (let i = 0; i < opts.jobs; i += 1000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1000, opts.jobs - i) }, () => ({ name: 'job', data, opts: keep })),
      );
    }
    out['addBulkJobsPerSec'] = opts.jobs / ((performance.now() - t0) / 1000);
    let done = 0;
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((r) => (resolveAll = r));
    const worker = new Worker('drain', async () => undefined, {
      connection,
      prefix,
      concurrency: opts.concurrency,
      autorun: false,
    });
    worker.on('completed', () => {
      if (++done >= opts.jobs) resolveAll();
    });
    const t1 = performance.now();
    void worker.run();
    await Promise.race([all, sleep(120_000)]);
    out['drainJobsPerSec'] = done / ((performance.now() - t1) / 1000);
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
  connection.disconnect();
  return out;
}

async function streams(opts: { redisUrl: string; durationMs: number; inFlight: number }) {
  const redis = new Redis(opts.redisUrl);
  const key = `raw-stream-${randomUUID().slice(0, 8)}`;
  const event = PAYLOAD.slice(0, 900);
  let n = 0;
  const t0 = performance.now();
  const deadline = t0 + opts.durationMs;
  await Promise.all(
    Array.from({ length: opts.inFlight }, async () => {
      while (performance.now() < deadline) {
        await redis.xadd(key, 'MAXLEN', '~', '10000', '*', 'e', event);
        n += 1;
      }
    }),
  );
  const perSec = n / ((performance.now() - t0) / 1000);
  await redis.del(key);
  redis.disconnect();
  return { appendsPerSec: perSec };
}

const MESSAGE_TABLE = `
  create table raw_messages (
    id uuid primary key default gen_random_uuid(),
    workspace_id uuid not null,
    conversation_id uuid not null,
    channel_id uuid not null,
    direction text not null,
    type text not null,
    text text,
    status text not null,
    provider_message_id text,
    details jsonb not null default '{}',
    sent_at timestamptz not null,
    created_at timestamptz not null default now(),
    unique (channel_id, provider_message_id)
  );
  create index on raw_messages (conversation_id, sent_at);`;

async function pgLimits(opts: { databaseUrl: string; durationMs: number }) {
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 16 });
  await pool.query(MESSAGE_TABLE);
  const ws = randomUUID();
  const channel = randomUUID();
  const convs = Array.from({ length: 500 }, () => randomUUID());
  const text = 'hola, where is my package? '.repeat(6);
  const details = JSON.stringify({ profileName: 'Test Customer', waId: '16505551234' });
  let seq = 0;

  const batch = async (client: pg.PoolClient | pg.Pool, size: number) => {
    const ids = Array.from({ length: size }, () => `wamid.raw.${seq++}`);
    await client.query(
      `insert into raw_messages (workspace_id, conversation_id, channel_id, direction, type, text, status, provider_message_id, details, sent_at)
       select $1, c, $2, 'in', 'text', $3, 'received', p, $4::jsonb, now()
       from unnest($5::uuid[], $6::text[]) as t(c, p)`,
      [ws, channel, text, details, ids.map((_, i) => convs[i % convs.length]), ids],
    );
  };
  const timed = async (workers: number, size: number, fn: (c: pg.PoolClient) => Promise<void>) => {
    let rows = 0;
    const t0 = performance.now();
    const deadline = t0 + opts.durationMs;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const c = await pool.connect();
        try {
          while (performance.now() < deadline) {
            await fn(c);
            rows += size;
          }
        } finally {
          c.release();
        }
      }),
    );
    return rows / ((performance.now() - t0) / 1000);
  };

  const batchRowsPerSec1 = await timed(1, 500, (c) => batch(c, 500));
  const batchRowsPerSec4 = await timed(4, 500, (c) => batch(c, 500));
  const singleRowsPerSec16 = await timed(16, 1, (c) => batch(c, 1));
  await pool.query('drop table raw_messages');
  await pool.end();
  return {
    batchRowsPerSec: Math.max(batchRowsPerSec1, batchRowsPerSec4),
    batchRowsPerSec1Conn: batchRowsPerSec1,
    batchRowsPerSec4Conn: batchRowsPerSec4,
    singleRowsPerSec16Conn: singleRowsPerSec16,
  };
}

serveIpc('bench/raw/raw.main.ts', async (cmd) => {
  switch (cmd.cmd) {
    case 'http-start':
      return startHttp();
    case 'io-start':
      return startIo();
    case 'io-emit':
      return emitOnce(String(cmd['marker']));
    case 'bullmq':
      return bullmq(cmd as unknown as { redisUrl: string; jobs: number; concurrency: number });
    case 'streams':
      return streams(cmd as unknown as { redisUrl: string; durationMs: number; inFlight: number });
    case 'pg':
      return pgLimits(cmd as unknown as { databaseUrl: string; durationMs: number });
    case 'stop-servers':
      if (io) await io.close();
      if (http) {
        const closed = new Promise<void>((r) => http!.close(() => r()));
        http.closeAllConnections();
        await closed;
      }
      http = undefined;
      io = undefined;
      ioHttp = undefined;
      return {};
    default:
      throw new Error(`unknown raw command ${cmd.cmd}`);
  }
});
