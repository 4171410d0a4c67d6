// Rules both drivers share, so the contract suite sees the same behaviour from each.
import { PermanentJobError, RetryLaterError, type JobOptions } from './queue.port';

export interface QueueLogger {
  warn(obj: object, msg?: string): void;
}

export type Backoff = NonNullable<JobOptions['backoff']>;

export const DEFAULT_BACKOFF: Backoff = { type: 'exponential', delayMs: 500 };
/** Completed ids kept for dedupe: a webhook re-delivered within this window is a no-op. */
export const COMPLETED_KEEP = { count: 10_000, ageMs: 24 * 60 * 60 * 1000 };
export const DEAD_LETTER_LIMIT = 1_000;
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export const consoleLogger: QueueLogger = {
  warn: (obj, msg) => console.warn(msg ?? 'queue warning', obj),
};

/** Delay before the next try after `failedAttempt` (1-based) failed. */
export function backoffDelayMs(backoff: Backoff, failedAttempt: number): number {
  const base = Math.max(0, backoff.delayMs);
  return backoff.type === 'fixed' ? base : Math.round(base * 2 ** (failedAttempt - 1));
}

// Checked by name too: a second copy of the port module (e.g. a bundled handler)
// would defeat instanceof.
export function isPermanentError(err: unknown): boolean {
  return err instanceof PermanentJobError || (err instanceof Error && err.name === 'PermanentJobError');
}

export function retryAfterMs(err: unknown): number | undefined {
  if (err instanceof RetryLaterError) return Math.max(0, err.retryAfterMs);
  if (err instanceof Error && err.name === 'RetryLaterError' && 'retryAfterMs' in err) {
    const ms = err.retryAfterMs;
    if (typeof ms === 'number' && Number.isFinite(ms)) return Math.max(0, ms);
  }
  return undefined;
}

// The port says higher runs first with 0 as the default; BullMQ runs lower numbers first and
// unprioritised (0) jobs before all prioritised ones. One rank for both drivers: every job
// gets one, around a midpoint, on BullMQ's scale (1 … 2^21 - 1, lower first).
const RANK_MAX = 2 ** 21 - 1;
const RANK_ZERO = 2 ** 20;

export function priorityRank(priority: number): number {
  return Math.min(RANK_MAX, Math.max(1, RANK_ZERO - Math.round(priority)));
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// BullMQ forbids ':' in queue names; the memory driver uses the name as a file name.
// One rule for both keeps a queue portable between drivers.
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function assertQueueName(name: string): void {
  if (!QUEUE_NAME.test(name)) {
    throw new Error(`invalid queue name "${name}": use letters, digits, '.', '_' or '-'`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true if `work` settled within `ms`, false on timeout (work keeps running). */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true as const,
        () => true as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
