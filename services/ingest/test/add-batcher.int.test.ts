import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { channelCredentialsKey } from '@hub/shared/crypto';
import { ChannelCache, type InboundJobData } from '@hub/shared/domain';
import { createQueueDriver, type JobOptions, type Queue } from '@hub/shared/queue';
import { createTestRuntime, describeDrivers } from '@hub/shared/testing';
import { metaJson, signMeta, whatsappTextWebhook } from '../../../infra/fake-platforms';
import { createChannel, createWorkspace, waCredentials } from '../../worker/test/inbound.helpers';
import { AddBatcher, MAX_BATCH } from '../src/add-batcher';
import { webhookFrontDoor } from '../src/front-door';
import { META_SECRET } from './pipeline.helpers';

// Queue adds of one event-loop turn go out as one addBulk; when that fails, every webhook of
// the batch falls back to the raw log on its own and is still acknowledged — none is lost.

/** The real queue, with a note of each call it gets. */
function recording<T>(queue: Queue<T>) {
  const calls: number[] = [];
  const wrapped: Queue<T> = Object.assign(Object.create(queue) as Queue<T>, {
    add: (name: string, data: T, opts?: JobOptions) => (calls.push(1), queue.add(name, data, opts)),
    addBulk: (jobs: { name: string; data: T; opts?: JobOptions }[]) => (calls.push(jobs.length), queue.addBulk(jobs)),
  });
  return { queue: wrapped, calls };
}

describeDrivers(
  'same-turn queue batching',
  (set) => createTestRuntime(set),
  (rt, set) => {
    it('stores the adds of one turn in batches of at most MAX_BATCH and resolves every caller', async () => {
      const { queue, calls } = recording(rt().queues.queue<{ i: number }>(`batch-${randomUUID()}`));
      const batcher = new AddBatcher(queue);
      const n = 2 * MAX_BATCH + 5;
      await Promise.all(Array.from({ length: n }, (_, i) => batcher.add('job', { i }, { jobId: `job-${i}` })));
      expect(calls).toEqual([MAX_BATCH, MAX_BATCH, 5]);
      expect(await queue.pending()).toBe(n);
      // One add alone goes as a plain add.
      await batcher.add('job', { i: n }, { jobId: `job-${n}` });
      expect(calls.at(-1)).toBe(1);
      expect(await queue.pending()).toBe(n + 1);
    });

    it('rejects every caller of a batch that fails', async () => {
      const driver = createQueueDriver({
        redisUrl: set === 'postgres+redis' ? rt().config.redisUrl : undefined,
        prefix: `hubtest-closed-${randomUUID()}`,
      });
      const { queue, calls } = recording(driver.queue<{ i: number }>('closed'));
      await driver.close();
      const batcher = new AddBatcher(queue);
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => batcher.add('job', { i }, {})));
      expect(calls).toEqual([10]);
      expect(outcomes.map((o) => o.status)).toEqual(Array(10).fill('rejected'));
    });

    it('acknowledges every webhook of a failed batch, each kept in the raw log', async () => {
      const { database, config, logger } = rt();
      const db = database.db;
      // A queue whose driver is already closed: every add and addBulk fails.
      const persistDir = mkdtempSync(join(tmpdir(), 'hub-test-queue-'));
      const driver = createQueueDriver({
        redisUrl: set === 'postgres+redis' ? config.redisUrl : undefined,
        prefix: `hubtest-closed-${randomUUID()}`,
        persistDir,
      });
      const { queue, calls } = recording(driver.queue<InboundJobData>('inbound'));
      await driver.close();
      const channels = new ChannelCache(db, channelCredentialsKey(config.encryptionKey));
      const front = webhookFrontDoor({
        db,
        channels,
        inbound: new AddBatcher(queue),
        logFirst: false,
        logger,
        clock: () => new Date(),
      });
      const server = createServer((req, res) => void front(req, res));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const phone = `10${Math.floor(Math.random() * 1e12)}`;
        const channelId = await createChannel(
          db,
          await createWorkspace(db),
          'whatsapp',
          waCredentials(phone, META_SECRET),
          phone,
        );
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/whatsapp/${channelId}`;
        await channels.get(channelId); // so the POSTs below reach the queue in the same turn
        const bodies = Array.from({ length: 20 }, (_, i) =>
          metaJson(whatsappTextWebhook({ phoneNumberId: phone, from: '16505551234', text: `kept ${i}` })),
        );
        const answers = await Promise.all(
          bodies.map((body) =>
            fetch(url, { method: 'POST', headers: { 'x-hub-signature-256': signMeta(body, META_SECRET) }, body }),
          ),
        );
        expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));
        expect(calls.reduce((a, b) => a + b, 0)).toBe(bodies.length);
        const rows = await db
          .selectFrom('webhook_events')
          .select(['body', 'status'])
          .where('channel_id', '=', channelId)
          .execute();
        expect(rows.map((r) => r.body).sort()).toEqual([...bodies].sort());
        expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['received']));
      } finally {
        channels.close();
        await new Promise<void>((r) => server.close(() => r()));
        rmSync(persistDir, { recursive: true, force: true });
      }
    });
  },
);
