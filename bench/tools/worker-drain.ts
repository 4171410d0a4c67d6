import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { INBOUND_QUEUE, type InboundJobData } from '@hub/shared/domain';
import { createTestRuntime, type DriverSetName } from '@hub/shared/testing';
import { webhookRequest } from '../../infra/load/webhook-mix';
import { buildWorker } from '../../services/worker/src/worker.app';
import { createChannel, createWorkspace, waCredentials } from '../../services/worker/test/inbound.helpers';

// The inbound worker alone, working off a backlog of signed WhatsApp webhooks (the bench's
// mix, without media): jobs per second, and CPU per job of the worker, PostgreSQL and Redis
// (read from /proc). For tuning the worker without the whole layout around it.
//
//   npx tsx bench/tools/worker-drain.ts [--jobs=10000] [--set=postgres+redis|embedded]
//        [--batch=200] [--in-flight=2] [--concurrency=400] [--profile=/tmp/drain.cpuprofile]
//
// Needs TEST_DATABASE_URL / TEST_REDIS_URL (default: the local servers) for postgres+redis.

const arg = (name: string, dflt: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const jobs = Number(arg('jobs', '10000'));
const set = arg('set', 'postgres+redis') as DriverSetName;
const profile = arg('profile', '');

/** CPU seconds used so far by every process with this command name (children included). */
function cpuOf(command: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!name.startsWith(command)) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime are fields 14-17 (1-based), i.e. 11-14 after the name.
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100;
}

const rt = await createTestRuntime(set, { LOG_LEVEL: 'warn' });
const db = rt.database.db;
const workspaceId = await createWorkspace(db);
const channelId = await createChannel(
  db,
  workspaceId,
  'whatsapp',
  waCredentials('pn-drain', 'drain-secret'),
  'pn-drain',
);
const mix = {
  phoneNumberId: 'pn-drain',
  appSecret: 'drain-secret',
  senders: 500,
  runTag: `d${Date.now()}`,
  mediaPct: 0,
};
const job = (i: number) => ({
  name: 'webhook',
  data: {
    webhookEventId: randomUUID(),
    channelId,
    body: webhookRequest(mix, i).body,
    receivedAt: new Date().toISOString(),
    logged: false,
  } satisfies InboundJobData,
});
const queue = rt.queues.queue<InboundJobData>(INBOUND_QUEUE);
const worker = buildWorker(rt, {
  recovery: false,
  inboundConcurrency: Number(arg('concurrency', '400')),
  inboundBatch: { maxBatch: Number(arg('batch', '200')), maxInFlight: Number(arg('in-flight', '2')) },
});

// Warm-up: the first message of each sender creates its contact and conversation.
await queue.addBulk(Array.from({ length: 600 }, (_, i) => job(i)));
await queue.idle(120_000);
for (let i = 0; i < jobs; i += 1000) {
  await queue.addBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => job(600 + i + k)));
}

const session = new Session();
if (profile) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const before = { pg: cpuOf('postgres'), redis: cpuOf('redis-server'), own: process.cpuUsage() };
const t0 = performance.now();
await queue.idle(600_000);
const ms = performance.now() - t0;
const own = process.cpuUsage(before.own);
if (profile) writeFileSync(profile, JSON.stringify((await session.post('Profiler.stop')).profile));
const perJob = (seconds: number) => Math.round((seconds * 1e6) / jobs) / 1000;

console.log(
  JSON.stringify({
    set,
    jobs,
    jobsPerSec: Math.round((jobs * 1000) / ms),
    cpuMsPerJob: {
      worker: perJob((own.user + own.system) / 1e6),
      ...(set === 'postgres+redis'
        ? { postgres: perJob(cpuOf('postgres') - before.pg), redis: perJob(cpuOf('redis-server') - before.redis) }
        : {}),
    },
  }),
);
await worker.close?.();
await rt.cleanup();
process.exit(0);
