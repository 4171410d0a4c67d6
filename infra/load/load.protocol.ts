import type { AgentStats } from './agent-sockets';
import type { HistogramJson } from './histogram';
import type { RunResult } from './http-load';
import type { WebhookMixSpec } from './webhook-mix';

// What the bench/chaos runner asks the load process (over the fork IPC channel) and what it
// answers. The load process owns every client-side clock: webhook POST times, answers and the
// agent sockets' receipts, so latencies never compare two processes' timers.

/** How request i of a run is built. */
export type RequestSpec =
  /** Signed WhatsApp webhooks of the realistic mix (webhook-mix.ts), request i = index startIndex + i. */
  | { kind: 'webhook'; path: string; mix: WebhookMixSpec; startIndex: number }
  /** The same body every time (raw HTTP limit). */
  | { kind: 'fixed'; path: string; body: string; headers: Record<string, string> }
  /** Agent replies: POST /api/v1/conversations/:id/messages round-robin with an Idempotency-Key. */
  | { kind: 'reply'; conversationIds: string[]; token: string; runTag: string; startIndex: number };

export interface E2eRequest {
  /** Ingest's base URL. */
  baseUrl: string;
  ratePerSec: number;
  durationMs: number;
  spec: Extract<RequestSpec, { kind: 'webhook' }>;
  /** After the schedule, wait up to this long for the tracking agent to see every acknowledged message. */
  settleMs: number;
  /** Re-send a POST that did not answer 200 (as Meta re-delivers), every retryMs, until settle ends. */
  retryNon200?: { retryMs: number };
  /** Answer the acknowledged wamids (chaos: checked one by one against the database). */
  returnIds?: boolean;
}

export interface E2eResult {
  posted: number;
  /** Distinct message webhooks (text/media) answered 200, at any try. */
  ackedMessages: number;
  ackedStatuses: number;
  /** Non-200 answers (and transport errors as "error") over all tries. */
  failures: Record<string, number>;
  retries: number;
  /** POSTs never answered 200 by the end (their payload was not acknowledged). */
  neverAcked: number;
  ack: HistogramJson;
  /** From the scheduled POST time to message:created on the tracking agent's socket. */
  e2e: HistogramJson;
  /** Acknowledged messages the tracking agent had not seen when the run ended. */
  missingAtEnd: number;
  /** ms from the end of the schedule until the tracking agent had everything (or settle ran out). */
  settleMs: number;
  run: RunResult;
  ackedIds?: string[];
}

export type LoadCommand =
  | {
      cmd: 'http-closed';
      baseUrl: string;
      concurrency: number;
      durationMs: number;
      maxRequests: number;
      spec: RequestSpec;
    }
  | { cmd: 'http-open'; baseUrl: string; ratePerSec: number; durationMs: number; spec: RequestSpec }
  | {
      cmd: 'agents-open';
      url: string;
      token: string;
      names: string[];
      /** Where a resync reloads from (REST base URL of the API); omitted → no reload. */
      apiUrl?: string;
      channelId?: string;
    }
  | { cmd: 'agents-token'; token: string }
  | { cmd: 'agents-stats' }
  | { cmd: 'agents-close' }
  | ({ cmd: 'e2e' } & E2eRequest)
  /**
   * The last e2e run's latency histogram and missing count now: the tracking agent keeps
   * recording after the run answers (late arrivals while a backlog drains still count).
   * Stops the recording.
   */
  | { cmd: 'e2e-final' }
  | { cmd: 'fleet-connect'; url: string; token: string; count: number; batch?: number }
  | {
      cmd: 'fleet-fanout';
      redisUrl: string;
      workspaceId: string;
      conversationId: string;
      /** A Message (CONTRACT.md shape) to publish with its text replaced by a marker. */
      message: Record<string, unknown>;
      repeats: number;
      timeoutMs: number;
    }
  /** Arms a wait for message:created with text === marker on every fleet socket (raw servers). */
  | { cmd: 'fleet-expect'; marker: string; timeoutMs: number }
  /** The receipt times (epoch ms) of the armed marker, once all arrived or the wait timed out. */
  | { cmd: 'fleet-collect' }
  | { cmd: 'fleet-close' }
  | { cmd: 'memory' };

export interface E2eFinal {
  e2e: HistogramJson;
  missing: number;
}

export interface AgentsStatsResult {
  /** Acknowledged message ids expected on every socket (all e2e runs since agents-open). */
  expected: number;
  agents: (AgentStats & { missing: number; missingSample: string[] })[];
}

export interface FanoutResult {
  sockets: number;
  failedToConnect: number;
  /** Per repeat: ms from publish to the first, median and last socket receipt. */
  repeats: { received: number; firstMs: number | null; medianMs: number | null; lastMs: number | null }[];
}
