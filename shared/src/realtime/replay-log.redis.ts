import type { Redis } from 'ioredis';
import type { RealtimeEnvelope } from './events';
import {
  DEFAULT_REPLAY_LOG_SIZE,
  ONCE_TTL_MS,
  seedSeq,
  toReplayResult,
  type AppendItem,
  type ReplayLog,
  type ResolvedMessage,
} from './replay-log';

// Scaled mode: the counter is `<prefix>:seq:<ws>` (INCR) and the log a Redis stream
// `<prefix>:rt:<ws>` whose entry ids ARE the sequence numbers (`<seq>-0`), trimmed with
// MAXLEN ~ size. One Lua script increments and appends, so no other process can take a number
// between the two and the log stays contiguous. Both keys expire after `ttlMs` without events
// (an idle workspace's clients get `gap_too_old` and reload; the counter restarts above the
// old numbers, see replay-log.ts).

// Lua numbers are doubles: format them with %.0f (tostring would give 1.7e+15).
// One or many events in one call (any workspaces): ARGV = prefix, seed, size, ttl, once-ttl,
// channel, then (workspace, once-key or '', event JSON) per event. An event whose once-key
// was used lately (a retried job re-announcing its message) is skipped, answered with ''. With a channel, each stored event is
// also published there as its envelope ({"seq":N,…the event}), in order, by Redis itself: one
// round trip and one serialization per event for the log and the bus together.
const APPEND_MANY = `
local prefix, seed, size, ttl, onceTtl, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local out, touched = {}, {}
for i = 7, #ARGV, 3 do
  local ws, once, json = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if once ~= '' and not redis.call('SET', prefix .. ':once:' .. once, '1', 'NX', 'PX', onceTtl) then
    out[#out + 1] = ''
  else
    local ck = prefix .. ':seq:' .. ws
    local s = redis.call('INCR', ck)
    if s == 1 then s = redis.call('INCRBY', ck, seed) end
    local id = string.format('%.0f', s)
    redis.call('XADD', prefix .. ':rt:' .. ws, 'MAXLEN', '~', size, id .. '-0', 'e', json)
    if channel ~= '' then redis.call('PUBLISH', channel, '{"seq":' .. id .. ',' .. string.sub(json, 2)) end
    touched[ws] = true
    out[#out + 1] = id
  end
end
for ws in pairs(touched) do
  redis.call('PEXPIRE', prefix .. ':seq:' .. ws, ttl)
  redis.call('PEXPIRE', prefix .. ':rt:' .. ws, ttl)
end
return out
`;

const HEAD = `
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
return redis.call('GET', KEYS[1])
`;

type Script = (...args: (string | number)[]) => Promise<string>;

export interface RedisReplayLogOptions {
  redis: Redis;
  keyPrefix: string;
  size?: number;
  ttlMs?: number;
  now?: () => number;
}

export function createRedisReplayLog(opts: RedisReplayLogOptions): ReplayLog {
  const { redis, keyPrefix } = opts;
  const size = opts.size ?? DEFAULT_REPLAY_LOG_SIZE;
  const ttlMs = opts.ttlMs ?? 7 * 24 * 3600 * 1000;
  const now = opts.now ?? Date.now;
  redis.defineCommand('hubRealtimeHead', { numberOfKeys: 1, lua: HEAD });
  redis.defineCommand('hubRealtimeAppendMany', { numberOfKeys: 0, lua: APPEND_MANY });
  const scripts = redis as unknown as {
    hubRealtimeHead: Script;
    hubRealtimeAppendMany: (...args: (string | number)[]) => Promise<string[]>;
  };
  const counterKey = (ws: string) => `${keyPrefix}:seq:${ws}`;
  const streamKey = (ws: string) => `${keyPrefix}:rt:${ws}`;

  const head = async (workspaceId: string) =>
    Number(await scripts.hubRealtimeHead(counterKey(workspaceId), String(seedSeq(now())), ttlMs));

  const appendMany = async (items: AppendItem[], channel: string): Promise<(number | null)[]> => {
    if (items.length === 0) return [];
    const args: (string | number)[] = [keyPrefix, String(seedSeq(now())), size, ttlMs, ONCE_TTL_MS, channel];
    for (const it of items) args.push(it.event.workspaceId, it.onceKey ?? '', JSON.stringify(it.event));
    const ids = await scripts.hubRealtimeAppendMany(...args);
    return items.map((_, i) => (ids[i] ? Number(ids[i]) : null));
  };

  return {
    kind: 'redis',
    async append(event: ResolvedMessage) {
      const [seq] = await appendMany([{ event }], '');
      return { ...event, seq: seq! } as RealtimeEnvelope;
    },
    async appendMany(items) {
      const seqs = await appendMany(items, '');
      return items.map((it, i) => (seqs[i] === null ? null : ({ ...it.event, seq: seqs[i] } as RealtimeEnvelope)));
    },
    appendAndPublish: appendMany,
    head,
    async readAfter(workspaceId, after, upTo) {
      const h = await head(workspaceId);
      if (after > h) return { kind: 'gap', reason: 'seq_unknown' };
      const bound = Math.min(upTo ?? h, h);
      if (after >= bound) return { kind: 'ok', events: [] };
      const entries = (await redis.xrange(streamKey(workspaceId), `${after + 1}-0`, `${bound}-0`)) as [
        string,
        string[],
      ][];
      const events = entries.map(([id, fields]) => {
        const json = fields[fields.indexOf('e') + 1] ?? '{}';
        return { ...(JSON.parse(json) as ResolvedMessage), seq: Number(id.split('-')[0]) } as RealtimeEnvelope;
      });
      return toReplayResult(events, after, bound);
    },
    async close() {
      // The connection belongs to createRealtime, which closes it.
    },
  };
}
