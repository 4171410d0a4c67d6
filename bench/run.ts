import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startFakePlatforms, type FakePlatforms } from '../infra/fake-platforms';
import { forkIpc, REPO_ROOT, type IpcChild } from '../infra/load/ipc';
import { startLoadProcess, type LoadProcess } from '../infra/load/load.client';
import { startScaled, type ScaledLayout } from '../infra/load/layout/hub-layout';
import {
  createDatabase,
  PG_ADMIN_URL,
  RedisServer,
  stopStarted,
  type TempDatabase,
} from '../infra/load/layout/servers';
import { QueueWatch, type BenchContext } from './bench.context';
import { FULL, QUICK } from './bench.profile';
import { embeddedPhase } from './phases/embedded.phase';
import { fanoutPhase } from './phases/fanout.phase';
import { outboundPhase } from './phases/outbound.phase';
import { rawPhase, step } from './phases/raw.phase';
import { scaledPhase } from './phases/scaled.phase';
import { latencyChart } from './report/chart';
import { markdownReport } from './report/markdown';
import { computeRatios, computeTargets, emptyResults, type Results, type StepResult } from './report/results';

// npm run bench [-- --quick] [-- --phases=raw,scaled,outbound,fanout,embedded]
//
// Stands up everything itself — a Redis of its own (the machine's shared one and its key
// prefixes stay untouched), a fresh PostgreSQL database on the local server, the fake
// platforms, the load process, the raw-limit process, the hub in the scaled layout (crm,
// ingest, worker, gateway as separate processes) and then the embedded hub — measures, and
// tears it all down. Writes bench/results/latest.{json,md,svg} and dated copies. Targets are
// printed as pass/fail, never asserted. All traffic stays on 127.0.0.1.

const PHASES = ['raw', 'scaled', 'outbound', 'fanout', 'embedded'] as const;
type Phase = (typeof PHASES)[number];

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const phasesArg = argv.find((a) => a.startsWith('--phases='))?.slice('--phases='.length);
const phases = new Set<Phase>(phasesArg ? (phasesArg.split(',') as Phase[]) : PHASES);
const profile = quick ? QUICK : FULL;
// Every loop is bounded on its own; this is the backstop for the whole run.
const WATCHDOG_MS = quick ? 10 * 60_000 : 75 * 60_000;

function version(cmd: string, args: string[], pattern: RegExp): string | null {
  try {
    return pattern.exec(execFileSync(cmd, args, { encoding: 'utf8' }))?.[1] ?? null;
  } catch {
    return null;
  }
}

async function machine(): Promise<Record<string, unknown>> {
  let postgres: string | null = null;
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await c.connect();
    postgres = (await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? null;
  } finally {
    await c.end().catch(() => undefined);
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    postgres,
    redis: version('redis-server', ['--version'], /v=(\S+)/),
    loadAvg: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    note: 'load generator, hub services, PostgreSQL and Redis share these cores (and the machine is shared)',
  };
}

function getPath(r: Results, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], r);
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
  const logDir = join(tmpdir(), `hub-bench-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  const log = (line: string) =>
    process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  log(`bench (${profile.name}), phases: ${[...phases].join(', ')}; service logs in ${logDir}`);

  const results = emptyResults(profile.name, await machine());
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    // Services and Redis servers first (a database is never dropped under a live service).
    await stopStarted();
    for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: cleaning up');
    void cleanup().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const watchdog = setTimeout(() => {
    log(`watchdog: the run passed ${WATCHDOG_MS / 60_000} min, stopping`);
    void cleanup().then(() => process.exit(3));
  }, WATCHDOG_MS);
  watchdog.unref();

  try {
    const fake: FakePlatforms = await startFakePlatforms({ rateLimit: { perSecond: profile.outbound.limitPerSec } });
    cleanups.push(() => fake.close());
    const redis = await new RedisServer({ appendonly: false }).start();
    cleanups.push(() => redis.destroy());
    const db: TempDatabase = await createDatabase('hub_bench');
    cleanups.push(() => db.drop());
    const load: LoadProcess = await startLoadProcess();
    cleanups.push(() => load.stop());
    const raw: IpcChild = await forkIpc('bench/raw/raw.main.ts', 'raw process');
    cleanups.push(() => raw.stop());

    const ctx: BenchContext = {
      profile,
      results,
      fake,
      load,
      raw,
      redis,
      db,
      logDir,
      runTag: randomBytes(3).toString('hex'),
      log,
      fail(key, reason) {
        if (getPath(results, key) === null && !results.reasons[key]) results.reasons[key] = reason;
      },
    };

    if (phases.has('raw')) await rawPhase(ctx);

    const wantsScaled = phases.has('scaled') || phases.has('outbound') || phases.has('fanout');
    if (wantsScaled) {
      let layout: ScaledLayout | undefined;
      await step(ctx, ['hub.webhookAckRps', 'hub.e2eMaxSustainedRps', 'hub.gatewayFanoutMs1000'], async () => {
        log('starting the scaled layout (crm, ingest, worker, gateway as separate processes)');
        layout = await startScaled({ databaseUrl: db.url, redisUrl: redis.url, fake, logDir });
        log(`  up: ingest ${layout.ingestUrl}, gateway ${layout.gatewayUrl}, api ${layout.apiUrl}`);
      });
      if (layout) {
        const watch = new QueueWatch(redis.url);
        try {
          await load.call({
            cmd: 'agents-open',
            url: layout.gatewayUrl,
            token: await layout.login(),
            names: ['admin-1', 'admin-2'],
          });
          if (phases.has('scaled')) await scaledPhase(ctx, layout, watch);
          if (phases.has('outbound')) await outboundPhase(ctx, layout);
          if (phases.has('fanout')) await fanoutPhase(ctx, layout);
        } finally {
          const crashes = layout.processes.flatMap((pr) => pr.crashes.map((c) => ({ service: pr.name, ...c })));
          results.details['crashes'] = crashes;
          for (const c of crashes) log(`  crash: ${c.service} ${c.note} at ${c.at} (restarted)`);
          await load.call({ cmd: 'agents-close' }).catch(() => undefined);
          await watch.close().catch(() => undefined);
          // Frees the cores for the embedded run.
          await layout.close();
        }
      }
    }
    if (phases.has('embedded')) await embeddedPhase(ctx);
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }

  // Everything still null gets a reason.
  for (const group of ['raw', 'hub', 'aof'] as const) {
    for (const [k, v] of Object.entries(results[group])) {
      const key = `${group}.${k}`;
      if (v === null && !results.reasons[key]) {
        const phase =
          group === 'raw'
            ? 'raw'
            : k.startsWith('outbound')
              ? 'outbound'
              : k.startsWith('gateway')
                ? 'fanout'
                : k.startsWith('embedded')
                  ? 'embedded'
                  : group === 'aof' && (k.startsWith('bullmq') || k.startsWith('redis'))
                    ? 'raw'
                    : 'scaled';
        results.reasons[key] = phases.has(phase as Phase)
          ? 'not measured (see the run log)'
          : `phase "${phase}" was not run (--phases)`;
      }
    }
  }
  results.durationSec = Math.round((Date.now() - t0) / 1000);
  results.ratios = computeRatios(results);
  results.targets = computeTargets(results);

  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const base = `${stamp}${quick ? '-quick' : ''}`;
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const md = markdownReport(results);
  const details = results.details as { e2eSteps?: StepResult[]; embedded?: { steps: StepResult[] } };
  const svg = latencyChart({
    title: `Latency over load — ${results.date.slice(0, 10)} (${results.mode})`,
    scaled: details.e2eSteps ?? [],
    embedded: details.embedded?.steps ?? [],
  });
  for (const name of ['latest', base]) {
    writeFileSync(join(dir, `${name}.json`), json);
    writeFileSync(join(dir, `${name}.md`), md);
    writeFileSync(join(dir, `${name}.svg`), svg);
  }

  log('targets (pass/fail lines, not assertions):');
  for (const t of results.targets) {
    const v = t.value === null ? 'null' : String(t.value);
    log(`  ${t.pass === null ? '  —  ' : t.pass ? ' PASS' : ' FAIL'}  ${t.description}: ${v} (${t.threshold})`);
  }
  const nulls = Object.entries(results.reasons);
  if (nulls.length) {
    log('null figures:');
    for (const [k, v] of nulls) log(`  ${k}: ${v}`);
  }
  log(`written: bench/results/latest.{json,md,svg} and bench/results/${base}.{json,md,svg}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
