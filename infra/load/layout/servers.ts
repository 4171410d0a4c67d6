import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

// The servers a bench or chaos run stands up for itself: a free port, a Redis of its own
// (so the run never touches — or is touched by — the machine's shared Redis and its key
// prefixes, and so it can be crashed on purpose), and a fresh PostgreSQL database on the
// machine's server, dropped afterwards.

export const PG_ADMIN_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function tcpReachable(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Everything a run started that must not outlive it (Redis servers, service processes), so an
 * interrupted or timed-out run can still stop it all (stopStarted) before it drops databases.
 */
interface Haltable {
  halt(): Promise<void>;
  /** Databases go last: never dropped under a live service. */
  last?: boolean;
}
const started = new Set<Haltable>();

export function track(p: Haltable): void {
  started.add(p);
}

export function untrack(p: Haltable): void {
  started.delete(p);
}

export async function stopStarted(): Promise<void> {
  const all = [...started];
  started.clear();
  await Promise.all(all.filter((p) => !p.last).map((p) => p.halt().catch(() => undefined)));
  await Promise.all(all.filter((p) => p.last).map((p) => p.halt().catch(() => undefined)));
}

/** Polls `check` every `everyMs` until it is true or `timeoutMs` passes; answers the last result. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

export interface RedisOptions {
  appendonly?: boolean;
  appendfsync?: 'always' | 'everysec' | 'no';
  port?: number;
}

/** A redis-server of the run's own: `--save ""`, AOF as asked, data in a temp dir. */
export class RedisServer {
  readonly dir: string;
  port = 0;
  private child: ChildProcess | undefined;

  constructor(readonly opts: RedisOptions = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'hub-bench-redis-'));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<this> {
    this.port ||= this.opts.port ?? (await freePort());
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      this.opts.appendonly ? 'yes' : 'no',
      '--appendfsync',
      this.opts.appendfsync ?? 'everysec',
      '--dir',
      this.dir,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ];
    args.push('--logfile', join(this.dir, 'redis.log'));
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    track(this);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new Error(`redis-server could not start: ${err.message}`)));
    });
    if (!(await waitFor(() => tcpReachable(this.port), 15_000)))
      throw new Error(`redis-server on ${this.port} did not come up`);
    // AOF on: wait for the server to accept commands after loading the file.
    const { Redis } = await import('ioredis');
    const c = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await waitFor(
        async () => {
          try {
            if (c.status === 'wait') await c.connect();
            return (await c.ping()) === 'PONG';
          } catch {
            return false;
          }
        },
        30_000,
        100,
      );
    } finally {
      c.disconnect();
    }
    return this;
  }

  /** A crash: SIGKILL, nothing flushed beyond what the AOF already has. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }

  async destroy(): Promise<void> {
    untrack(this);
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  halt(): Promise<void> {
    return this.destroy();
  }
}

export interface TempDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database on the machine's PostgreSQL (trust auth), named hub_bench_<hex>. */
export async function createDatabase(prefix = 'hub_bench', adminUrl = PG_ADMIN_URL): Promise<TempDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const tracked: Haltable = { last: true, halt: () => db.drop() };
  const db: TempDatabase = {
    name,
    url: url.toString(),
    async drop() {
      untrack(tracked);
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
  track(tracked);
  return db;
}

/** URL of the same database reached through another host:port (the chaos proxy). */
export function viaPort(databaseUrl: string, port: number): string {
  const u = new URL(databaseUrl);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}
