// Per-key rate limits on Redis (BullMQ's own limiter is per queue; per-group limits are
// its paid add-on). The algorithm of rate-window.ts as one atomic script, so any number
// of workers share the windows and the lines. Redis TIME is the clock, so hosts with
// skewed clocks still agree on the windows; callers only get a relative wait.
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SEQ_SPAN, WAITER_GRACE_MS } from './rate-window';

// KEYS: four per bucket: admission log (zset), line (zset owner → rank), waiter expiries
//       (zset owner → time), arrival counter.
// ARGV: owner, priority rank, unique log member, grace ms, seq span, then max and
//       durationMs for each bucket.
// Returns 0 when admitted (and counted), else ms until the job's turn.
const ADMIT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local owner, prio, member = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local grace, span = tonumber(ARGV[4]), tonumber(ARGV[5])
local n = #KEYS / 4
local state = {}
local blocked = false
for i = 1, n do
  local log, line, exps, seq = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i]
  local max, dur = tonumber(ARGV[4 + 2 * i]), tonumber(ARGV[5 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', log, '-inf', now - dur)
  local stale = redis.call('ZRANGEBYSCORE', exps, '-inf', now, 'LIMIT', 0, 500)
  if #stale > 0 then
    redis.call('ZREM', line, unpack(stale))
    redis.call('ZREM', exps, unpack(stale))
  end
  local free = math.max(0, max - redis.call('ZCARD', log))
  local rank = redis.call('ZSCORE', line, owner)
  local waiting = rank ~= false
  if waiting then
    rank = tonumber(rank)
  else
    rank = prio * span + tonumber(redis.call('GET', seq) or '0') + 1
  end
  local ahead = redis.call('ZCOUNT', line, '-inf', '(' .. string.format('%d', rank))
  local held = ahead >= free
  if held then blocked = true end
  state[i] = { log = log, line = line, exps = exps, seq = seq, max = max, dur = dur,
    free = free, rank = rank, waiting = waiting, ahead = ahead, held = held }
end
if not blocked then
  for i = 1, n do
    local s = state[i]
    redis.call('ZADD', s.log, string.format('%d', now), member)
    redis.call('PEXPIRE', s.log, s.dur)
    redis.call('ZREM', s.line, owner)
    redis.call('ZREM', s.exps, owner)
  end
  return 0
end
local target = now + 1
for i = 1, n do
  local s = state[i]
  if s.held then
    local index = s.ahead % s.max
    local base
    if index < s.free then
      base = now - s.dur
    else
      base = tonumber(redis.call('ZRANGE', s.log, index - s.free, index - s.free, 'WITHSCORES')[2])
    end
    target = math.max(target, base + s.dur * (1 + math.floor(s.ahead / s.max)))
  end
end
for i = 1, n do
  local s = state[i]
  if s.held then
    if not s.waiting then
      redis.call('INCR', s.seq)
      redis.call('ZADD', s.line, string.format('%d', s.rank), owner)
    end
    redis.call('ZADD', s.exps, string.format('%d', target + grace), owner)
    local last = tonumber(redis.call('ZRANGE', s.exps, -1, -1, 'WITHSCORES')[2])
    local ttl = string.format('%d', last - now)
    redis.call('PEXPIRE', s.line, ttl)
    redis.call('PEXPIRE', s.exps, ttl)
    redis.call('PEXPIRE', s.seq, ttl)
  else
    redis.call('ZREM', s.line, owner)
    redis.call('ZREM', s.exps, owner)
  end
end
return target - now
`;

const ADMIT_SHA = createHash('sha1').update(ADMIT_LUA).digest('hex');

export interface AdmitRequest {
  /** The job (its BullMQ id): its place in each line. */
  owner: string;
  priorityRank: number;
  buckets: { key: string; max: number; durationMs: number }[];
}

/** 0: run now (counted in every window). Otherwise ms to wait before asking again. */
export async function admit(redis: Redis, req: AdmitRequest): Promise<number> {
  const keys = req.buckets.flatMap((b) => [b.key, `${b.key}:line`, `${b.key}:exp`, `${b.key}:seq`]);
  const args = [
    req.owner,
    String(req.priorityRank),
    randomUUID(),
    String(WAITER_GRACE_MS),
    String(SEQ_SPAN),
    ...req.buckets.flatMap((b) => [String(b.max), String(Math.ceil(b.durationMs))]),
  ];
  try {
    return Number(await redis.evalsha(ADMIT_SHA, keys.length, ...keys, ...args));
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return Number(await redis.eval(ADMIT_LUA, keys.length, ...keys, ...args));
  }
}
