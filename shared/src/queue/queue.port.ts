// The queue port: one small interface, two drivers (memory.driver.ts, bullmq.driver.ts),
// one contract suite (../../test/queue.contract.test.ts) that both pass.

export interface JobOptions {
  /** Deduplicates: a second add with the same id while the first is known is a no-op. */
  jobId?: string;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
  /** Total tries including the first (default 1). */
  attempts?: number;
  /** Wait between tries: exponential doubles from delayMs (default exponential 500 ms). */
  backoff?: { type: 'fixed' | 'exponential'; delayMs: number };
  /** Higher runs first among ready jobs (default 0). Used to keep live traffic ahead of bulk work. */
  priority?: number;
}

export interface Job<T> {
  id: string;
  name: string;
  data: T;
  /** 1 on the first try. */
  attempt: number;
  maxAttempts: number;
}

export interface DeadJob<T> {
  id: string;
  name: string;
  data: T;
  attempts: number;
  error: string;
  failedAt: Date;
}

export interface RateLimit<T> {
  /**
   * Which bucket a job belongs to (e.g. the channel or the chat). null: this limit does not
   * apply to the job (e.g. a per-chat limit only some platforms have).
   */
  key: (job: Job<T>) => string | null;
  /** A number, or per job (limits configured per channel travel in the job's data). */
  max: number | ((job: Job<T>) => number);
  durationMs: number | ((job: Job<T>) => number);
}

export interface ProcessOptions<T> {
  concurrency?: number;
  /** Several limits may apply at once (e.g. per bot and per chat); a job waits for all. */
  rateLimits?: RateLimit<T>[];
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface Queue<T> {
  readonly name: string;
  add(name: string, data: T, opts?: JobOptions): Promise<void>;
  addBulk(jobs: { name: string; data: T; opts?: JobOptions }[]): Promise<void>;
  /** Starts consuming. One processor per queue per process. */
  process(handler: JobHandler<T>, opts?: ProcessOptions<T>): void;
  /** Jobs that used their last attempt, newest first. */
  deadLetters(limit?: number): Promise<DeadJob<T>[]>;
  /** Waiting + delayed + active jobs (for health and tests). */
  pending(): Promise<number>;
  /** Resolves when nothing is waiting, delayed or active (tests). */
  idle(timeoutMs?: number): Promise<void>;
}

export interface QueueDriver {
  readonly kind: 'memory' | 'bullmq';
  queue<T>(name: string): Queue<T>;
  /**
   * Graceful: stop taking new jobs, let in-flight ones finish (up to timeoutMs), and leave
   * everything not started where another process (or the next start) will find it.
   */
  close(timeoutMs?: number): Promise<void>;
}

/** Thrown by a handler: retry, but not before retryAfterMs (e.g. a 429's retry_after). */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** Thrown by a handler: do not retry; goes straight to the dead letters. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}
