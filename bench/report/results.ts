import type { LatencySummary } from '../../infra/load/histogram';

// The results file (bench/results/latest.json and a dated copy). Every figure is a number or
// null; a null has its reason under `reasons` (same dotted key). Nothing is ever filled in.

export interface RawFigures {
  /** Bare node:http answering 200 to a webhook-sized POST, closed loop, 64 connections. */
  httpRps: number | null;
  /** BullMQ producer + no-op worker in one process. */
  bullmqE2eJobsPerSec: number | null;
  /** BullMQ backlog drained by a no-op worker. */
  bullmqDrainJobsPerSec: number | null;
  /** 500-row batches of message-sized rows (unnest), best of 1 and 4 connections. */
  pgBatchRowsPerSec: number | null;
  /** Loop-blocking time of one Socket.IO emit to a room of 1,000 sockets (median). */
  socketRoomEmitMs: number | null;
  httpP99MsAt1000: number | null;
  bullmqAddBulkJobsPerSec: number | null;
  redisStreamAppendsPerSec: number | null;
  pgSingleRowInsertsPerSec: number | null;
  /** Emit start → the last of the 1,000 client sockets has it (median over emits). */
  socketRoomDeliveryMs: number | null;
}

export interface HubFigures {
  webhookAckRps: number | null;
  webhookAckP99MsAt1000: number | null;
  e2eMaxSustainedRps: number | null;
  e2eP50MsAt1000: number | null;
  e2eP99MsAt1000: number | null;
  backlogDrainJobsPerSec: number | null;
  webhookAckP50MsAt1000: number | null;
  webhookAckP999MsAt1000: number | null;
  outboundSendsPerSec: number | null;
  outboundPlatformLimitPerSec: number | null;
  outbound429s: number | null;
  outboundDropped: number | null;
  outboundDoubled: number | null;
  gatewayFanoutMs1000: number | null;
  gatewayFanoutMs5000: number | null;
  gatewayBytesPerSocket: number | null;
  embeddedMaxSustainedRps: number | null;
  soakRssGrowthPct: number | null;
  lost: number | null;
  doubled: number | null;
}

export interface AofFigures {
  bullmqE2eJobsPerSec: number | null;
  bullmqDrainJobsPerSec: number | null;
  bullmqE2eJobsPerSecAlways: number | null;
  bullmqDrainJobsPerSecAlways: number | null;
  redisStreamAppendsPerSec: number | null;
  webhookAckRps: number | null;
  webhookAckRpsNoAof: number | null;
  webhookAckP99MsAt1000: number | null;
  webhookAckP99MsAt1000NoAof: number | null;
}

export interface StepResult {
  rate: number;
  durationMs: number;
  posted: number;
  ackedMessages: number;
  failures: Record<string, number>;
  ack: LatencySummary;
  e2e: LatencySummary;
  /** Acknowledged but never stored or never on a socket, counted once the queues were empty. */
  missing: number;
  /** false: the queues were still busy when counting stopped (missing not verified). */
  verified: boolean;
  doubles: number;
  /** inbound jobs waiting/active at the end of the schedule. */
  backlogAtEnd: number | null;
  /** Highest inbound backlog seen during the schedule. */
  backlogMax: number | null;
  settleMs: number;
  pass: boolean;
  why: string[];
}

export interface Target {
  id: string;
  description: string;
  value: number | null;
  threshold: string;
  pass: boolean | null;
}

export interface Results {
  machine: Record<string, unknown>;
  date: string;
  mode: 'full' | 'quick';
  durationSec: number;
  raw: RawFigures;
  hub: HubFigures;
  aof: AofFigures;
  ratios: Record<string, number | null>;
  targets: Target[];
  reasons: Record<string, string>;
  details: Record<string, unknown>;
}

export function emptyResults(mode: 'full' | 'quick', machine: Record<string, unknown>): Results {
  const nulls = <K extends string>(keys: K[]) => Object.fromEntries(keys.map((k) => [k, null])) as Record<K, null>;
  return {
    machine,
    date: new Date().toISOString(),
    mode,
    durationSec: 0,
    raw: nulls([
      'httpRps',
      'bullmqE2eJobsPerSec',
      'bullmqDrainJobsPerSec',
      'pgBatchRowsPerSec',
      'socketRoomEmitMs',
      'httpP99MsAt1000',
      'bullmqAddBulkJobsPerSec',
      'redisStreamAppendsPerSec',
      'pgSingleRowInsertsPerSec',
      'socketRoomDeliveryMs',
    ]),
    hub: nulls([
      'webhookAckRps',
      'webhookAckP99MsAt1000',
      'e2eMaxSustainedRps',
      'e2eP50MsAt1000',
      'e2eP99MsAt1000',
      'backlogDrainJobsPerSec',
      'webhookAckP50MsAt1000',
      'webhookAckP999MsAt1000',
      'outboundSendsPerSec',
      'outboundPlatformLimitPerSec',
      'outbound429s',
      'outboundDropped',
      'outboundDoubled',
      'gatewayFanoutMs1000',
      'gatewayFanoutMs5000',
      'gatewayBytesPerSocket',
      'embeddedMaxSustainedRps',
      'soakRssGrowthPct',
      'lost',
      'doubled',
    ]),
    aof: nulls([
      'bullmqE2eJobsPerSec',
      'bullmqDrainJobsPerSec',
      'bullmqE2eJobsPerSecAlways',
      'bullmqDrainJobsPerSecAlways',
      'redisStreamAppendsPerSec',
      'webhookAckRps',
      'webhookAckRpsNoAof',
      'webhookAckP99MsAt1000',
      'webhookAckP99MsAt1000NoAof',
    ]),
    ratios: {},
    targets: [],
    reasons: {},
    details: {},
  };
}

const div = (a: number | null, b: number | null) =>
  a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000;

/**
 * Every hub figure over the raw limit it stands on, so runs on different machines compare.
 * The reference machine (2 cores): http 31k req/s, BullMQ e2e 8k jobs/s, drain 14k,
 * a 1,000-socket emit 12–15 ms.
 */
export function computeRatios(r: Results): Record<string, number | null> {
  return {
    webhookAckRps_over_httpRps: div(r.hub.webhookAckRps, r.raw.httpRps),
    webhookAckP99MsAt1000_over_httpP99MsAt1000: div(r.hub.webhookAckP99MsAt1000, r.raw.httpP99MsAt1000),
    e2eMaxSustainedRps_over_bullmqE2eJobsPerSec: div(r.hub.e2eMaxSustainedRps, r.raw.bullmqE2eJobsPerSec),
    e2eMaxSustainedRps_over_pgSingleRowInsertsPerSec: div(r.hub.e2eMaxSustainedRps, r.raw.pgSingleRowInsertsPerSec),
    backlogDrainJobsPerSec_over_bullmqDrainJobsPerSec: div(r.hub.backlogDrainJobsPerSec, r.raw.bullmqDrainJobsPerSec),
    outboundSendsPerSec_over_platformLimit: div(r.hub.outboundSendsPerSec, r.hub.outboundPlatformLimitPerSec),
    gatewayFanoutMs1000_over_socketRoomDeliveryMs: div(r.hub.gatewayFanoutMs1000, r.raw.socketRoomDeliveryMs),
    gatewayFanoutMs1000_over_socketRoomEmitMs: div(r.hub.gatewayFanoutMs1000, r.raw.socketRoomEmitMs),
    embeddedMaxSustainedRps_over_e2eMaxSustainedRps: div(r.hub.embeddedMaxSustainedRps, r.hub.e2eMaxSustainedRps),
    aofBullmqE2e_over_noAof: div(r.aof.bullmqE2eJobsPerSec, r.raw.bullmqE2eJobsPerSec),
    aofBullmqDrain_over_noAof: div(r.aof.bullmqDrainJobsPerSec, r.raw.bullmqDrainJobsPerSec),
    aofWebhookAckRps_over_noAof: div(r.aof.webhookAckRps, r.aof.webhookAckRpsNoAof),
  };
}

/** The targets: pass/fail lines, printed, never asserted. */
export function computeTargets(r: Results): Target[] {
  const t = (
    id: string,
    description: string,
    value: number | null,
    threshold: string,
    ok: (v: number) => boolean,
  ): Target => ({ id, description, value, threshold, pass: value === null ? null : ok(value) });
  const ratio = r.ratios;
  const sustainedFloor = 1500 / 8000; // 1,500 msg/s on the reference machine's 8k BullMQ jobs/s
  return [
    t(
      'webhook-acks',
      'webhook acks ≥ 0.2 × bare node:http',
      ratio['webhookAckRps_over_httpRps'] ?? null,
      '≥ 0.2',
      (v) => v >= 0.2,
    ),
    t('ack-p99', 'webhook ack p99 at 1,000 req/s', r.hub.webhookAckP99MsAt1000, '≤ 25 ms', (v) => v <= 25),
    t(
      'e2e-sustained',
      'end to end sustained ≥ 1,500 msg/s on the reference 2-core machine (= 0.1875 × its BullMQ e2e rate)',
      ratio['e2eMaxSustainedRps_over_bullmqE2eJobsPerSec'] ?? null,
      `≥ ${sustainedFloor}`,
      (v) => v >= sustainedFloor,
    ),
    t('e2e-p50', 'end to end p50 at 1,000 msg/s', r.hub.e2eP50MsAt1000, '≤ 15 ms', (v) => v <= 15),
    t('e2e-p99', 'end to end p99 at 1,000 msg/s', r.hub.e2eP99MsAt1000, '≤ 100 ms', (v) => v <= 100),
    t('no-loss', 'messages lost (acknowledged, never stored or never on a socket)', r.hub.lost, '= 0', (v) => v === 0),
    t('no-doubles', 'messages doubled (stored or applied on a socket twice)', r.hub.doubled, '= 0', (v) => v === 0),
    t(
      'backlog-drain',
      'backlog recovery ≥ 0.5 × bare BullMQ drain, live traffic flowing',
      ratio['backlogDrainJobsPerSec_over_bullmqDrainJobsPerSec'] ?? null,
      '≥ 0.5',
      (v) => v >= 0.5,
    ),
    t(
      'outbound-rate',
      'outbound sends match the platform limit (with 429s, no drops)',
      ratio['outboundSendsPerSec_over_platformLimit'] ?? null,
      '0.9 – 1.0',
      (v) => v >= 0.9 && v <= 1.0 && r.hub.outboundDropped === 0 && r.hub.outboundDoubled === 0,
    ),
    t(
      'soak',
      'RSS growth over the 5-minute soak (last minute vs second)',
      r.hub.soakRssGrowthPct,
      '≤ 10 %',
      (v) => v <= 10,
    ),
  ];
}
