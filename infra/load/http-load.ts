import { Agent, request } from 'node:http';
import { Histogram, type HistogramJson } from './histogram';

// HTTP load over keep-alive node:http agents, in two shapes:
//   closed loop — `concurrency` callers each sending the next request when the previous one
//   answered: the most the server (with this client) can do, i.e. requests per second;
//   open loop — requests go out on a fixed schedule (request i at t0 + i/rate) whatever the
//   answers do, and latency is counted from the scheduled time, so a stalled server shows up
//   as latency instead of quietly lowering the offered rate (coordinated omission).
// Both are bounded by a request count and a duration.

export interface OutgoingRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
  method?: 'POST' | 'GET';
}

export interface Answer {
  status: number;
  body: string;
}

export class HttpTarget {
  readonly agent: Agent;
  readonly host: string;
  readonly port: number;

  constructor(
    baseUrl: string,
    maxSockets = 256,
    private readonly timeoutMs = 30_000,
  ) {
    const u = new URL(baseUrl);
    if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') {
      throw new Error(`load only goes to this machine (127.0.0.1), not ${u.hostname}`);
    }
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  send(req: OutgoingRequest): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const r = request(
        {
          agent: this.agent,
          host: this.host,
          port: this.port,
          method: req.method ?? 'POST',
          path: req.path,
          headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      r.on('timeout', () => r.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      r.on('error', reject);
      r.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface RunResult {
  /** Requests issued. */
  sent: number;
  /** Answered (any status). */
  answered: number;
  /** Answer counts by status ("error" for a transport error). */
  statuses: Record<string, number>;
  elapsedMs: number;
  /** Answers per second over the run (2xx only). */
  okPerSec: number;
  latency: HistogramJson;
  /** Open loop only: requests that went out more than 10 ms after their scheduled time. */
  lateStarts?: number;
  /** Open loop only: the largest in-flight count seen. */
  maxInFlight?: number;
}

function countStatus(statuses: Record<string, number>, key: string) {
  statuses[key] = (statuses[key] ?? 0) + 1;
}

const isOk = (s: number) => s >= 200 && s < 300;

/** Closed loop: `concurrency` callers until `maxRequests` are sent or `durationMs` passes. */
export async function runClosedLoop(opts: {
  target: HttpTarget;
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  build: (i: number) => OutgoingRequest;
  onAnswer?: (i: number, a: Answer | Error, startedAt: number) => void;
}): Promise<RunResult> {
  const hist = new Histogram();
  const statuses: Record<string, number> = {};
  let next = 0;
  let answered = 0;
  let ok = 0;
  const t0 = performance.now();
  const deadline = t0 + opts.durationMs;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.maxRequests && performance.now() < deadline) {
        const i = next++;
        const req = opts.build(i);
        const s = performance.now();
        try {
          const a = await opts.target.send(req);
          hist.recordMs(performance.now() - s);
          countStatus(statuses, String(a.status));
          if (isOk(a.status)) ok += 1;
          opts.onAnswer?.(i, a, s);
        } catch (err) {
          countStatus(statuses, 'error');
          opts.onAnswer?.(i, err as Error, s);
        }
        answered += 1;
      }
    }),
  );
  const elapsedMs = performance.now() - t0;
  return {
    sent: next,
    answered,
    statuses,
    elapsedMs,
    okPerSec: ok / (elapsedMs / 1000),
    latency: hist.toJSON(),
  };
}

/**
 * Open loop: request i is due at t0 + i·1000/rate; a 1 ms ticker sends everything due.
 * Latency (and `onAnswer`'s scheduledAt) counts from the due time.
 */
export async function runOpenLoop(opts: {
  target: HttpTarget;
  ratePerSec: number;
  durationMs: number;
  /** Requests beyond this many unanswered fail at once as "overload" (a bound on memory). */
  maxInFlight?: number;
  build: (i: number) => OutgoingRequest;
  onSend?: (i: number, scheduledAt: number) => void;
  onAnswer?: (i: number, a: Answer | Error, scheduledAt: number) => void;
  /** Answers still outstanding after the schedule get this long before the run ends. */
  drainMs?: number;
}): Promise<RunResult> {
  const total = Math.max(1, Math.floor((opts.ratePerSec * opts.durationMs) / 1000));
  const gap = 1000 / opts.ratePerSec;
  const cap = opts.maxInFlight ?? 8192;
  const hist = new Histogram();
  const statuses: Record<string, number> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  let answered = 0;
  let ok = 0;
  let late = 0;
  let lastAnswerAt = 0;
  const pending = new Set<Promise<void>>();
  const t0 = performance.now() + 5;
  let i = 0;
  const fire = (n: number) => {
    const due = t0 + n * gap;
    if (performance.now() - due > 10) late += 1;
    if (inFlight >= cap) {
      countStatus(statuses, 'overload');
      answered += 1;
      opts.onAnswer?.(n, new Error('load generator in-flight cap reached'), due);
      return;
    }
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    opts.onSend?.(n, due);
    const p = opts.target.send(opts.build(n)).then(
      (a) => {
        const now = performance.now();
        hist.recordMs(now - due);
        countStatus(statuses, String(a.status));
        if (isOk(a.status)) ok += 1;
        lastAnswerAt = now;
        opts.onAnswer?.(n, a, due);
      },
      (err: unknown) => {
        countStatus(statuses, 'error');
        opts.onAnswer?.(n, err as Error, due);
      },
    );
    const tracked = p.finally(() => {
      inFlight -= 1;
      answered += 1;
      pending.delete(tracked);
    });
    pending.add(tracked);
  };
  while (i < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - t0) / gap) + 1);
    while (i < due) fire(i++);
    if (i < total) await new Promise((r) => setTimeout(r, 1));
  }
  const scheduleEnd = performance.now();
  const drain = Promise.all([...pending]);
  await Promise.race([drain, new Promise((r) => setTimeout(r, opts.drainMs ?? 30_000))]);
  const elapsedMs = Math.max(scheduleEnd, lastAnswerAt) - t0;
  return {
    sent: total,
    answered,
    statuses,
    elapsedMs,
    okPerSec: ok / (elapsedMs / 1000),
    latency: hist.toJSON(),
    lateStarts: late,
    maxInFlight,
  };
}
