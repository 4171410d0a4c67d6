import pg from 'pg';
import { startFakePlatforms, type FakePlatforms } from '../fake-platforms';
import { HubApi, HubApiError } from '../load/hub-api';
import { startLoadProcess, type LoadProcess } from '../load/load.client';
import type { AgentsStatsResult, E2eResult } from '../load/load.protocol';
import { kindOf } from '../load/webhook-mix';
import { startScaled, type ScaledLayout } from '../load/layout/hub-layout';
import { createDatabase, RedisServer, sleep, stopStarted, viaPort, type TempDatabase } from '../load/layout/servers';
import type { ServiceProcess } from '../load/layout/service-process';
import { createQueueDriver, type QueueDriver } from '@hub/shared/queue';
import { PgProxy } from './pg-proxy';

// A chaos run: the hub in the scaled layout under steady inbound load (signed webhooks, re-sent
// on any non-200 as Meta does) with agents' sockets connected and replies being queued, while
// faults hit it on a schedule — kill -9 of the worker, of the gateway, a Redis crash (its own
// Redis, appendonly yes), PostgreSQL refusing connections (a proxy in front of it goes down).
// Afterwards every message is counted: each webhook answered 200 stored exactly once, each
// agent socket got each message exactly once (after reconnects, by lastSeq replay or a REST
// reload on resync), each accepted reply sent to the platform exactly once.

export type FaultKind = 'kill-worker' | 'kill-gateway' | 'crash-redis' | 'pg-down';

export interface Fault {
  /** ms after the load starts. */
  atMs: number;
  kind: FaultKind;
  /** How long the part stays down before it is restarted (pg-down: how long connections are refused). */
  downMs: number;
}

export interface ChaosOptions {
  /** Inbound webhooks per second. */
  rate: number;
  durationMs: number;
  faults: Fault[];
  /** Agent replies per second while the faults happen (0: none). */
  replyRate: number;
  /** Most time to wait, after the load, for everything to arrive. */
  settleMs: number;
  /** AOF on the run's Redis (needed for crash-redis). */
  appendonly: boolean;
  senders?: number;
  /** Where the services' logs go. */
  logDir: string;
  log: (line: string) => void;
}

export interface ChaosCounts {
  inbound: {
    posted: number;
    /** Of the posted webhooks, those carrying a message (the rest are statuses). */
    messagesPosted: number;
    acknowledged: number;
    stored: number;
    lost: number;
    doubled: number;
    lostSample: string[];
    non200: Record<string, number>;
    neverAcknowledged: number;
  };
  sockets: (AgentsStatsResult['agents'][number] & { expected: number })[];
  replies: {
    checked: boolean;
    reason?: string;
    accepted: number;
    sentOnce: number;
    neverSent: number;
    sentTwice: number;
    platformAnswers: Record<string, number>;
    neverSentSample: string[];
  };
  faults: { kind: FaultKind; atMs: number; note: string }[];
  /** Exits nobody caused (restarted like a process manager would): a finding in itself. */
  crashes: { service: string; at: string; note: string }[];
  settledMs: number;
}

export interface ChaosVerdict {
  counts: ChaosCounts;
  lost: number;
  doubled: number;
  /** A check that could not run (with its reason). */
  incomplete: string[];
}

const SUPERVISOR = { name: 'Chaos Supervisor', email: 'chaos-supervisor@example.com', password: 'chaos-password-1' };

export async function runChaos(opts: ChaosOptions): Promise<ChaosVerdict> {
  const log = opts.log;
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    await stopStarted();
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const redis = await new RedisServer({ appendonly: opts.appendonly, appendfsync: 'everysec' }).start();
    cleanups.push(() => redis.destroy());
    const db: TempDatabase = await createDatabase('hub_chaos');
    cleanups.push(() => db.drop());
    const proxy = await new PgProxy().up();
    cleanups.push(() => proxy.down());
    const fake: FakePlatforms = await startFakePlatforms({ rateLimit: { perSecond: 80 } });
    cleanups.push(() => fake.close());
    const layout: ScaledLayout = await startScaled({
      databaseUrl: viaPort(db.url, proxy.port),
      redisUrl: redis.url,
      fake,
      logDir: opts.logDir,
    });
    cleanups.push(() => layout.close());
    log(
      `hub up (scaled): ingest ${layout.ingestUrl}, gateway ${layout.gatewayUrl}, api ${layout.apiUrl}; Redis ${redis.url} (appendonly ${opts.appendonly ? 'yes' : 'no'}); PostgreSQL through a proxy on ${proxy.port}`,
    );
    const load: LoadProcess = await startLoadProcess();
    cleanups.push(() => load.stop());

    const adminToken = await layout.login();
    await layout.api.createUser({ ...SUPERVISOR, role: 'supervisor' });
    const supervisorApi = new HubApi(layout.apiUrl);
    const supervisorToken = (await supervisorApi.login(SUPERVISOR.email, SUPERVISOR.password)).accessToken;
    await load.call({
      cmd: 'agents-open',
      url: layout.gatewayUrl,
      token: adminToken,
      names: ['admin-1', 'admin-2'],
      apiUrl: layout.apiUrl,
      channelId: layout.channel.id,
    });
    await load.call({
      cmd: 'agents-open',
      url: layout.gatewayUrl,
      token: supervisorToken,
      names: ['supervisor-1', 'supervisor-2'],
      apiUrl: layout.apiUrl,
      channelId: layout.channel.id,
    });

    const runTag = `c${Date.now().toString(36)}`;
    const mix = {
      phoneNumberId: layout.channel.phoneNumberId,
      appSecret: layout.channel.appSecret,
      senders: opts.senders ?? 200,
      runTag,
    };
    log(
      `load: ${opts.rate} signed webhooks/s for ${opts.durationMs / 1000} s, re-sent until answered 200; ${opts.replyRate} replies/s`,
    );
    const t0 = Date.now();
    const inbound: Promise<E2eResult> = load.call({
      cmd: 'e2e',
      baseUrl: layout.ingestUrl,
      ratePerSec: opts.rate,
      durationMs: opts.durationMs,
      // Time for re-deliveries of what was refused; the settle below waits for the rest.
      settleMs: Math.min(opts.settleMs, 60_000),
      retryNon200: { retryMs: 1000 },
      returnIds: true,
      spec: {
        kind: 'webhook',
        path: layout.channel.webhookPath,
        startIndex: 0,
        mix,
      },
    });
    const replies = opts.replyRate > 0 ? startReplies(layout, fake, opts, runTag, log) : undefined;
    const faults = runFaults(opts.faults, t0, { layout, redis, proxy, log });

    const faultLog = await faults;
    const left = t0 + opts.durationMs - Date.now();
    if (left > 0) await sleep(left);
    const replyState = replies ? await replies.stop() : undefined;
    const inboundResult = await inbound;
    log(
      `load done after ${((Date.now() - t0) / 1000).toFixed(0)} s: ${inboundResult.ackedMessages} messages + ${inboundResult.ackedStatuses} statuses acknowledged, ` +
        `${inboundResult.retries} re-deliveries, never acknowledged ${inboundResult.neverAcked}`,
    );

    // Settle: queues empty, every acknowledged message stored, every socket caught up, every
    // accepted reply sent — or time runs out.
    const acked = new Set(inboundResult.ackedIds ?? []);
    const queues = createQueueDriver({ redisUrl: redis.url, logger: { warn: () => undefined } });
    cleanups.push(() => queues.close(1000));
    // Counted from the end of the load: the load process already waited for re-deliveries.
    const settleStart = Math.min(Date.now(), t0 + opts.durationMs);
    let lastNote = 0;
    let stats: AgentsStatsResult | undefined;
    let stored = new Map<string, number>();
    for (;;) {
      const pending = await pendingAll(queues);
      stored = await storedRows(db.url, runTag);
      stats = await load.call({ cmd: 'agents-stats' });
      const storedMissing = [...acked].filter((id) => !stored.has(id)).length;
      const socketMissing = Math.max(0, ...stats.agents.map((a) => a.missing));
      const repliesMissing = replyState ? replyState.missing() : 0;
      const done = pending === 0 && storedMissing === 0 && socketMissing === 0 && repliesMissing === 0;
      if (done || Date.now() - settleStart > opts.settleMs + 60_000) break;
      if (Date.now() - lastNote > 10_000) {
        lastNote = Date.now();
        log(
          `  settling: ${pending} jobs pending, ${storedMissing} not stored yet, ${socketMissing} not on every socket yet, ${repliesMissing} replies not sent yet`,
        );
      }
      await sleep(1000);
    }
    const settledMs = Date.now() - settleStart;

    const lostIds = [...acked].filter((id) => !stored.has(id));
    const counts: ChaosCounts = {
      inbound: {
        posted: inboundResult.posted,
        messagesPosted: Array.from({ length: inboundResult.posted }, (_, i) => kindOf(mix, i)).filter(
          (k) => k !== 'status',
        ).length,
        acknowledged: acked.size,
        stored: [...acked].filter((id) => stored.has(id)).length,
        lost: lostIds.length,
        doubled: [...stored.values()].filter((n) => n > 1).length,
        lostSample: lostIds.slice(0, 10),
        non200: inboundResult.failures,
        neverAcknowledged: inboundResult.neverAcked,
      },
      sockets: (stats?.agents ?? []).map((a) => ({ ...a, expected: stats?.expected ?? 0 })),
      replies: replyState
        ? replyState.counts()
        : {
            checked: false,
            reason: 'no replies were queued in this run',
            accepted: 0,
            sentOnce: 0,
            neverSent: 0,
            sentTwice: 0,
            platformAnswers: {},
            neverSentSample: [],
          },
      faults: faultLog,
      crashes: layout.processes.flatMap((p) => p.crashes.map((c) => ({ service: p.name, ...c }))),
      settledMs,
    };
    const socketLost = counts.sockets.reduce((n, a) => n + a.missing, 0);
    const socketDoubled = counts.sockets.reduce((n, a) => n + a.doubles, 0);
    const incomplete: string[] = [];
    if (!counts.replies.checked) incomplete.push(`replies not checked: ${counts.replies.reason}`);
    return {
      counts,
      lost: counts.inbound.lost + socketLost + counts.replies.neverSent,
      doubled: counts.inbound.doubled + socketDoubled + counts.replies.sentTwice,
      incomplete,
    };
  } finally {
    await cleanup();
  }
}

async function pendingAll(queues: QueueDriver): Promise<number> {
  let n = 0;
  for (const q of ['inbound', 'media', 'outbound'])
    n += await queues
      .queue(q)
      .pending()
      .catch(() => 1);
  return n;
}

/** provider message id → rows, for this run's wamids (read directly, not through the proxy). */
async function storedRows(databaseUrl: string, runTag: string): Promise<Map<string, number>> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ id: string; n: string }>(
      `select provider_message_id as id, count(*) as n from messages where provider_message_id like $1 group by 1`,
      [`wamid.${runTag}.%`],
    );
    return new Map(r.rows.map((x) => [x.id, Number(x.n)]));
  } finally {
    await c.end();
  }
}

interface FaultDeps {
  layout: ScaledLayout;
  redis: RedisServer;
  proxy: PgProxy;
  log: (line: string) => void;
}

/** Starts a killed service again; if it cannot come up yet, the supervisor keeps trying. */
async function bringBack(p: ServiceProcess, log: (line: string) => void): Promise<void> {
  try {
    await p.start();
  } catch (err) {
    log(
      `    ${p.name} did not come back at once (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): retrying`,
    );
    void p.restartSoon();
  }
}

async function runFaults(faults: Fault[], t0: number, d: FaultDeps): Promise<ChaosCounts['faults']> {
  const done: ChaosCounts['faults'] = [];
  for (const f of [...faults].sort((a, b) => a.atMs - b.atMs)) {
    const wait = t0 + f.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    const at = Date.now() - t0;
    const say = (note: string) => {
      d.log(`  [${(at / 1000).toFixed(1)} s] ${note}`);
      done.push({ kind: f.kind, atMs: at, note });
    };
    switch (f.kind) {
      case 'kill-worker':
        await d.layout.worker.kill9();
        say(`kill -9 worker; restarting it in ${f.downMs / 1000} s`);
        await sleep(f.downMs);
        await bringBack(d.layout.worker, d.log);
        break;
      case 'kill-gateway':
        await d.layout.gateway.kill9();
        say(`kill -9 gateway; restarting it in ${f.downMs / 1000} s (agents reconnect with lastSeq)`);
        await sleep(f.downMs);
        await bringBack(d.layout.gateway, d.log);
        break;
      case 'crash-redis':
        await d.redis.kill9();
        say(
          `kill -9 Redis (appendonly ${d.redis.opts.appendonly ? 'yes' : 'no'}); restarting it in ${f.downMs / 1000} s`,
        );
        await sleep(f.downMs);
        await d.redis.start();
        break;
      case 'pg-down':
        await d.proxy.down();
        say(`PostgreSQL refuses connections for ${f.downMs / 1000} s`);
        await sleep(f.downMs);
        await d.proxy.up();
        break;
    }
    d.log(`    back after ${((Date.now() - t0 - at) / 1000).toFixed(1)} s`);
  }
  return done;
}

interface ReplyRun {
  stop(): Promise<ReplyState>;
}

interface ReplyState {
  missing(): number;
  counts(): ChaosCounts['replies'];
}

/**
 * Replies queued through the API at a steady rate while the faults happen; a POST that fails
 * is retried with the same Idempotency-Key until it is accepted (202) or the run ends.
 * Counted at the fake platform by text.
 */
function startReplies(
  layout: ScaledLayout,
  fake: FakePlatforms,
  opts: ChaosOptions,
  runTag: string,
  log: (line: string) => void,
): ReplyRun {
  const accepted = new Set<string>();
  let stopped = false;
  let unavailable: string | undefined;
  let n = 0;
  const sentBy = () => {
    const m = new Map<string, number>();
    const statuses: Record<string, number> = {};
    for (const s of fake.sent as { status: number; body: unknown; token: string | null }[]) {
      if (s.token !== layout.channel.accessToken) continue;
      const text = (s.body as { text?: { body?: unknown } } | null)?.text?.body;
      if (typeof text !== 'string' || !text.startsWith(`reply ${runTag} `)) continue;
      statuses[s.status] = (statuses[s.status] ?? 0) + 1;
      if (s.status === 200) m.set(text, (m.get(text) ?? 0) + 1);
    }
    return { m, statuses };
  };
  const loop = (async () => {
    const api = new HubApi(layout.apiUrl);
    let conversations: string[] = [];
    let refreshed = 0;
    const gap = 1000 / opts.replyRate;
    const tokenAt = Date.now();
    api.token = await layout.login();
    while (!stopped && !unavailable) {
      const t = Date.now();
      try {
        if (Date.now() - tokenAt > 10 * 60_000) api.token = await layout.login();
        if (conversations.length === 0 || Date.now() - refreshed > 10_000) {
          conversations = (await api.conversations(layout.channel.id)).map((c) => c.id);
          refreshed = Date.now();
        }
      } catch {
        // The API may be down with the database: try again on the next tick.
      }
      if (conversations.length > 0) {
        const i = n++;
        const text = `reply ${runTag} ${i}`;
        const conv = conversations[i % conversations.length]!;
        // Retry the same key until accepted: the client's side of "exactly once".
        for (let attempt = 0; !stopped || attempt === 0; attempt++) {
          try {
            await api.reply(conv, text, `${runTag}-${i}`);
            accepted.add(text);
            break;
          } catch (err) {
            if (err instanceof HubApiError && err.status === 404 && /route_not_found/.test(err.body)) {
              unavailable = 'POST /api/v1/conversations/:id/messages answered 404: the outbound route is not there yet';
              log(`  replies: ${unavailable}`);
              break;
            }
            if (err instanceof HubApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
              log(`  reply refused (${err.status}): ${err.body.slice(0, 200)}`);
              break;
            }
            await sleep(500);
            if (attempt > 60) break;
          }
        }
      }
      const wait = gap - (Date.now() - t);
      if (wait > 0) await sleep(wait);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return {
        missing: () => {
          const { m } = sentBy();
          return [...accepted].filter((t) => !m.has(t)).length;
        },
        counts: () => {
          const { m, statuses } = sentBy();
          const never = [...accepted].filter((t) => !m.has(t));
          return {
            checked: !unavailable,
            ...(unavailable ? { reason: unavailable } : {}),
            accepted: accepted.size,
            sentOnce: [...accepted].filter((t) => m.get(t) === 1).length,
            neverSent: unavailable ? 0 : never.length,
            sentTwice: [...m.values()].filter((c) => c > 1).length,
            platformAnswers: statuses,
            neverSentSample: never.slice(0, 10),
          };
        },
      };
    },
  };
}
