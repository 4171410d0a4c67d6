import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PermanentJobError,
  RetryLaterError,
  createBullmqQueueDriver,
  createMemoryQueueDriver,
  type Job,
  type QueueDriver,
} from '../src/queue/index';
import {
  REDIS_URL,
  bullmqAvailability,
  deleteKeys,
  sleep,
  testLogger,
  uniquePrefix,
  type DriverKind,
} from './queue.harness';

// Timers and Date.now() are ms-grained: "not before" allows this much rounding.
const CLOCK_SLACK_MS = 5;
// A rate-limit window is measured when the slot is taken, a little before the handler runs.
const WINDOW_SLACK_MS = 50;
const IDLE_MS = 15_000;

const prefix = uniquePrefix('queue-contract');
const bullmq = await bullmqAvailability('contract');
const tmpRoot = mkdtempSync(join(tmpdir(), 'queue-contract-'));

const drivers: { kind: DriverKind; run: boolean; make: (persistDir: string) => QueueDriver }[] = [
  {
    kind: 'memory',
    run: true,
    make: (persistDir) => createMemoryQueueDriver({ persistDir, logger: testLogger }),
  },
  {
    kind: 'bullmq',
    run: bullmq.run,
    make: () => createBullmqQueueDriver({ redisUrl: REDIS_URL, prefix, logger: testLogger }),
  },
];

afterAll(async () => {
  rmSync(tmpRoot, { recursive: true, force: true });
  if (bullmq.run) await deleteKeys(REDIS_URL, prefix);
});

if (bullmq.failure) {
  const failure = bullmq.failure;
  describe('QueueDriver contract (bullmq)', () => {
    it('has a real Redis to run against', () => {
      throw new Error(failure);
    });
  });
}

let queueCount = 0;
const nextQueueName = (): string => `contract-${++queueCount}`;

for (const { kind, run, make } of drivers) {
  describe.skipIf(!run)(`QueueDriver contract (${kind})`, { timeout: 20_000 }, () => {
    let driver: QueueDriver;
    let persistDir: string;

    beforeEach(() => {
      persistDir = mkdtempSync(join(tmpRoot, `${kind}-`));
      driver = make(persistDir);
    });

    afterEach(async () => {
      await driver.close(2_000);
    });

    it('runs an added job once, with its id, name, data and attempt', async () => {
      const queue = driver.queue<{ text: string }>(nextQueueName());
      const seen: Job<{ text: string }>[] = [];
      queue.process(async (job) => {
        seen.push(job);
      });
      await queue.add('greet', { text: 'hi' }, { jobId: 'job-1' });
      await queue.idle(IDLE_MS);
      expect(seen).toEqual([{ id: 'job-1', name: 'greet', data: { text: 'hi' }, attempt: 1, maxAttempts: 1 }]);
      expect(await queue.pending()).toBe(0);
    });

    it('addBulk enqueues every job', async () => {
      const queue = driver.queue<{ n: number }>(nextQueueName());
      await queue.addBulk([1, 2, 3, 4, 5].map((n) => ({ name: `bulk-${n}`, data: { n } })));
      expect(await queue.pending()).toBe(5);
      const seen: string[] = [];
      queue.process(async (job) => {
        seen.push(`${job.name}:${job.data.n}`);
      });
      await queue.idle(IDLE_MS);
      expect(seen.sort()).toEqual(['bulk-1:1', 'bulk-2:2', 'bulk-3:3', 'bulk-4:4', 'bulk-5:5']);
    });

    it('runs up to `concurrency` jobs at once, never more', async () => {
      const queue = driver.queue<{ n: number }>(nextQueueName());
      await queue.addBulk(Array.from({ length: 9 }, (_, n) => ({ name: 'c', data: { n } })));
      let inFlight = 0;
      let peak = 0;
      queue.process(
        async () => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await sleep(100);
          inFlight -= 1;
        },
        { concurrency: 3 },
      );
      await queue.idle(IDLE_MS);
      expect(peak).toBe(3);
    });

    it.each([
      { type: 'fixed' as const, gaps: [150, 150] },
      { type: 'exponential' as const, gaps: [100, 200] },
    ])('retries with $type backoff, then succeeds', async ({ type, gaps }) => {
      const queue = driver.queue<null>(nextQueueName());
      const tries: { attempt: number; maxAttempts: number; at: number }[] = [];
      queue.process(async (job) => {
        tries.push({ attempt: job.attempt, maxAttempts: job.maxAttempts, at: Date.now() });
        if (job.attempt < 3) throw new Error(`flaky ${job.attempt}`);
      });
      await queue.add('flaky', null, { attempts: 3, backoff: { type, delayMs: gaps[0] ?? 0 } });
      await queue.idle(IDLE_MS);
      expect(tries.map((t) => [t.attempt, t.maxAttempts])).toEqual([
        [1, 3],
        [2, 3],
        [3, 3],
      ]);
      const [first, second, third] = tries.map((t) => t.at);
      expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual((gaps[0] ?? 0) - CLOCK_SLACK_MS);
      expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual((gaps[1] ?? 0) - CLOCK_SLACK_MS);
      expect(await queue.deadLetters()).toEqual([]);
    });

    it('moves a job to the dead letters after its last attempt, with the error text', async () => {
      const queue = driver.queue<{ n: number }>(nextQueueName());
      let calls = 0;
      queue.process(async (job) => {
        calls += 1;
        throw new Error(`boom ${job.data.n}`);
      });
      await queue.add('doomed', { n: 7 }, { jobId: 'doomed-7', attempts: 2, backoff: { type: 'fixed', delayMs: 20 } });
      await queue.idle(IDLE_MS);
      expect(calls).toBe(2);
      const dead = await queue.deadLetters();
      expect(dead).toEqual([
        { id: 'doomed-7', name: 'doomed', data: { n: 7 }, attempts: 2, error: 'boom 7', failedAt: expect.any(Date) },
      ]);

      await queue.add('doomed', { n: 8 }, { jobId: 'doomed-8' });
      await queue.idle(IDLE_MS);
      expect((await queue.deadLetters()).map((d) => d.id)).toEqual(['doomed-8', 'doomed-7']);
      expect((await queue.deadLetters(1)).map((d) => d.id)).toEqual(['doomed-8']);
      expect(await queue.pending()).toBe(0);
    });

    it('sends a PermanentJobError straight to the dead letters', async () => {
      const queue = driver.queue<null>(nextQueueName());
      let calls = 0;
      queue.process(async () => {
        calls += 1;
        throw new PermanentJobError('recipient blocked the bot');
      });
      await queue.add('send', null, { jobId: 'perm-1', attempts: 5, backoff: { type: 'fixed', delayMs: 10 } });
      await queue.idle(IDLE_MS);
      expect(calls).toBe(1);
      const [dead] = await queue.deadLetters();
      expect(dead).toMatchObject({ id: 'perm-1', attempts: 1, error: 'recipient blocked the bot' });
    });

    it('waits at least retryAfterMs after a RetryLaterError, and counts the attempt', async () => {
      const queue = driver.queue<null>(nextQueueName());
      const tries: { attempt: number; at: number }[] = [];
      queue.process(async (job) => {
        tries.push({ attempt: job.attempt, at: Date.now() });
        if (job.attempt === 1) throw new RetryLaterError('429 too many requests', 400);
      });
      await queue.add('send', null, { attempts: 3, backoff: { type: 'fixed', delayMs: 10 } });
      await queue.idle(IDLE_MS);
      expect(tries.map((t) => t.attempt)).toEqual([1, 2]);
      const [first, second] = tries.map((t) => t.at);
      expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(400 - CLOCK_SLACK_MS);
    });

    it('dead-letters a job whose last attempt ends in RetryLaterError', async () => {
      const queue = driver.queue<null>(nextQueueName());
      queue.process(async () => {
        throw new RetryLaterError('still rate limited', 50);
      });
      await queue.add('send', null, { jobId: 'later-1', attempts: 2 });
      await queue.idle(IDLE_MS);
      const [dead] = await queue.deadLetters();
      expect(dead).toMatchObject({ id: 'later-1', attempts: 2, error: 'still rate limited' });
    });

    it('does not run a delayed job before its delay', async () => {
      const queue = driver.queue<string>(nextQueueName());
      const runs: { data: string; at: number }[] = [];
      queue.process(async (job) => {
        runs.push({ data: job.data, at: Date.now() });
      });
      const addedAt = Date.now();
      await queue.add('late', 'late', { delayMs: 400 });
      await queue.add('now', 'now');
      await queue.idle(IDLE_MS);
      expect(runs.map((r) => r.data)).toEqual(['now', 'late']);
      expect((runs[1]?.at ?? 0) - addedAt).toBeGreaterThanOrEqual(400 - CLOCK_SLACK_MS);
    });

    it('runs a duplicate jobId once, while pending and shortly after completion', async () => {
      const queue = driver.queue<{ copy: number }>(nextQueueName());
      // Platform ids: ':' and all-digit ids are not valid BullMQ ids as they are.
      const ids = ['wa:wamid.HBg:1', '42', 'tg-100%'];
      for (const id of ids) {
        await queue.add('inbound', { copy: 1 }, { jobId: id });
        await queue.add('inbound', { copy: 2 }, { jobId: id });
      }
      expect(await queue.pending()).toBe(3);
      const seen: string[] = [];
      queue.process(async (job) => {
        seen.push(`${job.id}#${job.data.copy}`);
      });
      await queue.idle(IDLE_MS);
      for (const id of ids) await queue.add('inbound', { copy: 3 }, { jobId: id });
      await queue.addBulk(ids.map((id) => ({ name: 'inbound', data: { copy: 4 }, opts: { jobId: id } })));
      await queue.idle(IDLE_MS);
      expect(seen.sort()).toEqual(['42#1', 'tg-100%#1', 'wa:wamid.HBg:1#1']);
    });

    it('holds jobs over a per-key rate limit without blocking other keys', async () => {
      const queue = driver.queue<{ key: string; n: number }>(nextQueueName());
      const jobs = [...[1, 2, 3, 4].map((n) => ({ key: 'A', n })), ...[1, 2].map((n) => ({ key: 'B', n }))];
      await queue.addBulk(jobs.map((data) => ({ name: 'send', data })));
      const started = new Map<string, number>();
      const finished = new Map<string, number>();
      const attempts: number[] = [];
      queue.process(
        async (job) => {
          const label = `${job.data.key}${job.data.n}`;
          started.set(label, Date.now());
          attempts.push(job.attempt);
          await sleep(20);
          finished.set(label, Date.now());
        },
        { concurrency: 2, rateLimits: [{ key: (job) => job.data.key, max: 2, durationMs: 1_000 }] },
      );
      await queue.idle(IDLE_MS);
      const at = (map: Map<string, number>, label: string): number => map.get(label) ?? Number.NaN;
      expect(Math.max(at(finished, 'B1'), at(finished, 'B2'))).toBeLessThan(at(started, 'A3'));
      expect(at(started, 'A3') - at(started, 'A1')).toBeGreaterThanOrEqual(1_000 - WINDOW_SLACK_MS);
      expect(at(started, 'A4') - at(started, 'A2')).toBeGreaterThanOrEqual(1_000 - WINDOW_SLACK_MS);
      // Waiting for the window is not a try.
      expect(attempts).toEqual([1, 1, 1, 1, 1, 1]);
    });

    it('lets a higher-priority job overtake a backlog already waiting on the same key', async () => {
      const queue = driver.queue<string>(nextQueueName());
      await queue.addBulk([1, 2, 3, 4].map((n) => ({ name: 'bulk', data: `bulk-${n}` })));
      const order: string[] = [];
      let markFirstDone: () => void = () => {};
      const firstDone = new Promise<void>((resolve) => {
        markFirstDone = resolve;
      });
      queue.process(
        async (job) => {
          order.push(job.data);
          if (job.data === 'bulk-1') markFirstDone();
        },
        { rateLimits: [{ key: () => 'bot', max: 1, durationMs: 500 }] },
      );
      await firstDone;
      // By now bulk-2…4 have been checked and are waiting for the window.
      await sleep(100);
      await queue.add('live', 'live', { priority: 10 });
      await queue.idle(IDLE_MS);
      expect(order).toEqual(['bulk-1', 'live', 'bulk-2', 'bulk-3', 'bulk-4']);
    });

    it('runs higher priority first among ready jobs', async () => {
      const queue = driver.queue<string>(nextQueueName());
      await queue.addBulk([
        { name: 'j', data: 'p0', opts: { priority: 0 } },
        { name: 'j', data: 'p5-first', opts: { priority: 5 } },
        { name: 'j', data: 'm1', opts: { priority: -1 } },
        { name: 'j', data: 'p10', opts: { priority: 10 } },
        { name: 'j', data: 'p5-second', opts: { priority: 5 } },
        { name: 'j', data: 'default' },
      ]);
      const order: string[] = [];
      queue.process(async (job) => {
        order.push(job.data);
      });
      await queue.idle(IDLE_MS);
      expect(order).toEqual(['p10', 'p5-first', 'p5-second', 'p0', 'default', 'm1']);
    });

    it('idle() waits for delayed work and times out while nobody processes', async () => {
      const queue = driver.queue<null>(nextQueueName());
      await queue.add('later', null, { delayMs: 200 });
      await expect(queue.idle(100)).rejects.toThrow(/not idle/);
      let runs = 0;
      queue.process(async () => {
        runs += 1;
      });
      await queue.idle(IDLE_MS);
      expect(runs).toBe(1);
      expect(await queue.pending()).toBe(0);
    });

    it('close(timeoutMs) stops waiting for a stuck handler at the timeout', async () => {
      const queue = driver.queue<null>(nextQueueName());
      let release: () => void = () => {};
      const stuck = new Promise<void>((resolve) => {
        release = resolve;
      });
      let markStarted: () => void = () => {};
      const started = new Promise<void>((resolve) => {
        markStarted = resolve;
      });
      queue.process(async () => {
        markStarted();
        await stuck;
      });
      await queue.add('stuck', null);
      await started;
      // The handler is only released after close() returns: waiting for it would hang here.
      await driver.close(300);
      release();
    });

    it('close() lets an in-flight job finish and leaves the rest for the next start', async () => {
      const name = nextQueueName();
      const queue = driver.queue<string>(name);
      const runs: string[] = [];
      let finished = 0;
      let markStarted: () => void = () => {};
      const firstStarted = new Promise<void>((resolve) => {
        markStarted = resolve;
      });
      queue.process(async (job) => {
        runs.push(job.data);
        markStarted();
        await sleep(300);
        finished += 1;
      });
      await queue.addBulk(['a', 'b', 'c'].map((data) => ({ name: 'slow', data, opts: { jobId: `close-${data}` } })));
      await firstStarted;
      await driver.close(5_000);
      expect(runs).toEqual(['a']);
      expect(finished).toBe(1);

      driver = make(persistDir);
      const next = driver.queue<string>(name);
      expect(await next.pending()).toBe(2);
      next.process(async (job) => {
        runs.push(job.data);
      });
      await next.idle(IDLE_MS);
      expect(runs).toEqual(['a', 'b', 'c']);
    });
  });
}
