import type { JobOptions, Queue } from '@hub/shared/queue';

interface Waiting<T> {
  job: { name: string; data: T; opts: JobOptions };
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Most jobs in one addBulk (a pipeline of this many scripts to Redis). */
export const MAX_BATCH = 128;

/**
 * Queue adds made during one turn of the event loop go to Redis as one `addBulk` (one write,
 * one round trip) instead of one each. Every caller still awaits its own job: it resolves once
 * the batch is stored and rejects with the batch's error otherwise, so each caller falls back
 * on its own (BullMQ's addBulk is a pipeline, not a transaction: on an error some jobs of the
 * batch may be stored and others not, and a caller cannot tell which).
 */
export class AddBatcher<T> {
  private waiting: Waiting<T>[] = [];
  private scheduled = false;

  constructor(private readonly queue: Queue<T>) {}

  add(name: string, data: T, opts: JobOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ job: { name, data, opts }, resolve, reject });
      if (this.waiting.length >= MAX_BATCH) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's I/O callbacks: every request that arrived together joins.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    let stored: Promise<void>;
    try {
      const [only] = batch;
      stored =
        batch.length === 1 && only
          ? this.queue.add(only.job.name, only.job.data, only.job.opts)
          : this.queue.addBulk(batch.map((w) => w.job));
    } catch (err) {
      stored = Promise.reject(err);
    }
    stored.then(
      () => batch.forEach((w) => w.resolve()),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
  }
}
