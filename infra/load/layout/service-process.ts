import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../load.client';
import { sleep, track, untrack, waitFor } from './servers';

// One hub service as its own OS process, exactly as `npm start -w @hub/<svc>` runs it (the
// service's main.ts through tsx), but as `node --import tsx` so the pid we hold is the
// service itself: kill -9, SIGSTOP and /proc/<pid>/status reach it, not a wrapper.

export type ServiceName = 'ingest' | 'worker' | 'gateway' | 'crm' | 'hub';

export class ServiceProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private exitNote = '';
  private expectExit = false;
  private closed = false;
  private restarting = false;
  starts = 0;
  /**
   * Exits nobody asked for (a crash). With `supervise` on, each one is restarted after a second,
   * as the scaled deployment's process manager does (docker-compose: restart unless-stopped).
   */
  readonly crashes: { at: string; note: string }[] = [];
  supervise = false;

  constructor(
    readonly name: ServiceName | string,
    readonly entry: string,
    readonly env: Record<string, string>,
    readonly port: number,
    readonly logFile: string,
    /** Runs once the process is closed for good (e.g. removes its data dir). */
    private readonly onClosed?: () => void,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and waits for GET /healthz → 200. */
  /**
   * The process manager's part: start again after 1, 2, 4, 5, 5… s until it is healthy (a
   * service that cannot reach its database at start-up exits, and is simply started again).
   */
  async restartSoon(): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    try {
      for (let attempt = 0; attempt < 120 && !this.closed; attempt++) {
        await sleep(Math.min(5000, 1000 * 2 ** attempt));
        if (this.closed || this.running) return;
        this.log?.write(`--- ${this.name}: restarting (try ${attempt + 1}) ---\n`);
        try {
          await this.start();
          return;
        } catch {
          // Not healthy yet: the next try.
        }
      }
    } finally {
      this.restarting = false;
    }
  }

  async start(timeoutMs = 90_000): Promise<this> {
    this.log ??= createWriteStream(this.logFile, { flags: 'a' });
    this.log.write(`\n--- start ${this.name} at ${new Date().toISOString()} ---\n`);
    const child = spawn(process.execPath, [...profileArgs(), '--import', 'tsx', join(REPO_ROOT, this.entry)], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/tmp',
        ...this.env,
        PORT: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts += 1;
    this.expectExit = false;
    track(this);
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.once('exit', (code, signal) => {
      this.exitNote = `exited (${code ?? signal})`;
      this.log?.write(`--- ${this.name} ${this.exitNote} ---\n`);
      if (this.expectExit || this.child !== child) return;
      this.crashes.push({ at: new Date().toISOString(), note: this.exitNote });
      if (this.supervise) void this.restartSoon();
    });
    const ok = await waitFor(
      async () => {
        if (!this.running) return true;
        try {
          const r = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
          await r.arrayBuffer();
          return r.status === 200;
        } catch {
          return false;
        }
      },
      timeoutMs,
      200,
    );
    if (!this.running || !ok) {
      const tail = this.tail(30);
      await this.kill('SIGKILL');
      throw new Error(`${this.name} did not become healthy (${this.exitNote || 'timeout'}):\n${tail}`);
    }
    return this;
  }

  /** The last lines of its log (start failures). */
  tail(lines: number): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<void> {
    const child = this.child;
    this.expectExit = true;
    if (!child || !this.running) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await gone;
    clearTimeout(t);
  }

  /** kill -9: no shutdown hook runs, in-flight jobs are left to BullMQ's stalled-job check. */
  kill9(): Promise<void> {
    return this.kill('SIGKILL');
  }

  /** Freezes / thaws the process (the front door measured alone, a worker outage). */
  pause(): void {
    if (this.running) this.child!.kill('SIGSTOP');
  }

  resume(): void {
    if (this.running) this.child!.kill('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.kill();
    await sleep(100);
    await this.start();
  }

  /** Resident set size in bytes (Linux /proc), or null when not running. */
  rssBytes(): number | null {
    if (!this.running || !this.pid) return null;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
      return m ? Number(m[1]) * 1024 : null;
    } catch {
      return null;
    }
  }

  /** CPU time used so far (user + system), in seconds, or null. */
  cpuSeconds(): number | null {
    if (!this.running || !this.pid) return null;
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of /proc/<pid>/stat (index 11, 12 after the name).
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return null;
    }
  }

  halt(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    untrack(this);
    this.resume();
    await this.kill();
    await new Promise<void>((r) => (this.log ? this.log.end(() => r()) : r()));
    this.log = undefined;
    this.onClosed?.();
  }
}

/** HUB_PROFILE_DIR=<dir>: each service writes a V8 CPU profile there when it exits (finding hot spots under load). */
function profileArgs(): string[] {
  const dir = process.env['HUB_PROFILE_DIR'];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
