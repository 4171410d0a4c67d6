import type { z } from 'zod';
import type { ChannelType, InboundEvent, ProviderError, UnhandledEvent } from '../../events';
import { nowIso } from './time';

export function unhandled(
  channelType: ChannelType,
  routeKey: string | null,
  reason: string,
  raw: unknown,
  opts: { timestamp?: string | null; error?: ProviderError | null } = {},
): UnhandledEvent {
  return {
    v: 1,
    kind: 'unhandled',
    channelType,
    routeKey,
    timestamp: opts.timestamp ?? nowIso(),
    reason,
    error: opts.error ?? null,
    raw,
  };
}

/** A short, readable reason from a zod failure: "messages.0.text.body: expected string". */
export function zodReason(prefix: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return prefix;
  const path = issue.path.map(String).join('.');
  return `${prefix}: ${path ? `${path}: ` : ''}${issue.message}`;
}

/**
 * The last line of defence behind "normalize never throws": a bug or an exotic payload turns
 * into one 'unhandled' event carrying the body, instead of a 500 that makes the platform retry.
 */
export function neverThrow(channelType: ChannelType, body: unknown, run: () => InboundEvent[]): InboundEvent[] {
  try {
    const events = run();
    return events.length > 0 ? events : [unhandled(channelType, null, 'no events in payload', body)];
  } catch (err) {
    return [
      unhandled(channelType, null, `normalize failed: ${err instanceof Error ? err.message : String(err)}`, body),
    ];
  }
}

/** Non-empty trimmed string or null. */
export function str(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.length > 0 ? value : null;
}
