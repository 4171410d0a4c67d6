import { Batcher, type JobOptions, type Queue } from '@hub/shared/queue';

/** Most jobs in one addBulk (a pipeline of this many scripts to Redis). */
export const MAX_BATCH = 128;

interface QueuedJob<T> {
  name: string;
  data: T;
  opts: JobOptions;
}

/**
 * Queue adds made during one turn of the event loop go to Redis as one `addBulk` (one write,
 * one round trip) instead of one each. Every caller still awaits its own job: it resolves once
 * the batch is stored and rejects with the batch's error otherwise, so each caller falls back
 * on its own (BullMQ's addBulk is a pipeline, not a transaction: on an error some jobs of the
 * batch may be stored and others not, and a caller cannot tell which).
 */
export class AddBatcher<T> {
  readonly #batcher: Batcher<QueuedJob<T>>;

  constructor(queue: Queue<T>) {
    this.#batcher = new Batcher<QueuedJob<T>>(
      async (jobs) => {
        const [only] = jobs;
        if (jobs.length === 1 && only) await queue.add(only.name, only.data, only.opts);
        else await queue.addBulk(jobs);
        return jobs.map(() => ({ status: 'fulfilled', value: undefined }));
      },
      // Every turn's adds go out at once, however many batches are still in flight.
      { maxBatch: MAX_BATCH, maxInFlight: Number.POSITIVE_INFINITY },
    );
  }

  add(name: string, data: T, opts: JobOptions): Promise<void> {
    return this.#batcher.submit({ name, data, opts });
  }
}
