import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopStarted } from '../load/layout/servers';
import { runChaos, type ChaosVerdict, type Fault } from './chaos.scenario';

// npm run chaos [-- --rate=<webhooks/s>] [-- --reply-rate=<replies/s>]
//
// Under steady inbound load: kill -9 the worker, then the gateway, then crash and restart
// Redis (its own, appendonly yes), then make PostgreSQL refuse connections for 10 s. Then
// counts every message. Exit codes: 0 nothing lost or doubled and every check ran; 1 a loss or
// a double; 2 a check could not run (said why); 3 the run itself failed or timed out.

const arg = (name: string, fallback: number) => {
  const v = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return v === undefined ? fallback : Number(v);
};

const RATE = arg('rate', 100);
const REPLY_RATE = arg('reply-rate', 5);
const FAULTS: Fault[] = [
  { atMs: 10_000, kind: 'kill-worker', downMs: 3_000 },
  { atMs: 25_000, kind: 'kill-gateway', downMs: 3_000 },
  { atMs: 40_000, kind: 'crash-redis', downMs: 3_000 },
  { atMs: 55_000, kind: 'pg-down', downMs: 10_000 },
];
const DURATION_MS = 80_000;
// Long enough for BullMQ's stalled-job check (30 s) and the raw-log recovery sweep (60 s grace,
// every 30 s) to bring back what the faults left behind.
const SETTLE_MS = 240_000;
const WATCHDOG_MS = 12 * 60_000;

const t0 = Date.now();
const log = (line: string) =>
  process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

function report(v: ChaosVerdict): void {
  const c = v.counts;
  const line = (s: string) => process.stdout.write(`${s}\n`);
  line('');
  line('──── chaos counts ────');
  line(
    `webhooks: ${c.inbound.posted} posted, ${c.inbound.acknowledged} messages answered 200, ${c.inbound.stored} stored, ` +
      `${c.inbound.lost} lost, ${c.inbound.doubled} doubled; non-200 answers along the way ${JSON.stringify(c.inbound.non200)}; never answered 200: ${c.inbound.neverAcknowledged}`,
  );
  if (c.inbound.lostSample.length) line(`  lost (sample): ${c.inbound.lostSample.join(', ')}`);
  for (const a of c.sockets) {
    line(
      `socket ${a.name}: ${a.expected - a.missing}/${a.expected} messages, ${a.missing} missing, ${a.doubles} doubled; ` +
        `${a.reconnects} reconnects, ${a.resyncs} resyncs (${a.reloaded} reloaded from REST), ${a.ignoredRepeats} repeats ignored by seq`,
    );
    if (a.missingSample.length) line(`  missing (sample): ${a.missingSample.join(', ')}`);
  }
  const r = c.replies;
  if (r.checked) {
    line(
      `replies: ${r.accepted} accepted (202), ${r.sentOnce} sent exactly once, ${r.neverSent} never sent, ${r.sentTwice} sent twice; platform answers ${JSON.stringify(r.platformAnswers)}`,
    );
    if (r.neverSentSample.length) line(`  never sent (sample): ${r.neverSentSample.join(', ')}`);
  } else line(`replies: NOT CHECKED — ${r.reason}`);
  for (const x of c.crashes) line(`crash: ${x.service} ${x.note} at ${x.at} (restarted, as a process manager would)`);
  line(
    `faults: ${c.faults.map((f) => `${f.kind} at ${(f.atMs / 1000).toFixed(1)} s`).join(', ')}; settled in ${(c.settledMs / 1000).toFixed(1)} s`,
  );
  line(
    `TOTAL: ${v.lost} lost, ${v.doubled} doubled${v.incomplete.length ? `; incomplete: ${v.incomplete.join('; ')}` : ''}`,
  );
}

async function main(): Promise<number> {
  const logDir = join(tmpdir(), `hub-chaos-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}`);
  mkdirSync(logDir, { recursive: true });
  log(`chaos: service logs in ${logDir}`);
  const verdict = await runChaos({
    rate: RATE,
    durationMs: DURATION_MS,
    faults: FAULTS,
    replyRate: REPLY_RATE,
    settleMs: SETTLE_MS,
    appendonly: true,
    logDir,
    log,
  });
  report(verdict);
  if (verdict.lost > 0 || verdict.doubled > 0) return 1;
  if (verdict.incomplete.length > 0) return 2;
  return 0;
}

const watchdog = setTimeout(() => {
  log(`watchdog: the run passed ${WATCHDOG_MS / 60_000} min, stopping`);
  void stopStarted().then(() => process.exit(3));
}, WATCHDOG_MS);
watchdog.unref();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping everything`);
    void stopStarted().then(() => process.exit(3));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    void stopStarted().then(() => process.exit(3));
  },
);
