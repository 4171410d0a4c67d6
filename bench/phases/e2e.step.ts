import pg from 'pg';
import { Histogram } from '../../infra/load/histogram';
import type { E2eResult } from '../../infra/load/load.protocol';
import type { BenchChannel } from '../../infra/load/layout/hub-layout';
import { round, type BenchContext, type QueueWatch } from '../bench.context';
import type { StepResult } from '../report/results';

// One end-to-end run at a fixed rate: signed webhooks POSTed open-loop to ingest, latency to
// message:created on the tracking agent's socket, backlog sampled while it runs, and the
// counts checked afterwards — on every agent socket and (scaled) in the database.

export interface StepTarget {
  ingestUrl: string;
  channel: BenchChannel;
  /** Scaled layout: queue counts and the database; embedded: neither is reachable from outside. */
  watch?: QueueWatch;
  databaseUrl?: string;
}

let stepNo = 0;

export async function e2eStep(
  ctx: BenchContext,
  target: StepTarget,
  opts: {
    rate: number;
    durationMs: number;
    settleMs: number;
    p99LimitMs: number;
    label: string;
    /** Scaled: after the settle window, wait this long for the queues to empty before counting. */
    idleWaitMs?: number;
  },
): Promise<StepResult & { result: E2eResult }> {
  const runTag = `${ctx.runTag}s${++stepNo}`;
  const before = await ctx.load.call({ cmd: 'agents-stats' });
  const backlog: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling && target.watch) {
      backlog.push(await target.watch.pending('inbound').catch(() => -1));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const result = await ctx.load
    .call({
      cmd: 'e2e',
      baseUrl: target.ingestUrl,
      ratePerSec: opts.rate,
      durationMs: opts.durationMs,
      settleMs: opts.settleMs,
      spec: {
        kind: 'webhook',
        path: target.channel.webhookPath,
        startIndex: 0,
        mix: {
          phoneNumberId: target.channel.phoneNumberId,
          appSecret: target.channel.appSecret,
          senders: 500,
          runTag,
        },
      },
    })
    .finally(() => {
      sampling = false;
    });
  await sampler;
  // A message not seen yet may only be late (a backlog still draining): count loss once the
  // queues are empty, and let the sockets catch up.
  let drainMs = 0;
  let idle = true;
  if (target.watch && result.missingAtEnd > 0) {
    const t0 = Date.now();
    idle = await target.watch.waitIdle(opts.idleWaitMs ?? 300_000);
    for (let i = 0; i < 40; i++) {
      const st = await ctx.load.call({ cmd: 'agents-stats' });
      if ((st.agents[0]?.missing ?? 0) <= (before.agents[0]?.missing ?? 0)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    drainMs = Date.now() - t0;
  }
  const final = await ctx.load.call({ cmd: 'e2e-final' });
  const after = await ctx.load.call({ cmd: 'agents-stats' });
  // Samples taken during the schedule (the run's length is known; the settle is not counted).
  const scheduleSamples = backlog.slice(0, Math.max(1, Math.ceil(opts.durationMs / 250)));
  const doubles = Math.max(0, ...after.agents.map((a, i) => a.doubles - (before.agents[i]?.doubles ?? 0)));
  const socketMissing = Math.max(0, ...after.agents.map((a, i) => a.missing - (before.agents[i]?.missing ?? 0)));
  let stored: { rows: number; distinct: number } | undefined;
  if (target.databaseUrl) stored = await storedCount(target.databaseUrl, runTag);
  const lostInDb = stored ? Math.max(0, result.ackedMessages - stored.distinct) : 0;
  const doubledInDb = stored ? stored.rows - stored.distinct : 0;

  const ack = Histogram.fromJSON(result.ack).summary();
  const e2e = Histogram.fromJSON(final.e2e).summary();
  const why: string[] = [];
  const non200 = Object.entries(result.failures).filter(([k]) => k !== '200');
  if (non200.length > 0) why.push(`non-200 answers ${JSON.stringify(Object.fromEntries(non200))}`);
  // With the queue still busy a missing message may only be late: not counted as lost.
  const missing = idle ? Math.max(final.missing, socketMissing, lostInDb) : 0;
  if (!idle) why.push(`queue still busy ${Math.round(drainMs / 1000)} s after the run: loss not verified`);
  else if (final.missing > 0 || socketMissing > 0) {
    why.push(
      `${Math.max(final.missing, socketMissing)} not on a socket${target.watch ? ' (queues empty)' : ` within ${opts.settleMs / 1000} s`}`,
    );
  }
  if (idle && lostInDb > 0) why.push(`${lostInDb} acknowledged but not stored`);
  if (doubles + doubledInDb > 0) why.push(`${doubles + doubledInDb} doubled`);
  if (e2e.p99 === null || e2e.p99 > opts.p99LimitMs) why.push(`p99 ${e2e.p99} ms > ${opts.p99LimitMs} ms`);
  const backlogAtEnd = scheduleSamples.length ? scheduleSamples[scheduleSamples.length - 1]! : null;
  if (backlogAtEnd !== null && backlogAtEnd > Math.max(50, opts.rate * 0.5)) {
    why.push(`backlog growing (${backlogAtEnd} inbound jobs waiting at the end)`);
  }
  const step: StepResult & { result: E2eResult } = {
    rate: opts.rate,
    durationMs: opts.durationMs,
    posted: result.posted,
    ackedMessages: result.ackedMessages,
    failures: result.failures,
    ack,
    e2e,
    missing,
    verified: idle,
    doubles: doubles + doubledInDb,
    backlogAtEnd,
    backlogMax: scheduleSamples.length ? Math.max(...scheduleSamples) : null,
    settleMs: round(result.settleMs + drainMs, 0) ?? 0,
    pass: why.length === 0,
    why,
    result,
  };
  ctx.log(
    `  ${opts.label} ${opts.rate} msg/s × ${opts.durationMs / 1000} s: ack p99 ${ack.p99} ms, e2e p50 ${e2e.p50} / p99 ${e2e.p99} ms, ` +
      `backlog max ${step.backlogMax ?? '–'}, missing ${step.missing}, doubles ${step.doubles} → ${step.pass ? 'holds' : `fails (${why.join('; ')})`}`,
  );
  return step;
}

/** Rows stored for a run tag's wamids: total and distinct provider ids. */
export async function storedCount(databaseUrl: string, runTag: string): Promise<{ rows: number; distinct: number }> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ rows: string; distinct: string }>(
      `select count(*) as rows, count(distinct (channel_id, provider_message_id)) as distinct
         from messages where provider_message_id like $1`,
      [`wamid.${runTag}.%`],
    );
    return { rows: Number(r.rows[0]!.rows), distinct: Number(r.rows[0]!.distinct) };
  } finally {
    await c.end();
  }
}

/** A StepResult without the raw load result (for the results file). */
export function stepForFile(s: StepResult & { result?: E2eResult }): StepResult {
  const { result: _result, ...rest } = s;
  return rest;
}
