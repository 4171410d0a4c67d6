import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildArgs } from './fixtures/queue-child';
import { REDIS_URL, bullmqAvailability, deleteKeys, sleep, uniquePrefix, type DriverKind } from './queue.harness';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const childScript = fileURLToPath(new URL('./fixtures/queue-child.ts', import.meta.url));
const prefix = uniquePrefix('queue-shutdown');
const bullmq = await bullmqAvailability('shutdown');
const tmpRoot = mkdtempSync(join(tmpdir(), 'queue-shutdown-'));

afterAll(async () => {
  rmSync(tmpRoot, { recursive: true, force: true });
  if (bullmq.run) await deleteKeys(REDIS_URL, prefix);
});

interface Child {
  /** Resolves when the child prints this exact line. */
  line(text: string): Promise<void>;
  exitCode: Promise<number | null>;
  terminate(): void;
}

function startChild(args: ChildArgs): Child {
  // `node --import tsx` (tsx docs, "Node.js CLI"): one process, so SIGTERM reaches our handler.
  const proc = spawn(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(args)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  createInterface({ input: proc.stdout }).on('line', (line) => {
    lines.push(line);
    for (const w of waiters.filter((w) => w.text === line)) w.resolve();
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exitCode = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => {
      if (code !== 0) console.error(`queue-child (${args.kind}, ${args.mode}) exited ${code}:\n${stderr}`);
      resolve(code);
    });
  });
  return {
    line: (text) =>
      lines.includes(text)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ text, resolve })),
            exitCode.then((code) => {
              throw new Error(`child exited (${code}) before printing "${text}":\n${stderr}`);
            }),
          ]),
    exitCode,
    terminate: () => proc.kill('SIGTERM'),
  };
}

function runsIn(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

const drivers: { kind: DriverKind; run: boolean }[] = [
  { kind: 'memory', run: true },
  { kind: 'bullmq', run: bullmq.run },
];

if (bullmq.failure) {
  const failure = bullmq.failure;
  describe('queue shutdown (bullmq)', () => {
    it('has a real Redis to run against', () => {
      throw new Error(failure);
    });
  });
}

for (const { kind, run } of drivers) {
  describe.skipIf(!run)(`queue shutdown (${kind})`, { timeout: 30_000 }, () => {
    it('a job added just before a SIGTERM is neither lost nor run twice', async () => {
      const dir = mkdtempSync(join(tmpRoot, `${kind}-`));
      const jobIds = ['msg-1', 'msg-2', 'msg-3', 'msg-4', 'msg-5'];
      const base = {
        kind,
        queue: `shutdown-${kind}`,
        outFile: join(dir, 'runs.txt'),
        jobIds,
        persistDir: join(dir, 'persist'),
        redisUrl: REDIS_URL,
        prefix,
      };

      const first = startChild({ ...base, mode: 'produce' });
      await first.line('added');
      await sleep(50);
      first.terminate();
      expect(await first.exitCode).toBe(0);
      const runsBeforeRestart = runsIn(base.outFile);

      const second = startChild({ ...base, mode: 'drain' });
      await second.line('drained');
      expect(await second.exitCode).toBe(0);

      const runs = runsIn(base.outFile);
      expect(runs.slice().sort()).toEqual(jobIds);
      // Each job ran in exactly one of the two processes, and the second really took over.
      expect(runsBeforeRestart.length).toBeLessThan(jobIds.length);
      expect(runs.slice(0, runsBeforeRestart.length)).toEqual(runsBeforeRestart);
    });
  });
}
