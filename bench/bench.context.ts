import { createQueueDriver, type QueueDriver } from '@hub/shared/queue';
import type { FakePlatforms } from '../infra/fake-platforms';
import type { IpcChild } from '../infra/load/ipc';
import type { LoadProcess } from '../infra/load/load.client';
import type { RedisServer, TempDatabase } from '../infra/load/layout/servers';
import type { Profile } from './bench.profile';
import type { Results } from './report/results';

// What every phase of a bench run shares.

export interface BenchContext {
  profile: Profile;
  results: Results;
  fake: FakePlatforms;
  load: LoadProcess;
  raw: IpcChild;
  /** The run's own Redis (no AOF, like the machine's), for raw BullMQ and the scaled hub. */
  redis: RedisServer;
  db: TempDatabase;
  logDir: string;
  /** Unique per run: part of every wamid. */
  runTag: string;
  log(line: string): void;
  /** A figure that could not be measured: null with its reason. */
  fail(key: string, reason: string): void;
}

export const round = (n: number | null | undefined, digits = 2): number | null =>
  n === null || n === undefined || !Number.isFinite(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits;

/** Waiting + active + delayed counts of the hub's queues on a Redis (BullMQ prefix "bull", the services' default). */
export class QueueWatch {
  private driver: QueueDriver;

  constructor(redisUrl: string) {
    this.driver = createQueueDriver({ redisUrl, logger: { warn: () => undefined } });
  }

  pending(queue = 'inbound'): Promise<number> {
    return this.driver.queue(queue).pending();
  }

  async waitIdle(timeoutMs: number, queues = ['inbound', 'media']): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let total = 0;
      for (const q of queues) total += await this.pending(q).catch(() => 1);
      if (total === 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  close(): Promise<void> {
    return this.driver.close(1000);
  }
}
