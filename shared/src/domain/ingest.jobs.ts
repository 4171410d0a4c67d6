import { z } from 'zod';
import { InboundEvent } from '../events';
import type { JobOptions } from '../queue/queue.port';

// The jobs between the webhook route (services/ingest), the replay command and the inbound
// worker (services/worker). Parsed with these schemas on both sides.

export const INBOUND_QUEUE = 'inbound';
export const MEDIA_QUEUE = 'media';

/** One webhook POST as received: the worker logs it (if ingest did not), normalizes and persists it. */
export const WebhookJob = z.object({
  webhookEventId: z.uuid(),
  channelId: z.string().min(1),
  /** The raw body, exactly as received and signature-checked. */
  body: z.string(),
  receivedAt: z.iso.datetime(),
  /** true when the raw body is already in webhook_events (embedded mode, recovery, replay). */
  logged: z.boolean(),
});
export type WebhookJob = z.infer<typeof WebhookJob>;

/** One already-normalized event for a channel (tests, tools). */
export const EventJob = z.object({
  channelId: z.string().min(1),
  event: InboundEvent,
});
export type EventJob = z.infer<typeof EventJob>;

export type InboundJobData = WebhookJob | EventJob;
export type InboundJobName = 'webhook' | 'event';

export const MediaJob = z.object({ messageId: z.uuid() });
export type MediaJob = z.infer<typeof MediaJob>;

// Persisting is idempotent, so retries are safe: 12 tries doubling from 1 s ride out about an
// hour of database outage before a job is dead-lettered.
export const INBOUND_JOB_OPTIONS: JobOptions = { attempts: 12, backoff: { type: 'exponential', delayMs: 1_000 } };
export const MEDIA_JOB_OPTIONS: JobOptions = { attempts: 5, backoff: { type: 'exponential', delayMs: 2_000 } };
