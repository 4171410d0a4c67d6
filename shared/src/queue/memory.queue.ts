import { randomUUID } from 'node:crypto';
import { Heap } from './heap';
import { readPersisted, removePersisted, writePersisted, type PersistedJob } from './memory.persist';
import type { DeadJob, Job, JobHandler, JobOptions, ProcessOptions, Queue, RateLimit } from './queue.port';
import {
  COMPLETED_KEEP,
  DEAD_LETTER_LIMIT,
  DEFAULT_BACKOFF,
  DEFAULT_IDLE_TIMEOUT_MS,
  backoffDelayMs,
  errorMessage,
  isPermanentError,
  priorityRank,
  retryAfterMs,
  type Backoff,
  type QueueLogger,
} from './queue.policy';
import { RateWindows, assertRateLimits, bucketsFor } from './rate-window';

interface StoredJob<T> {
  id: string;
  name: string;
  data: T;
  /** Tries that ended (failed); the running or next try is attemptsMade + 1. */
  attemptsMade: number;
  maxAttempts: number;
  backoff: Backoff;
  priority: number;
  runAt: number;
  /** Order among ready jobs of equal priority (FIFO by the time they became ready). */
  seq: number;
}

export interface MemoryQueueDeps {
  persistDir?: string;
  logger: QueueLogger;
}

export class MemoryQueue<T> implements Queue<T> {
  private readonly ready = new Heap<StoredJob<T>>(
    (a, b) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq),
  );
  private readonly delayed = new Heap<StoredJob<T>>(
    (a, b) => a.runAt < b.runAt || (a.runAt === b.runAt && a.seq < b.seq),
  );
  /** Every job not finished: waiting, delayed and active. */
  private readonly known = new Map<string, StoredJob<T>>();
  private readonly active = new Map<string, Promise<void>>();
  /** jobId → completedAt, oldest first. */
  private readonly completed = new Map<string, number>();
  /** Oldest first; also remembered for dedupe, as BullMQ keeps failed job ids. */
  private readonly dead = new Map<string, DeadJob<T>>();
  private readonly windows = new RateWindows();
  private readonly idleWaiters = new Set<() => void>();
  private handler: JobHandler<T> | undefined;
  private concurrency = 1;
  private rateLimits: RateLimit<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private pumpQueued = false;
  private seq = 0;
  private restoredFromFile = false;
  private state: 'open' | 'closing' | 'closed' = 'open';

  constructor(
    readonly name: string,
    private readonly deps: MemoryQueueDeps,
  ) {
    this.restore();
  }

  async add(name: string, data: T, opts: JobOptions = {}): Promise<void> {
    this.enqueueNew(name, data, opts);
  }

  async addBulk(jobs: { name: string; data: T; opts?: JobOptions }[]): Promise<void> {
    for (const job of jobs) this.enqueueNew(job.name, job.data, job.opts ?? {});
  }

  process(handler: JobHandler<T>, opts: ProcessOptions<T> = {}): void {
    if (this.handler) throw new Error(`queue ${this.name} already has a processor`);
    if (this.state !== 'open') throw new Error(`queue ${this.name} is closed`);
    assertRateLimits(opts.rateLimits ?? []);
    this.handler = handler;
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
    this.rateLimits = opts.rateLimits ?? [];
    // The restored jobs now live in memory again; close() writes a fresh file.
    if (this.restoredFromFile && this.deps.persistDir) removePersisted(this.deps.persistDir, this.name);
    this.requestPump();
  }

  async deadLetters(limit = DEAD_LETTER_LIMIT): Promise<DeadJob<T>[]> {
    return [...this.dead.values()].reverse().slice(0, limit);
  }

  async pending(): Promise<number> {
    return this.known.size;
  }

  async idle(timeoutMs = DEFAULT_IDLE_TIMEOUT_MS): Promise<void> {
    if (this.known.size === 0) return;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.idleWaiters.delete(done);
        reject(new Error(`queue ${this.name} not idle after ${timeoutMs} ms (${this.known.size} pending)`));
      }, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  /** Close, phase 1: start nothing new. Adds are still accepted: they get persisted. */
  beginClose(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  async inFlight(): Promise<void> {
    await Promise.all(this.active.values());
  }

  /** Close, phase 2: hand every unfinished job (in-flight ones included) to the next start. */
  finishClose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const unfinished = this.unfinishedInOrder();
    if (this.deps.persistDir) {
      writePersisted(this.deps.persistDir, this.name, {
        version: 1,
        jobs: unfinished.map(toPersisted),
        completed: [...this.completed],
      });
    } else if (unfinished.length > 0) {
      this.deps.logger.warn(
        { queue: this.name, dropped: unfinished.length },
        'memory queue closed without persistDir: unfinished jobs dropped',
      );
    }
    this.ready.clear();
    this.delayed.clear();
  }

  private enqueueNew(name: string, data: T, opts: JobOptions): void {
    if (this.state === 'closed') throw new Error(`queue ${this.name} is closed`);
    const id = opts.jobId || randomUUID();
    if (this.isKnown(id)) return;
    this.schedule(
      {
        id,
        name,
        // Same round trip as BullMQ: a Date or Map in job data fails here, in tests, too.
        data: data === undefined ? data : (JSON.parse(JSON.stringify(data)) as T),
        attemptsMade: 0,
        maxAttempts: Math.max(1, Math.floor(opts.attempts ?? 1)),
        backoff: opts.backoff ?? DEFAULT_BACKOFF,
        priority: opts.priority ?? 0,
        runAt: 0,
        seq: 0,
      },
      Date.now() + Math.max(0, opts.delayMs ?? 0),
    );
  }

  private isKnown(id: string): boolean {
    if (this.known.has(id) || this.dead.has(id)) return true;
    const completedAt = this.completed.get(id);
    if (completedAt === undefined) return false;
    if (completedAt > Date.now() - COMPLETED_KEEP.ageMs) return true;
    this.completed.delete(id);
    return false;
  }

  private schedule(job: StoredJob<T>, runAt: number): void {
    job.runAt = runAt;
    this.known.set(job.id, job);
    if (runAt <= Date.now()) {
      job.seq = ++this.seq;
      this.ready.push(job);
    } else {
      this.delayed.push(job);
    }
    this.requestPump();
  }

  private requestPump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    const handler = this.handler;
    if (this.state !== 'open' || !handler) return;
    const now = Date.now();
    for (let due = this.delayed.peek(); due && due.runAt <= now; due = this.delayed.peek()) {
      this.delayed.pop();
      due.seq = ++this.seq;
      this.ready.push(due);
    }
    while (this.active.size < this.concurrency) {
      const job = this.ready.pop();
      if (!job) break;
      let waitMs: number;
      try {
        // Read the clock per job: the window must record when this job really starts.
        waitMs = this.rateLimitWait(job, Date.now());
      } catch (err) {
        this.settle(job, err, true);
        continue;
      }
      if (waitMs > 0) {
        // Over the limit is not a failure: wait for its turn and free the slot for other keys.
        job.runAt = Date.now() + waitMs;
        this.delayed.push(job);
        continue;
      }
      this.active.set(job.id, this.run(job, handler));
    }
    this.armTimer();
  }

  private rateLimitWait(job: StoredJob<T>, now: number): number {
    if (this.rateLimits.length === 0) return 0;
    return this.windows.admit(job.id, priorityRank(job.priority), bucketsFor(this.rateLimits, toPortJob(job)), now);
  }

  private armTimer(): void {
    const next = this.delayed.peek()?.runAt;
    if (next === this.timerAt && this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (next === undefined) return;
    this.timerAt = next;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, next - Date.now()),
    );
  }

  private async run(job: StoredJob<T>, handler: JobHandler<T>): Promise<void> {
    let failed = false;
    let failure: unknown;
    try {
      await handler(toPortJob(job));
    } catch (err) {
      failed = true;
      failure = err;
    }
    this.active.delete(job.id);
    // Already written to the persist file as unfinished; the next start runs it again.
    if (this.state === 'closed') return;
    this.settle(job, failure, failed);
  }

  private settle(job: StoredJob<T>, err: unknown, failed: boolean): void {
    if (!failed) {
      this.known.delete(job.id);
      this.rememberCompleted(job.id);
    } else {
      job.attemptsMade += 1;
      if (isPermanentError(err) || job.attemptsMade >= job.maxAttempts) {
        this.known.delete(job.id);
        this.bury(job, err);
      } else {
        // A RetryLaterError still uses up the try; only its wait differs.
        this.schedule(job, Date.now() + (retryAfterMs(err) ?? backoffDelayMs(job.backoff, job.attemptsMade)));
      }
    }
    this.requestPump();
    if (this.known.size === 0) this.notifyIdle();
  }

  private rememberCompleted(id: string): void {
    const now = Date.now();
    this.completed.delete(id);
    this.completed.set(id, now);
    for (const [oldId, at] of this.completed) {
      if (this.completed.size <= COMPLETED_KEEP.count && at > now - COMPLETED_KEEP.ageMs) break;
      this.completed.delete(oldId);
    }
  }

  private bury(job: StoredJob<T>, err: unknown): void {
    this.dead.set(job.id, {
      id: job.id,
      name: job.name,
      data: job.data,
      attempts: job.attemptsMade,
      error: errorMessage(err),
      failedAt: new Date(),
    });
    for (const oldId of this.dead.keys()) {
      if (this.dead.size <= DEAD_LETTER_LIMIT) break;
      this.dead.delete(oldId);
    }
  }

  private notifyIdle(): void {
    for (const done of this.idleWaiters) done();
    this.idleWaiters.clear();
  }

  /** In-flight first, then ready in run order, then delayed: the restore keeps that order. */
  private unfinishedInOrder(): StoredJob<T>[] {
    const queued = new Set([...this.ready.values(), ...this.delayed.values()]);
    const inFlight = [...this.known.values()].filter((job) => !queued.has(job));
    const ready = [...this.ready.values()].sort((a, b) => a.seq - b.seq);
    const delayed = [...this.delayed.values()].sort((a, b) => a.runAt - b.runAt);
    return [...inFlight, ...ready, ...delayed];
  }

  private restore(): void {
    if (!this.deps.persistDir) return;
    const saved = readPersisted(this.deps.persistDir, this.name, this.deps.logger);
    if (!saved) return;
    this.restoredFromFile = true;
    const oldest = Date.now() - COMPLETED_KEEP.ageMs;
    for (const [id, at] of saved.completed) if (at > oldest) this.completed.set(id, at);
    // The file holds what this queue itself serialised earlier.
    for (const job of saved.jobs) this.schedule({ ...job, data: job.data as T, seq: 0 }, job.runAt);
  }
}

function toPortJob<T>(job: StoredJob<T>): Job<T> {
  return {
    id: job.id,
    name: job.name,
    data: job.data,
    attempt: job.attemptsMade + 1,
    maxAttempts: job.maxAttempts,
  };
}

function toPersisted<T>(job: StoredJob<T>): PersistedJob {
  const { id, name, data, attemptsMade, maxAttempts, backoff, priority, runAt } = job;
  return { id, name, data, attemptsMade, maxAttempts, backoff, priority, runAt };
}
