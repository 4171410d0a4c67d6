import { Histogram } from '../../infra/load/histogram';
import { startExtraIngest, type ScaledLayout } from '../../infra/load/layout/hub-layout';
import { RedisServer } from '../../infra/load/layout/servers';
import { kindOf } from '../../infra/load/webhook-mix';
import type { RequestSpec } from '../../infra/load/load.protocol';
import { round, type BenchContext, type QueueWatch } from '../bench.context';
import type { StepResult } from '../report/results';
import { e2eStep, stepForFile, storedCount, type StepTarget } from './e2e.step';
import { step } from './raw.phase';

// The hub in the scaled layout: the front door alone, end to end at fixed rates, the highest
// rate held, recovery from a worker outage with live traffic, the AOF cost on the webhook
// path, and (full run) a memory soak.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Warms JIT, keep-alive connections and the channel cache before a throughput window. */
export async function warmUp(ctx: BenchContext, baseUrl: string, spec: RequestSpec): Promise<void> {
  await ctx.load.call({ cmd: 'http-closed', baseUrl, concurrency: 16, durationMs: 10_000, maxRequests: 300, spec });
}

function webhookSpec(layout: ScaledLayout, runTag: string): Extract<RequestSpec, { kind: 'webhook' }> {
  return {
    kind: 'webhook',
    path: layout.channel.webhookPath,
    startIndex: 0,
    mix: { phoneNumberId: layout.channel.phoneNumberId, appSecret: layout.channel.appSecret, senders: 500, runTag },
  };
}

export async function scaledPhase(ctx: BenchContext, layout: ScaledLayout, watch: QueueWatch): Promise<void> {
  const { profile: p, results: r } = ctx;
  const target: StepTarget = { ingestUrl: layout.ingestUrl, channel: layout.channel, watch, databaseUrl: ctx.db.url };
  const lost: number[] = [];
  const doubled: number[] = [];

  // 1. The front door alone: the worker frozen (SIGSTOP), acknowledgements as fast as 64
  //    connections get them, then 1,000 req/s open loop for the ack-only p99.
  await step(ctx, ['hub.webhookAckRps', 'aof.webhookAckRpsNoAof', 'aof.webhookAckP99MsAt1000NoAof'], async () => {
    layout.worker.pause();
    try {
      await warmUp(ctx, layout.ingestUrl, webhookSpec(layout, `${ctx.runTag}warm`));
      const closed = await ctx.load.call({
        cmd: 'http-closed',
        baseUrl: layout.ingestUrl,
        concurrency: p.ack.concurrency,
        durationMs: p.ack.durationMs,
        maxRequests: p.ack.maxRequests,
        spec: webhookSpec(layout, `${ctx.runTag}ack`),
      });
      const non200 = Object.entries(closed.statuses).filter(([k]) => k !== '200');
      if (non200.length > 0) throw new Error(`webhook answered ${JSON.stringify(Object.fromEntries(non200))}`);
      r.hub.webhookAckRps = round(closed.okPerSec, 0);
      r.aof.webhookAckRpsNoAof = r.hub.webhookAckRps;
      const open = await ctx.load.call({
        cmd: 'http-open',
        baseUrl: layout.ingestUrl,
        ratePerSec: 1000,
        durationMs: p.ack.at1000Ms,
        spec: webhookSpec(layout, `${ctx.runTag}ack1000`),
      });
      r.aof.webhookAckP99MsAt1000NoAof = Histogram.fromJSON(open.latency).summary().p99;
      r.details['ackOnly'] = {
        closedLoop: { ...closed, latency: Histogram.fromJSON(closed.latency).summary() },
        at1000: { ...open, latency: Histogram.fromJSON(open.latency).summary() },
      };
      ctx.log(
        `hub front door (worker paused): ${r.hub.webhookAckRps} acks/s; ack-only p99 at 1,000 req/s ${r.aof.webhookAckP99MsAt1000NoAof} ms`,
      );
    } finally {
      layout.worker.resume();
    }
    const t0 = Date.now();
    const idle = await watch.waitIdle(180_000);
    ctx.log(
      `  the worker worked off that backlog in ${((Date.now() - t0) / 1000).toFixed(1)} s${idle ? '' : ' (not idle yet)'}`,
    );
  });

  // 2. End to end at the fixed rates.
  const steps: StepResult[] = [];
  await step(ctx, ['hub.webhookAckP99MsAt1000', 'hub.e2eP50MsAt1000', 'hub.e2eP99MsAt1000'], async () => {
    ctx.log('end to end, scaled layout (webhook POST → message:created on an agent socket):');
    for (const rate of p.steps.rates) {
      const s = await e2eStep(ctx, target, {
        rate,
        durationMs: p.steps.durationMs,
        settleMs: p.steps.settleMs,
        p99LimitMs: p.sustained.p99LimitMs,
        label: 'fixed',
      });
      steps.push(stepForFile(s));
      lost.push(s.missing);
      doubled.push(s.doubles);
      if (rate === 1000) {
        r.hub.webhookAckP50MsAt1000 = s.ack.p50;
        r.hub.webhookAckP99MsAt1000 = s.ack.p99;
        r.hub.webhookAckP999MsAt1000 = s.ack.p999;
        r.hub.e2eP50MsAt1000 = s.e2e.p50;
        r.hub.e2eP99MsAt1000 = s.e2e.p99;
      }
      await watch.waitIdle(120_000);
    }
    r.details['e2eSteps'] = steps;
  });

  // 3. The highest rate held for the hold window with p99 under the limit, no loss, no
  //    doubles and no backlog growth: start from the best fixed step, then bisect.
  await step(ctx, ['hub.e2eMaxSustainedRps'], async () => {
    const passing = steps.filter((s) => s.pass).map((s) => s.rate);
    const failing = steps.filter((s) => !s.pass).map((s) => s.rate);
    let lo = passing.length ? Math.max(...passing) : 0;
    let hi = failing.filter((f) => f > lo).length ? Math.min(...failing.filter((f) => f > lo)) : Math.max(lo * 2, 200);
    let confirmed: number | null = null;
    const holds: StepResult[] = [];
    let candidate = lo > 0 ? lo : Math.min(50, hi / 2);
    ctx.log(`sustained: holding each candidate for ${p.sustained.holdMs / 1000} s`);
    for (let attempt = 0; attempt < p.sustained.attempts; attempt++) {
      const s = await e2eStep(ctx, target, {
        rate: candidate,
        durationMs: p.sustained.holdMs,
        settleMs: p.steps.settleMs,
        p99LimitMs: p.sustained.p99LimitMs,
        label: 'hold',
      });
      holds.push(stepForFile(s));
      lost.push(s.missing);
      doubled.push(s.doubles);
      await watch.waitIdle(180_000);
      if (s.pass) {
        confirmed = Math.max(confirmed ?? 0, candidate);
        lo = candidate;
      } else {
        hi = candidate;
        if (confirmed === null) lo = Math.floor(lo / 2);
      }
      const next = Math.round((lo + hi) / 2 / 25) * 25;
      if (next <= 0 || next === candidate || (confirmed !== null && hi - lo <= Math.max(25, lo * 0.1))) break;
      candidate = next;
    }
    r.details['sustainedHolds'] = holds;
    r.hub.e2eMaxSustainedRps = confirmed;
    if (confirmed === null) {
      ctx.fail(
        'hub.e2eMaxSustainedRps',
        `no rate tried held for ${p.sustained.holdMs / 1000} s with p99 < ${p.sustained.p99LimitMs} ms, no loss and no backlog growth (tried ${holds.map((h) => h.rate).join(', ')} msg/s)`,
      );
    }
    ctx.log(`  highest rate held: ${confirmed ?? 'none'} msg/s`);
  });

  // 4. Recovery after a worker outage, with live traffic flowing.
  await step(ctx, ['hub.backlogDrainJobsPerSec'], async () => {
    const b = p.backlog;
    layout.worker.pause();
    const tag = `${ctx.runTag}backlog`;
    let posted;
    try {
      posted = await ctx.load.call({
        cmd: 'http-closed',
        baseUrl: layout.ingestUrl,
        concurrency: 64,
        durationMs: 120_000,
        maxRequests: b.jobs,
        spec: webhookSpec(layout, tag),
      });
    } catch (err) {
      layout.worker.resume();
      throw err;
    }
    const backlog = await watch.pending('inbound');
    const estimate = Math.max(100, r.hub.e2eMaxSustainedRps ?? 300);
    const liveMs = Math.min(120_000, Math.max(5_000, (1.5 * backlog * 1000) / estimate));
    const live = ctx.load.call({
      cmd: 'e2e',
      baseUrl: layout.ingestUrl,
      ratePerSec: b.liveRate,
      durationMs: liveMs,
      settleMs: 180_000,
      spec: webhookSpec(layout, `${ctx.runTag}live`),
    });
    await sleep(100);
    const t0 = performance.now();
    layout.worker.resume();
    // Drained: only live traffic left in the queue (a few jobs in flight at most).
    const threshold = Math.max(10, Math.ceil(b.liveRate * 0.2));
    let drainedAt: number | null = null;
    while (performance.now() - t0 < 300_000) {
      const n = await watch.pending('inbound');
      if (n <= threshold) {
        drainedAt = performance.now();
        break;
      }
      await sleep(100);
    }
    const liveResult = await live;
    if (drainedAt === null) throw new Error(`the backlog of ${backlog} jobs was not worked off within 300 s`);
    const seconds = (drainedAt - t0) / 1000;
    const jobs = backlog + b.liveRate * seconds;
    r.hub.backlogDrainJobsPerSec = round(jobs / seconds, 0);
    await watch.waitIdle(120_000);
    const liveFinal = await ctx.load.call({ cmd: 'e2e-final' });
    const stored = await storedCount(ctx.db.url, tag);
    // Every backlog POST answered 200 (http-closed counts them); the messages among them:
    const mix = webhookSpec(layout, tag).mix;
    let expected = 0;
    for (let i = 0; i < posted.sent; i++) if (kindOf(mix, i) !== 'status') expected += 1;
    const allAcked = (posted.statuses['200'] ?? 0) === posted.sent;
    r.details['backlog'] = {
      backlogJobs: backlog,
      posted: posted.sent,
      postedStatuses: posted.statuses,
      drainSeconds: round(seconds),
      liveRate: b.liveRate,
      liveAck: Histogram.fromJSON(liveResult.ack).summary(),
      liveE2e: Histogram.fromJSON(liveFinal.e2e).summary(),
      liveMissing: liveFinal.missing,
      backlogMessagesStored: stored.distinct,
      backlogMessagesStoredRows: stored.rows,
      backlogMessagesExpected: allAcked ? expected : null,
    };
    lost.push(liveFinal.missing + (allAcked ? Math.max(0, expected - stored.distinct) : 0));
    doubled.push(stored.rows - stored.distinct);
    ctx.log(
      `backlog: ${backlog} inbound jobs worked off in ${seconds.toFixed(1)} s with ${b.liveRate} msg/s live → ${r.hub.backlogDrainJobsPerSec} jobs/s; ` +
        `live ack p99 ${Histogram.fromJSON(liveResult.ack).summary().p99} ms, live e2e p99 ${Histogram.fromJSON(liveFinal.e2e).summary().p99} ms`,
    );
  });

  // 5. The webhook path on a Redis with appendonly yes (everysec): a second ingest process on
  //    an AOF Redis of its own (no worker there — the front door alone, like step 1).
  await step(ctx, ['aof.webhookAckRps', 'aof.webhookAckP99MsAt1000'], async () => {
    const aof = await new RedisServer({ appendonly: true, appendfsync: 'everysec' }).start();
    try {
      const ingest = await startExtraIngest(
        { databaseUrl: ctx.db.url, redisUrl: aof.url, fake: ctx.fake, logDir: ctx.logDir },
        'ingest-aof',
      );
      try {
        await warmUp(ctx, ingest.url, webhookSpec(layout, `${ctx.runTag}aofwarm`));
        const closed = await ctx.load.call({
          cmd: 'http-closed',
          baseUrl: ingest.url,
          concurrency: p.ack.concurrency,
          durationMs: p.ack.durationMs,
          maxRequests: p.ack.maxRequests,
          spec: webhookSpec(layout, `${ctx.runTag}aof`),
        });
        r.aof.webhookAckRps = round(closed.okPerSec, 0);
        const open = await ctx.load.call({
          cmd: 'http-open',
          baseUrl: ingest.url,
          ratePerSec: 1000,
          durationMs: p.ack.at1000Ms,
          spec: webhookSpec(layout, `${ctx.runTag}aof1000`),
        });
        r.aof.webhookAckP99MsAt1000 = Histogram.fromJSON(open.latency).summary().p99;
      } finally {
        await ingest.close();
      }
    } finally {
      await aof.destroy();
    }
    ctx.log(
      `AOF (everysec) on the webhook path: ${r.aof.webhookAckRps} acks/s (no AOF ${r.aof.webhookAckRpsNoAof}), ack p99 at 1,000 req/s ${r.aof.webhookAckP99MsAt1000} ms (no AOF ${r.aof.webhookAckP99MsAt1000NoAof})`,
    );
  });

  // 6. Soak: a steady rate for five minutes, RSS of every service sampled.
  if (p.soakMs === null) {
    ctx.fail('hub.soakRssGrowthPct', 'the 5-minute soak runs in the full run only');
  } else {
    const soakMs = p.soakMs;
    await step(ctx, ['hub.soakRssGrowthPct'], async () => {
      const rate = Math.max(50, Math.min(500, Math.round(((r.hub.e2eMaxSustainedRps ?? 200) * 0.6) / 10) * 10));
      ctx.log(`soak: ${rate} msg/s for ${soakMs / 60_000} min, RSS sampled every 5 s`);
      const samples: { t: number; rss: Record<string, number | null> }[] = [];
      let sampling = true;
      const t0 = Date.now();
      const sampler = (async () => {
        while (sampling) {
          samples.push({
            t: Date.now() - t0,
            rss: Object.fromEntries(layout.processes.map((pr) => [pr.name, pr.rssBytes()])),
          });
          await sleep(5000);
        }
      })();
      const s = await e2eStep(ctx, target, {
        rate,
        durationMs: soakMs,
        settleMs: p.steps.settleMs,
        p99LimitMs: p.sustained.p99LimitMs,
        label: 'soak',
      }).finally(() => {
        sampling = false;
      });
      await sampler;
      lost.push(s.missing);
      doubled.push(s.doubles);
      const minute = 60_000;
      const growth: Record<string, number | null> = {};
      for (const pr of layout.processes) {
        const avg = (from: number, to: number) => {
          const xs = samples
            .filter((x) => x.t >= from && x.t < to)
            .map((x) => x.rss[pr.name])
            .filter((v): v is number => !!v);
          return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
        };
        const second = avg(minute, 2 * minute);
        const last = avg(soakMs - minute, soakMs + 1);
        growth[pr.name] = second && last ? round(((last - second) / second) * 100, 1) : null;
      }
      const values = Object.values(growth).filter((v): v is number => v !== null);
      r.hub.soakRssGrowthPct = values.length ? Math.max(...values) : null;
      r.details['soak'] = { rate, step: stepForFile(s), growthPct: growth, samples };
      ctx.log(`  RSS growth, last minute vs second: ${JSON.stringify(growth)} %`);
    });
  }

  r.hub.lost = lost.length ? lost.reduce((a, b) => a + b, 0) : null;
  r.hub.doubled = doubled.length ? doubled.reduce((a, b) => a + b, 0) : null;
}
