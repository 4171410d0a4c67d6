import { adapterFor } from '@hub/shared/channels';
import type { ChannelCache, LoadedChannel, NewWebhookEvent, WebhookJob, WebhookNote } from '@hub/shared/domain';
import { InboundEvent } from '@hub/shared/events';
import { routeEvent } from './inbound.service';

// A webhook job read before any database work: parsed, normalized, validated and routed. The
// single-job path and the batch path both start here, so they understand a payload the same way.

/** In payload order: an event to persist, or why a part of the payload was kept but not used. */
export type PreparedEntry = { event: InboundEvent; target: LoadedChannel } | { note: WebhookNote };

export interface PreparedWebhook {
  job: WebhookJob;
  channel: LoadedChannel;
  /** The body is not JSON: saved as failed, nothing else happens. */
  notJson: boolean;
  eventCount: number;
  entries: PreparedEntry[];
}

export async function prepareWebhook(
  channels: ChannelCache,
  job: WebhookJob,
  channel: LoadedChannel,
): Promise<PreparedWebhook> {
  const base = { job, channel, notJson: false, eventCount: 0, entries: [] as PreparedEntry[] };
  let body: unknown;
  try {
    body = parseWebhookBody(job.body);
  } catch {
    return { ...base, notJson: true };
  }
  const events = adapterFor(channel.type).normalize(body);
  const entries: PreparedEntry[] = [];
  for (const raw of events) {
    const parsed = InboundEvent.safeParse(raw);
    if (!parsed.success) {
      entries.push({
        note: { reason: `normalizer produced an invalid event: ${parsed.error.issues[0]?.message ?? ''}`, raw },
      });
      continue;
    }
    const event = parsed.data;
    const target = await routeEvent(channels, channel, event);
    if (!target) {
      entries.push({
        note: { reason: 'unrouted: no channel has this number/page', kind: event.kind, routeKey: event.routeKey },
      });
      continue;
    }
    entries.push({ event, target });
  }
  return { ...base, eventCount: events.length, entries };
}

/** The raw row of a prepared webhook (its outcome is saved with it). */
export function rawRowOf(p: Pick<PreparedWebhook, 'job' | 'channel'>): NewWebhookEvent {
  return {
    id: p.job.webhookEventId,
    workspaceId: p.channel.workspaceId,
    channelId: p.channel.id,
    channelType: p.channel.type,
    body: p.job.body,
    receivedAt: new Date(p.job.receivedAt),
  };
}

/** processed, unhandled (some part noted) or failed (not JSON), with the notes in payload order. */
export function webhookResult(p: PreparedWebhook, eventNotes: (WebhookNote | undefined)[], at: Date) {
  if (p.notJson) return { status: 'failed' as const, notes: [{ reason: 'body is not JSON' }], eventCount: 0, at };
  const notes: WebhookNote[] = [];
  let k = 0;
  for (const entry of p.entries) {
    const note = 'note' in entry ? entry.note : eventNotes[k++];
    if (note) notes.push(note);
  }
  return {
    status: notes.length > 0 ? ('unhandled' as const) : ('processed' as const),
    notes,
    eventCount: p.eventCount,
    at,
  };
}

/**
 * A high-surrogate escape not followed by a low one, or a low one not preceded by a high one.
 * (Emoji arrive as escaped pairs — those are fine and skip the walk below.)
 */
const LONE_SURROGATE_ESCAPE =
  /\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;

/**
 * JSON.parse, with lone UTF-16 surrogates (a "\ud83d" escape without its pair, which some
 * senders' clients produce) replaced by U+FFFD: PostgreSQL's jsonb refuses them, and a payload
 * it refuses would be retried for an hour instead of stored.
 */
export function parseWebhookBody(body: string): unknown {
  const value: unknown = JSON.parse(body);
  return LONE_SURROGATE_ESCAPE.test(body) ? wellFormed(value) : value;
}

function wellFormed(v: unknown): unknown {
  if (typeof v === 'string') return (v as string & { toWellFormed(): string }).toWellFormed();
  if (Array.isArray(v)) return v.map(wellFormed);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[wellFormed(k) as string] = wellFormed(x);
    return out;
  }
  return v;
}
