import type { Job, RateLimit } from './queue.port';

// Per-key rate limits for the memory driver; bullmq.rate-limit.ts is the same algorithm in
// Lua. Each bucket keeps a sliding-window log of admissions and a line of waiting jobs
// ranked by priority, then arrival. A job is admitted when fewer jobs are ahead of it than
// the window has free slots; otherwise it waits until the slot its place in line implies.
// That keeps a backlog on one key from being re-checked on every freed slot, and lets a
// live job overtake queued bulk work of the same key.

export interface BucketLimit {
  bucket: string;
  max: number;
  durationMs: number;
}

export function bucketsFor<T>(limits: readonly RateLimit<T>[], job: Job<T>): BucketLimit[] {
  const out: BucketLimit[] = [];
  for (const limit of limits) {
    const key = limit.key(job);
    if (key === null) continue;
    const max = typeof limit.max === 'function' ? limit.max(job) : limit.max;
    const durationMs = typeof limit.durationMs === 'function' ? limit.durationMs(job) : limit.durationMs;
    assertLimit(max, durationMs);
    // Encoded so a key containing ':' cannot collide with another bucket's Redis keys.
    out.push({ bucket: `${max}:${durationMs}:${encodeURIComponent(key)}`, max, durationMs });
  }
  return out;
}

function assertLimit(max: number, durationMs: number): void {
  if (!Number.isInteger(max) || max < 1 || !(durationMs > 0)) {
    throw new Error(`invalid rate limit: max ${max} per ${durationMs} ms`);
  }
}

/** Checks the fixed limits up front; per-job ones are checked when a job is admitted. */
export function assertRateLimits<T>(limits: readonly RateLimit<T>[]): void {
  for (const { max, durationMs } of limits) {
    if (typeof max === 'number' && typeof durationMs === 'number') assertLimit(max, durationMs);
  }
}

/** Rank = priority rank × SEQ_SPAN + arrival number: lower goes first. */
export const SEQ_SPAN = 2 ** 31;
/** A waiter that does not come back this long after its slot is dropped from the line. */
export const WAITER_GRACE_MS = 10_000;

/** When the job with `ahead` jobs in front of it gets a slot (ahead ≥ free). */
export function slotTime(log: readonly number[], max: number, durationMs: number, ahead: number, now: number): number {
  const free = max - log.length;
  // Free slots count as admissions made one window ago: they free up again one window on.
  const index = ahead % max;
  const base = index < free ? now - durationMs : (log[index - free] as number);
  return Math.max(now + 1, base + durationMs * (1 + Math.floor(ahead / max)));
}

interface Bucket {
  durationMs: number;
  /** Admission times within the window, ascending. */
  log: number[];
  /** Waiting jobs, ascending rank. */
  line: { rank: number; owner: string }[];
  members: Map<string, { rank: number; expiresAt: number }>;
  seq: number;
}

const SWEEP_EVERY_MS = 60_000;

export class RateWindows {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  /** 0: admitted now (and counted). Otherwise ms to wait before asking again. */
  admit(owner: string, priorityRank: number, limits: readonly BucketLimit[], now: number): number {
    this.sweep(now);
    const states = limits.map((limit) => {
      const bucket = this.bucket(limit, now);
      const free = Math.max(0, limit.max - bucket.log.length);
      const rank = bucket.members.get(owner)?.rank ?? priorityRank * SEQ_SPAN + bucket.seq + 1;
      const ahead = countBelow(bucket.line, rank);
      return { limit, bucket, rank, ahead, blocked: ahead >= free };
    });
    if (!states.some((s) => s.blocked)) {
      for (const { bucket } of states) {
        insertSorted(bucket.log, now);
        leaveLine(bucket, owner);
      }
      return 0;
    }
    let target = now + 1;
    for (const s of states) {
      if (s.blocked) target = Math.max(target, slotTime(s.bucket.log, s.limit.max, s.limit.durationMs, s.ahead, now));
    }
    for (const { bucket, rank, blocked } of states) {
      if (!blocked) {
        // Not held up here: keep no place that would hold up others while it waits elsewhere.
        leaveLine(bucket, owner);
        continue;
      }
      if (!bucket.members.has(owner)) {
        bucket.seq += 1;
        bucket.line.splice(countBelow(bucket.line, rank), 0, { rank, owner });
      }
      bucket.members.set(owner, { rank, expiresAt: target + WAITER_GRACE_MS });
    }
    return target - now;
  }

  private bucket(limit: BucketLimit, now: number): Bucket {
    let bucket = this.buckets.get(limit.bucket);
    if (!bucket) {
      bucket = { durationMs: limit.durationMs, log: [], line: [], members: new Map(), seq: 0 };
      this.buckets.set(limit.bucket, bucket);
    }
    const cutoff = now - limit.durationMs;
    let expired = 0;
    while (expired < bucket.log.length && (bucket.log[expired] as number) <= cutoff) expired++;
    if (expired > 0) bucket.log.splice(0, expired);
    return bucket;
  }

  // Per-chat keys come and go: forget idle buckets and waiters that never came back.
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [name, bucket] of this.buckets) {
      for (const [owner, { expiresAt }] of bucket.members) if (expiresAt <= now) leaveLine(bucket, owner);
      const last = bucket.log[bucket.log.length - 1];
      if (bucket.line.length === 0 && (last === undefined || last <= now - bucket.durationMs)) {
        this.buckets.delete(name);
      }
    }
  }
}

function leaveLine(bucket: Bucket, owner: string): void {
  const member = bucket.members.get(owner);
  if (!member) return;
  bucket.members.delete(owner);
  // Ranks are unique (the arrival number), so the rank's position is the member's.
  bucket.line.splice(countBelow(bucket.line, member.rank), 1);
}

function countBelow(line: readonly { rank: number }[], rank: number): number {
  let lo = 0;
  let hi = line.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((line[mid] as { rank: number }).rank < rank) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(entries: number[], value: number): void {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((entries[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  entries.splice(lo, 0, value);
}
