import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChannelType, InboundEvent, MessageEvent, StatusEvent } from '../../src/events';

// The public fixture set, copied byte for byte from the project's shared fixtures (the Meta
// signatures in signatures.json cover these exact bytes — never reformat them).
export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function fixtureBytes(path: string): Buffer {
  return readFileSync(`${FIXTURES_DIR}${path}`);
}

export function fixture(path: string): unknown {
  return JSON.parse(fixtureBytes(path).toString('utf8')) as unknown;
}

/** Webhook bodies of a platform (request descriptors excluded), as "platform/file.json". */
export function bodyFixtures(platform: ChannelType): string[] {
  return readdirSync(`${FIXTURES_DIR}${platform}`)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.request.json'))
    .sort()
    .map((f) => `${platform}/${f}`);
}

export const signatures = fixture('signatures.json') as {
  meta_app_secret: string;
  telegram_secret_token: string;
  headers: Record<string, Record<string, string>>;
};

export function only<K extends InboundEvent['kind']>(
  events: InboundEvent[],
  kind: K,
): Extract<InboundEvent, { kind: K }> {
  if (events.length !== 1) throw new Error(`expected one event, got ${events.length}: ${JSON.stringify(events)}`);
  const e = events[0]!;
  if (e.kind !== kind) throw new Error(`expected a '${kind}' event, got ${JSON.stringify(e)}`);
  return e as Extract<InboundEvent, { kind: K }>;
}

export const oneMessage = (events: InboundEvent[]): MessageEvent => only(events, 'message');
export const oneStatus = (events: InboundEvent[]): StatusEvent => only(events, 'status');
