import type { Redis } from 'ioredis';
import type { PresenceStatus } from './events';

// Who is connected, across every gateway process. A user is online while at least one of its
// connections is alive; 'away' is a status the client sets on top. Every transition method
// answers whether the user's visible state changed, and the store decides that atomically, so
// with several gateways exactly one of them announces each change.
//
// Scaled mode: per workspace a hash `<prefix>:presence:<ws>` (userId → 'online' | 'away') and
// per user a sorted set `<prefix>:presence:<ws>:<userId>` of connection ids scored by expiry.
// Gateways heart-beat their connections; a crashed gateway's connections simply expire and the
// next sweep (any gateway, or a presence read) reports those users offline.

export interface PresenceConn {
  workspaceId: string;
  userId: string;
  connId: string;
}

export interface PresenceEntry {
  userId: string;
  status: Exclude<PresenceStatus, 'offline'>;
}

export interface PresenceStore {
  readonly kind: 'memory' | 'redis';
  /** A connection came up; true when the user was offline until now. */
  connect(c: PresenceConn): Promise<boolean>;
  /** A connection went away; true when it was the user's last (now offline). */
  disconnect(c: PresenceConn): Promise<boolean>;
  /** Keeps connections alive; returns those whose user had been swept and is online again. */
  heartbeat(conns: PresenceConn[]): Promise<PresenceConn[]>;
  /** true when the status changed (an offline user cannot be set away). */
  setStatus(workspaceId: string, userId: string, status: PresenceEntry['status']): Promise<boolean>;
  /** Online users; `expired` are users found with no live connection, removed now (announce them offline). */
  list(workspaceId: string): Promise<{ online: PresenceEntry[]; expired: string[] }>;
}

export function createMemoryPresenceStore(): PresenceStore {
  const workspaces = new Map<string, Map<string, { conns: Set<string>; status: PresenceEntry['status'] }>>();
  const usersOf = (ws: string) => {
    let m = workspaces.get(ws);
    if (!m) workspaces.set(ws, (m = new Map()));
    return m;
  };
  return {
    kind: 'memory',
    async connect(c) {
      const users = usersOf(c.workspaceId);
      const u = users.get(c.userId);
      if (u) {
        u.conns.add(c.connId);
        return false;
      }
      users.set(c.userId, { conns: new Set([c.connId]), status: 'online' });
      return true;
    },
    async disconnect(c) {
      const users = usersOf(c.workspaceId);
      const u = users.get(c.userId);
      if (!u || !u.conns.delete(c.connId) || u.conns.size > 0) return false;
      users.delete(c.userId);
      if (users.size === 0) workspaces.delete(c.workspaceId);
      return true;
    },
    async heartbeat() {
      return [];
    },
    async setStatus(ws, userId, status) {
      const u = workspaces.get(ws)?.get(userId);
      if (!u || u.status === status) return false;
      u.status = status;
      return true;
    },
    async list(ws) {
      const users = workspaces.get(ws) ?? new Map();
      return { online: [...users].map(([userId, u]) => ({ userId, status: u.status })), expired: [] };
    },
  };
}

const CONNECT = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
local added = redis.call('HSETNX', KEYS[1], ARGV[1], 'online')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return added
`;

const DISCONNECT = `
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
if redis.call('ZCARD', KEYS[2]) == 0 then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;

const SET_STATUS = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old and old ~= ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
`;

// The per-user keys are derived from the hash's members (single Redis, not Cluster).
const SWEEP_LIST = `
local all = redis.call('HGETALL', KEYS[1])
local online = {}
local expired = {}
for i = 1, #all, 2 do
  local z = ARGV[1] .. all[i]
  redis.call('ZREMRANGEBYSCORE', z, '-inf', ARGV[2])
  if redis.call('ZCARD', z) == 0 then
    redis.call('HDEL', KEYS[1], all[i])
    table.insert(expired, all[i])
  else
    table.insert(online, all[i])
    table.insert(online, all[i + 1])
  end
end
return {online, expired}
`;

type Script<R> = (...args: (string | number)[]) => Promise<R>;

export function createRedisPresenceStore(opts: {
  redis: Redis;
  keyPrefix: string;
  /** A connection not heart-beaten for this long counts as gone. */
  ttlMs?: number;
  now?: () => number;
}): PresenceStore {
  const { redis, keyPrefix } = opts;
  const ttlMs = opts.ttlMs ?? 45_000;
  const now = opts.now ?? Date.now;
  redis.defineCommand('hubPresenceConnect', { numberOfKeys: 2, lua: CONNECT });
  redis.defineCommand('hubPresenceDisconnect', { numberOfKeys: 2, lua: DISCONNECT });
  redis.defineCommand('hubPresenceSetStatus', { numberOfKeys: 1, lua: SET_STATUS });
  redis.defineCommand('hubPresenceSweepList', { numberOfKeys: 1, lua: SWEEP_LIST });
  const s = redis as unknown as {
    hubPresenceConnect: Script<number>;
    hubPresenceDisconnect: Script<number>;
    hubPresenceSetStatus: Script<number>;
    hubPresenceSweepList: Script<[string[], string[]]>;
  };
  const hashKey = (ws: string) => `${keyPrefix}:presence:${ws}`;
  const userKey = (ws: string, userId: string) => `${hashKey(ws)}:${userId}`;
  const connect = async (c: PresenceConn) => {
    const t = now();
    return (
      (await s.hubPresenceConnect(
        hashKey(c.workspaceId),
        userKey(c.workspaceId, c.userId),
        c.userId,
        c.connId,
        t,
        t + ttlMs,
        ttlMs,
      )) === 1
    );
  };
  return {
    kind: 'redis',
    connect,
    async disconnect(c) {
      return (
        (await s.hubPresenceDisconnect(
          hashKey(c.workspaceId),
          userKey(c.workspaceId, c.userId),
          c.userId,
          c.connId,
          now(),
        )) === 1
      );
    },
    async heartbeat(conns) {
      const back = await Promise.all(conns.map(async (c) => ((await connect(c)) ? c : undefined)));
      return back.filter((c): c is PresenceConn => c !== undefined);
    },
    async setStatus(ws, userId, status) {
      return (await s.hubPresenceSetStatus(hashKey(ws), userId, status)) === 1;
    },
    async list(ws) {
      const [flat, expired] = await s.hubPresenceSweepList(hashKey(ws), `${hashKey(ws)}:`, now());
      const online: PresenceEntry[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        online.push({ userId: flat[i]!, status: flat[i + 1] === 'away' ? 'away' : 'online' });
      }
      return { online, expired };
    },
  };
}
