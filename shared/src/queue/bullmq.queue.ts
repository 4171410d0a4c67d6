import {
  DelayedError,
  Queue as BullQueue,
  UnrecoverableError,
  Worker,
  type BackoffStrategy,
  type Job as BullJob,
  type JobsOptions,
} from 'bullmq';
import type { Redis } from 'ioredis';
import { fromBullJobId, toBullJobId } from './bullmq.ids';
import { admit } from './bullmq.rate-limit';
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
  sleep,
  type QueueLogger,
} from './queue.policy';
import { assertRateLimits, bucketsFor } from './rate-window';

export interface BullmqQueueDeps {
  producer: Redis;
  /** Template only: BullMQ duplicates it for each worker (it needs maxRetriesPerRequest: null). */
  workerConnection: Redis;
  prefix: string;
  logger: QueueLogger;
}

// Custom backoff types, so BullMQ asks backoffStrategy (which sees the thrown error and can
// honour a RetryLaterError) instead of running its built-in 'fixed'/'exponential'.
const BACKOFF_TYPE = { fixed: 'port-fixed', exponential: 'port-exponential' } as const;

const IDLE_POLL_MS = 25;

export class BullmqQueue<T> implements Queue<T> {
  private readonly bull: BullQueue<T, void, string, T, void, string>;
  private worker: Worker<T, void, string> | undefined;
  private closed = false;
  private readonly keyBase: string;

  constructor(
    readonly name: string,
    private readonly deps: BullmqQueueDeps,
  ) {
    this.keyBase = `${deps.prefix}:${name}`;
    this.bull = new BullQueue<T, void, string, T, void, string>(name, {
      connection: deps.producer,
      prefix: deps.prefix,
    });
    this.bull.on('error', (err) => deps.logger.warn({ err, queue: name }, 'bullmq queue error'));
  }

  async add(name: string, data: T, opts: JobOptions = {}): Promise<void> {
    await this.bull.add(name, data, toBullOptions(opts));
  }

  async addBulk(jobs: { name: string; data: T; opts?: JobOptions }[]): Promise<void> {
    await this.bull.addBulk(
      jobs.map((job) => ({ name: job.name, data: job.data, opts: toBullOptions(job.opts ?? {}) })),
    );
  }

  process(handler: JobHandler<T>, opts: ProcessOptions<T> = {}): void {
    if (this.worker) throw new Error(`queue ${this.name} already has a processor`);
    if (this.closed) throw new Error(`queue ${this.name} is closed`);
    const limits = opts.rateLimits ?? [];
    assertRateLimits(limits);
    this.worker = new Worker<T, void, string>(this.name, (job, token) => this.runJob(job, token, handler, limits), {
      connection: this.deps.workerConnection,
      prefix: this.deps.prefix,
      concurrency: Math.max(1, Math.floor(opts.concurrency ?? 1)),
      settings: { backoffStrategy },
    });
    this.worker.on('error', (err) => this.deps.logger.warn({ err, queue: this.name }, 'bullmq worker error'));
  }

  async deadLetters(limit = DEAD_LETTER_LIMIT): Promise<DeadJob<T>[]> {
    // The failed set only holds jobs past their last try; retries wait in delayed/wait.
    const jobs = await this.bull.getFailed(0, limit - 1);
    return jobs.map((job) => ({
      id: fromBullJobId(job.id ?? ''),
      name: job.name,
      data: job.data,
      attempts: job.attemptsMade,
      error: job.failedReason,
      failedAt: new Date(job.finishedOn ?? job.timestamp),
    }));
  }

  async pending(): Promise<number> {
    return this.bull.getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active', 'waiting-children');
  }

  async idle(timeoutMs = DEFAULT_IDLE_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = await this.pending();
      if (pending === 0) return;
      if (Date.now() >= deadline) {
        throw new Error(`queue ${this.name} not idle after ${timeoutMs} ms (${pending} pending)`);
      }
      await sleep(IDLE_POLL_MS);
    }
  }

  /** Waits for in-flight jobs; jobs not started stay in Redis for the next worker. */
  async closeWorker(): Promise<void> {
    await this.worker?.close();
  }

  /**
   * After the close timeout: drop the connections. The lock of a job still running is no
   * longer renewed; once it expires, the next worker's stalled-job check puts it back to wait.
   */
  async forceCloseWorker(): Promise<void> {
    await this.worker?.disconnect();
  }

  async closeQueue(): Promise<void> {
    this.closed = true;
    await this.bull.close();
  }

  private async runJob(
    bullJob: BullJob<T, void, string>,
    token: string | undefined,
    handler: JobHandler<T>,
    limits: RateLimit<T>[],
  ): Promise<void> {
    const job = toPortJob(bullJob);
    if (limits.length > 0 && token !== undefined && bullJob.id !== undefined) {
      const waitMs = await admit(this.deps.producer, {
        owner: bullJob.id,
        priorityRank: bullJob.opts.priority ?? priorityRank(0),
        buckets: bucketsFor(limits, job).map((b) => ({ ...b, key: `${this.keyBase}:rl:${b.bucket}` })),
      });
      if (waitMs > 0) {
        // moveToDelayed does not count an attempt: waiting for a rate limit is not a try.
        await bullJob.moveToDelayed(Date.now() + waitMs, token);
        throw new DelayedError();
      }
    }
    try {
      await handler(job);
    } catch (err) {
      if (isPermanentError(err)) throw new UnrecoverableError(errorMessage(err));
      throw err instanceof Error ? err : new Error(errorMessage(err));
    }
  }
}

const backoffStrategy: BackoffStrategy = (attemptsMade, type, err, job) => {
  const later = retryAfterMs(err);
  if (later !== undefined) return later;
  const backoff = job?.opts.backoff;
  const delayMs = typeof backoff === 'object' ? (backoff.delay ?? 0) : (backoff ?? 0);
  return backoffDelayMs({ type: type === BACKOFF_TYPE.fixed ? 'fixed' : 'exponential', delayMs }, attemptsMade);
};

function toBullOptions(opts: JobOptions): JobsOptions {
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  return {
    ...(opts.jobId ? { jobId: toBullJobId(opts.jobId) } : {}),
    delay: Math.max(0, opts.delayMs ?? 0),
    attempts: Math.max(1, Math.floor(opts.attempts ?? 1)),
    backoff: { type: BACKOFF_TYPE[backoff.type], delay: Math.max(0, backoff.delayMs) },
    priority: priorityRank(opts.priority ?? 0),
    // Completed ids stay known this long, so a re-delivered webhook is a no-op.
    removeOnComplete: { age: COMPLETED_KEEP.ageMs / 1000, count: COMPLETED_KEEP.count },
    removeOnFail: { count: DEAD_LETTER_LIMIT },
  };
}

function toPortJob<T>(job: BullJob<T, void, string>): Job<T> {
  return {
    id: fromBullJobId(job.id ?? ''),
    name: job.name,
    data: job.data,
    attempt: job.attemptsMade + 1,
    maxAttempts: job.opts.attempts ?? 1,
  };
}
