import { expect, it } from 'vitest';
import type { BusMessage } from '@hub/shared/bus';
import { createTestRuntime, describeDrivers } from '@hub/shared/testing';
import { MetricsPublisher } from '../src/outbound/metrics.publisher';
import { createWorkspace } from './inbound.helpers';

// Every worker sees every inbox event; with several workers, one computes and pushes a
// workspace's metrics per interval, not each of them.

describeDrivers(
  'metrics pushes with several workers',
  async (set) => {
    const rt = await createTestRuntime(set);
    const pushed: BusMessage[] = [];
    rt.bus.subscribe((m) => {
      if (m.type === 'metrics:updated') pushed.push(m);
    });
    return { rt, pushed, cleanup: () => rt.cleanup() };
  },
  (ctx) => {
    const publishers = (claim: boolean) =>
      [1, 2, 3].map(
        () =>
          new MetricsPublisher(
            {
              db: ctx().rt.database.db,
              bus: ctx().rt.bus,
              presence: ctx().rt.realtime.presence,
              clock: () => new Date(),
              logger: ctx().rt.logger,
              ...(claim ? { claim: (key: string, ttl: number) => ctx().rt.realtime.claim(key, ttl) } : {}),
            },
            { intervalMs: 300 },
          ),
      );
    const pushesFor = async (workspaceId: string, claim: boolean) => {
      const workers = publishers(claim);
      for (const w of workers) w.touch(workspaceId);
      const count = () => ctx().pushed.filter((m) => m.workspaceId === workspaceId).length;
      for (let i = 0; i < 100 && count() === 0; i++) await new Promise((r) => setTimeout(r, 20));
      // Every worker's timer has fired and finished once close() returns.
      await Promise.all(workers.map((w) => new Promise((r) => setTimeout(r, 150)).then(() => w.close())));
      return count();
    };

    it('pushes once per interval when the workers share a claim, once per worker without', async () => {
      expect(await pushesFor(await createWorkspace(ctx().rt.database.db), true)).toBe(1);
      expect(await pushesFor(await createWorkspace(ctx().rt.database.db), false)).toBe(3);
    });
  },
);
