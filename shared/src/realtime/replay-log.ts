import type { RealtimeEnvelope, ResyncReason } from './events';

// The per-workspace sequence and the bounded log of recent sequenced events, shared by every
// gateway process: a reconnecting client names the last seq it saw and gets what followed.
//
// Sequence numbers are contiguous within a workspace (one increment per stored event, done
// atomically with the store), so "seq N+1 is missing from the log" means it was trimmed.
// A workspace's counter starts at a time-based value (milliseconds × 1000) instead of 0: when
// the store is reset (embedded restart, Redis without persistence) the new numbers start above
// every number handed out before, so a client's old lastSeq reads as "too old" (resync), never
// as a valid position in a different history. That holds while a workspace averages fewer
// than 1000 events per millisecond; numbers stay below 2^53 until the year 2255.

export const DEFAULT_REPLAY_LOG_SIZE = 10_000;

/**
 * How long a once-key is remembered. Covers a worker killed between commit and publish: its
 * job comes back (stalled-job check ~30 s, recovery sweep ~60 s) and re-announces the message.
 */
export const ONCE_TTL_MS = 5 * 60_000;

export interface AppendItem {
  event: ResolvedMessage;
  /** Append only if nothing was appended under this key within ONCE_TTL_MS. */
  onceKey?: string | undefined;
}

export type ResolvedMessage = Omit<RealtimeEnvelope, 'seq'>;

export type ReplayResult = { kind: 'ok'; events: RealtimeEnvelope[] } | { kind: 'gap'; reason: ResyncReason };

export interface ReplayLog {
  readonly kind: 'memory' | 'redis';
  /** Gives the event the workspace's next seq and stores it, in one atomic step. */
  append(event: ResolvedMessage): Promise<RealtimeEnvelope>;
  /** Appends in order (one round trip when scaled); null where a once-key was already used. */
  appendMany(items: AppendItem[]): Promise<(RealtimeEnvelope | null)[]>;
  /**
   * Scaled only: appends and publishes each stored event's envelope on the Redis pub/sub
   * channel in the same step; answers the seqs (null: skipped by its once-key).
   */
  appendAndPublish?(items: AppendItem[], channel: string): Promise<(number | null)[]>;
  /** The workspace's latest seq; starts the counter (time-based) when it has none yet. */
  head(workspaceId: string): Promise<number>;
  /**
   * Events with after < seq ≤ upTo (default: the head), oldest first — or a gap when some of
   * them are no longer kept (`gap_too_old`) or `after` is beyond the head (`seq_unknown`).
   */
  readAfter(workspaceId: string, after: number, upTo?: number): Promise<ReplayResult>;
  close(): Promise<void>;
}

export function seedSeq(nowMs: number): number {
  return Math.floor(nowMs) * 1000;
}

/** Checks a contiguous run read from a store against the range that was asked for. */
export function toReplayResult(events: RealtimeEnvelope[], after: number, bound: number): ReplayResult {
  if (after >= bound) return { kind: 'ok', events: [] };
  const first = events[0];
  if (!first || first.seq !== after + 1) return { kind: 'gap', reason: 'gap_too_old' };
  return { kind: 'ok', events };
}

interface MemoryStream {
  seq: number;
  /** Oldest first; events[i].seq === events[0].seq + i. */
  events: RealtimeEnvelope[];
}

/** In-process log for embedded mode: a ring of the last `size` events per workspace. */
export function createMemoryReplayLog(opts: { size?: number; now?: () => number } = {}): ReplayLog {
  const size = opts.size ?? DEFAULT_REPLAY_LOG_SIZE;
  const now = opts.now ?? Date.now;
  const streams = new Map<string, MemoryStream>();
  const streamOf = (workspaceId: string): MemoryStream => {
    let s = streams.get(workspaceId);
    if (!s) streams.set(workspaceId, (s = { seq: seedSeq(now()), events: [] }));
    return s;
  };
  // Once-keys in insertion order = expiry order: the expired ones are always at the front.
  const once = new Map<string, number>();
  const firstTime = (key: string): boolean => {
    const t = now();
    if ((once.get(key) ?? 0) > t) return false;
    for (const [k, exp] of once) {
      if (exp > t) break;
      once.delete(k);
    }
    once.delete(key);
    once.set(key, t + ONCE_TTL_MS);
    return true;
  };
  const append = async (event: ResolvedMessage): Promise<RealtimeEnvelope> => {
    const s = streamOf(event.workspaceId);
    s.seq += 1;
    const env = { ...event, seq: s.seq } as RealtimeEnvelope;
    s.events.push(env);
    // Trim in chunks so a full ring does not shift the array on every append.
    if (s.events.length > size + Math.ceil(size / 10)) s.events.splice(0, s.events.length - size);
    return env;
  };
  return {
    kind: 'memory',
    append,
    async appendMany(items) {
      const out: (RealtimeEnvelope | null)[] = [];
      for (const it of items) out.push(it.onceKey && !firstTime(it.onceKey) ? null : await append(it.event));
      return out;
    },
    async head(workspaceId) {
      return streamOf(workspaceId).seq;
    },
    async readAfter(workspaceId, after, upTo) {
      const s = streamOf(workspaceId);
      if (after > s.seq) return { kind: 'gap', reason: 'seq_unknown' };
      const bound = Math.min(upTo ?? s.seq, s.seq);
      const first = s.events[0];
      if (after >= bound) return { kind: 'ok', events: [] };
      if (!first) return { kind: 'gap', reason: 'gap_too_old' };
      const from = after + 1 - first.seq;
      if (from < 0) return { kind: 'gap', reason: 'gap_too_old' };
      return toReplayResult(s.events.slice(from, bound - first.seq + 1), after, bound);
    },
    async close() {
      streams.clear();
    },
  };
}
