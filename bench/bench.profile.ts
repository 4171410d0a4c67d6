// How long and how hard each measurement runs. `full` is what the README's table comes from;
// `quick` (npm run bench -- --quick) gives the same keys in under three minutes, with shorter
// windows (so noisier figures) and no soak.

export interface Profile {
  name: 'full' | 'quick';
  raw: {
    httpMs: number;
    httpConcurrency: number;
    /** Open-loop window at 1,000 req/s for the bare server's p99. */
    httpAt1000Ms: number;
    bullmqJobs: number;
    bullmqConcurrency: number;
    streamsMs: number;
    pgMs: number;
    ioSockets: number;
    ioEmits: number;
    /** Also measure Redis with appendfsync always (raw BullMQ only). */
    aofAlways: boolean;
  };
  ack: { durationMs: number; maxRequests: number; concurrency: number; at1000Ms: number };
  steps: { rates: number[]; durationMs: number; settleMs: number };
  sustained: { holdMs: number; attempts: number; p99LimitMs: number };
  backlog: { jobs: number; liveRate: number };
  outbound: { durationMs: number; offeredRate: number; limitPerSec: number; injected429PerSec: number };
  fanout: { sizes: number[]; repeats: number };
  embedded: { rates: number[]; durationMs: number };
  soakMs: number | null;
}

export const FULL: Profile = {
  name: 'full',
  raw: {
    httpMs: 10_000,
    httpConcurrency: 64,
    httpAt1000Ms: 10_000,
    bullmqJobs: 30_000,
    bullmqConcurrency: 100,
    streamsMs: 5_000,
    pgMs: 5_000,
    ioSockets: 1000,
    ioEmits: 20,
    aofAlways: true,
  },
  ack: { durationMs: 10_000, maxRequests: 15_000, concurrency: 64, at1000Ms: 5_000 },
  steps: { rates: [100, 500, 1000, 2000], durationMs: 10_000, settleMs: 90_000 },
  sustained: { holdMs: 60_000, attempts: 4, p99LimitMs: 250 },
  backlog: { jobs: 10_000, liveRate: 50 },
  outbound: { durationMs: 30_000, offeredRate: 120, limitPerSec: 80, injected429PerSec: 2 },
  fanout: { sizes: [1000, 5000], repeats: 20 },
  embedded: { rates: [25, 50, 100, 150, 200, 300, 400, 600], durationMs: 15_000 },
  soakMs: 5 * 60_000,
};

export const QUICK: Profile = {
  name: 'quick',
  raw: {
    httpMs: 1_500,
    httpConcurrency: 64,
    httpAt1000Ms: 1_500,
    bullmqJobs: 4_000,
    bullmqConcurrency: 100,
    streamsMs: 1_000,
    pgMs: 1_000,
    ioSockets: 1000,
    ioEmits: 5,
    aofAlways: false,
  },
  ack: { durationMs: 3_000, maxRequests: 8_000, concurrency: 64, at1000Ms: 1_500 },
  steps: { rates: [100, 500, 1000, 2000], durationMs: 1_500, settleMs: 30_000 },
  sustained: { holdMs: 5_000, attempts: 2, p99LimitMs: 250 },
  backlog: { jobs: 1_200, liveRate: 50 },
  outbound: { durationMs: 4_000, offeredRate: 120, limitPerSec: 80, injected429PerSec: 2 },
  fanout: { sizes: [1000, 5000], repeats: 3 },
  embedded: { rates: [25, 50, 100, 200], durationMs: 1_500 },
  soakMs: null,
};
