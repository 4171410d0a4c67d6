// Gathers items submitted while earlier ones are being worked on into batches. Nothing waits
// for a timer: an item submitted to an idle batcher runs on the next turn of the event loop
// (alone, or with whatever arrived in the same turn); under load, what piles up behind the
// running batches becomes the next batch. Each submitter learns its own item's fate.
// Used by the inbound worker (webhooks per transaction) and by ingest (queue adds per addBulk).

export interface BatcherOptions {
  maxBatch: number;
  maxInFlight: number;
}

/** Runs a batch; answers one settled result per item, in order (rejects: all items fail). */
export type BatchRunner<T> = (items: T[]) => Promise<PromiseSettledResult<void>[]>;

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class Batcher<T> {
  readonly #run: BatchRunner<T>;
  readonly #opts: BatcherOptions;
  #waiting: Waiting<T>[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(run: BatchRunner<T>, opts: BatcherOptions) {
    this.#run = run;
    this.#opts = { maxBatch: Math.max(1, opts.maxBatch), maxInFlight: Math.max(1, opts.maxInFlight) };
  }

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#opts.maxInFlight || this.#waiting.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#inFlight < this.#opts.maxInFlight && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#opts.maxBatch);
      this.#inFlight += 1;
      this.#run(batch.map((w) => w.item))
        .then(
          (results) =>
            batch.forEach((w, i) => {
              const r = results[i];
              if (!r) w.reject(new Error('batch runner gave no result for this item'));
              else if (r.status === 'rejected') w.reject(r.reason);
              else w.resolve();
            }),
          (err: unknown) => batch.forEach((w) => w.reject(err)),
        )
        .finally(() => {
          this.#inFlight -= 1;
          this.#schedule();
        });
    }
  }
}
