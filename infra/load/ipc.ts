import { fork, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// A TypeScript module run as its own Node process (through tsx), driven over the fork IPC
// channel: `call(cmd)` sends `{...cmd, id}` and resolves with the child's `{id, ok, result}`.
// The load generator and the raw-limit servers run this way, so neither shares an event loop
// with what it measures.

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export type IpcReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface IpcChild {
  readonly pid: number;
  call<R = unknown>(cmd: { cmd: string } & Record<string, unknown>): Promise<R>;
  stop(): Promise<void>;
}

export async function forkIpc(file: string, label: string): Promise<IpcChild> {
  const child: ChildProcess = fork(resolve(REPO_ROOT, file), [], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: IpcReply) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.result);
    else w.reject(new Error(`${label}: ${m.error}`));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('exit', (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`${label} exited (${code ?? signal})`));
    waiting.clear();
  });
  await new Promise<void>((res, rej) => {
    child.once('spawn', () => res());
    child.once('error', rej);
  });
  return {
    pid: child.pid!,
    call<R>(cmd: { cmd: string } & Record<string, unknown>): Promise<R> {
      const id = nextId++;
      return new Promise<R>((res, rej) => {
        if (!child.connected) return rej(new Error(`${label} is not running`));
        waiting.set(id, { resolve: res as (v: unknown) => void, reject: rej });
        child.send({ ...cmd, id });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.disconnect();
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The child's side: answer each command with `handle(cmd)`; leave when the parent goes. */
export function serveIpc(name: string, handle: (cmd: { cmd: string } & Record<string, unknown>) => Promise<unknown>) {
  if (!process.send) {
    process.stderr.write(`${name} is driven over IPC by the bench/chaos runner\n`);
    process.exit(2);
  }
  process.on('message', (raw: { id: number; cmd: string } & Record<string, unknown>) => {
    const { id, ...cmd } = raw;
    handle(cmd as { cmd: string } & Record<string, unknown>).then(
      (result) => process.send?.({ id, ok: true, result } satisfies IpcReply),
      (err: unknown) =>
        process.send?.({
          id,
          ok: false,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        } satisfies IpcReply),
    );
  });
  // The runner going away (even by kill -9) closes the channel: leave with it.
  process.on('disconnect', () => process.exit(0));
}
