// A log-linear latency histogram (the HdrHistogram idea, small): values in microseconds,
// exact below 128 µs, then 64 sub-buckets per power of two — every recorded value lands in a
// bucket within 1/64 (≈ 1.6 %) of it, whatever the range, in a few KB. Mergeable and JSON-
// serialisable, so the load process can ship it to the bench runner.

const LINEAR = 128;
const SUB = 64;

export interface HistogramJson {
  counts: [number, number][];
  count: number;
  min: number;
  max: number;
  sum: number;
}

function indexOf(us: number): number {
  const v = Math.max(0, Math.round(us));
  if (v < LINEAR) return v;
  const exp = Math.floor(Math.log2(v)); // ≥ 7
  const shift = exp - 6; // (v >> shift) ∈ [64, 127]
  return LINEAR + (exp - 7) * SUB + ((v >> shift) - SUB);
}

/** The middle of a bucket's range. */
function valueOf(index: number): number {
  if (index < LINEAR) return index;
  const k = index - LINEAR;
  const exp = 7 + Math.floor(k / SUB);
  const shift = exp - 6;
  const low = (SUB + (k % SUB)) * 2 ** shift;
  const high = (SUB + (k % SUB) + 1) * 2 ** shift - 1;
  return (low + high) / 2;
}

export class Histogram {
  #counts = new Map<number, number>();
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  sum = 0;

  /** Records one latency in milliseconds (kept as microseconds). */
  recordMs(ms: number): void {
    this.recordUs(ms * 1000);
  }

  recordUs(us: number): void {
    const v = Math.max(0, us);
    const i = indexOf(v);
    this.#counts.set(i, (this.#counts.get(i) ?? 0) + 1);
    this.count += 1;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  merge(other: Histogram): this {
    for (const [i, n] of other.#counts) this.#counts.set(i, (this.#counts.get(i) ?? 0) + n);
    this.count += other.count;
    this.sum += other.sum;
    if (other.count > 0) {
      this.min = Math.min(this.min, other.min);
      this.max = Math.max(this.max, other.max);
    }
    return this;
  }

  /** The p-th percentile in milliseconds (null when empty). */
  percentileMs(p: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.count));
    let seen = 0;
    for (const i of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += this.#counts.get(i)!;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, valueOf(i))) / 1000;
    }
    return this.max / 1000;
  }

  meanMs(): number | null {
    return this.count === 0 ? null : this.sum / this.count / 1000;
  }

  /** p50/p90/p99/p999/max in ms, rounded to 0.01 ms. */
  summary(): LatencySummary {
    const r = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
    return {
      count: this.count,
      p50: r(this.percentileMs(50)),
      p90: r(this.percentileMs(90)),
      p99: r(this.percentileMs(99)),
      p999: r(this.percentileMs(99.9)),
      max: r(this.count === 0 ? null : this.max / 1000),
      mean: r(this.meanMs()),
    };
  }

  toJSON(): HistogramJson {
    return {
      counts: [...this.#counts.entries()],
      count: this.count,
      min: this.count === 0 ? 0 : this.min,
      max: this.max,
      sum: this.sum,
    };
  }

  static fromJSON(j: HistogramJson): Histogram {
    const h = new Histogram();
    for (const [i, n] of j.counts) h.#counts.set(i, n);
    h.count = j.count;
    h.sum = j.sum;
    h.max = j.max;
    h.min = j.count === 0 ? Number.POSITIVE_INFINITY : j.min;
    return h;
  }
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
  mean: number | null;
}
