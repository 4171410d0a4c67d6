import type { Message, MessageStatus } from '../api/schemas';
import type { SendBody } from '../api/endpoints';

// Thread bookkeeping, kept pure (no runes) so it is unit-tested on its own.

/** An optimistic bubble: shown at once, replaced by the server's message when it arrives. */
export interface LocalSend {
  /** The Idempotency-Key of the send: the same key on a retry never makes a second message. */
  key: string;
  state: 'sending' | 'error';
  error?: string;
  body: SendBody;
}

export type ThreadMessage = Message & { local?: LocalSend };

// Statuses only move forward (queued → sent → delivered → read). WhatsApp may report `failed`
// after `sent` (undeliverable), never after `delivered`.
const rank: Record<MessageStatus, number> = { received: 0, queued: 0, sent: 1, failed: 1.5, delivered: 2, read: 3 };

function newer(existing: ThreadMessage, incoming: Message): ThreadMessage {
  if (rank[incoming.status] < rank[existing.status]) {
    // An older snapshot (e.g. the POST's `queued` arriving after the socket's `sent`):
    // keep what we know, take any new fields.
    return { ...existing, ...incoming, status: existing.status, error: existing.error ?? null, local: undefined };
  }
  return { ...incoming };
}

const byTime = (a: ThreadMessage, b: ThreadMessage) => {
  // Optimistic bubbles stay last: they are newer than anything the server has confirmed.
  if (!!a.local !== !!b.local) return a.local ? 1 : -1;
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
};

/**
 * Puts a server message into the thread: replaces the same id, or the optimistic bubble it
 * confirms (same idempotency key; or, when the server does not echo the key, the oldest
 * pending bubble with the same text), or else inserts it in time order. Never duplicates.
 */
export function mergeMessage(list: readonly ThreadMessage[], incoming: Message): ThreadMessage[] {
  const same = list.findIndex((m) => m.id === incoming.id);
  if (same >= 0) {
    const next = list.slice();
    next[same] = newer(list[same]!, incoming);
    return next;
  }
  if (incoming.direction === 'out') {
    let local = incoming.idempotencyKey ? list.findIndex((m) => m.local?.key === incoming.idempotencyKey) : -1;
    if (local < 0 && !incoming.idempotencyKey) {
      local = list.findIndex(
        (m) =>
          m.local &&
          m.local.state === 'sending' &&
          (m.text ?? '') === (incoming.text ?? '') &&
          m.type === incoming.type,
      );
    }
    if (local >= 0) {
      const next = list.slice();
      next.splice(local, 1);
      return insertSorted(next, { ...incoming });
    }
  }
  return insertSorted(list.slice(), { ...incoming });
}

/** Replaces the optimistic bubble `key` with the server's answer to the send. */
export function confirmLocal(list: readonly ThreadMessage[], key: string, server: Message): ThreadMessage[] {
  const withKey = { ...server, idempotencyKey: server.idempotencyKey ?? key };
  const i = list.findIndex((m) => m.local?.key === key);
  if (i < 0) return mergeMessage(list, withKey);
  // The socket echo may have come first: then the message is already there under its id.
  if (list.some((m) => m.id === server.id)) {
    const next = list.slice();
    next.splice(i, 1);
    return mergeMessage(next, withKey);
  }
  const next = list.slice();
  next.splice(i, 1);
  return insertSorted(next, withKey);
}

/** Older history (a page from `before`) in front, without duplicates. */
export function prependPage(list: readonly ThreadMessage[], older: readonly Message[]): ThreadMessage[] {
  const have = new Set(list.map((m) => m.id));
  return [...older.filter((m) => !have.has(m.id)), ...list];
}

function insertSorted(list: ThreadMessage[], m: ThreadMessage): ThreadMessage[] {
  let i = list.length;
  while (i > 0 && byTime(list[i - 1]!, m) > 0) i--;
  list.splice(i, 0, m);
  return list;
}

export function localMessage(conversationId: string, key: string, body: SendBody, now: Date): ThreadMessage {
  return {
    id: `local:${key}`,
    conversationId,
    direction: 'out',
    type: body.type ?? 'text',
    text: 'text' in body ? body.text : body.type === 'template' ? body.template.name : (body.caption ?? null),
    media: null,
    status: 'queued',
    providerMessageId: null,
    error: null,
    createdAt: now.toISOString(),
    idempotencyKey: key,
    private: 'private' in body ? (body.private ?? false) : false,
    local: { key, state: 'sending', body },
  };
}

/**
 * Current reactions per reacted-to message (keyed by its providerMessageId): the latest
 * reaction of each side wins, and a reaction without emoji removes it (WhatsApp sends that).
 */
export function reactionsByTarget(list: readonly ThreadMessage[]): Map<string, string[]> {
  const bySide = new Map<string, string | null>();
  for (const m of list) {
    if (m.type !== 'reaction') continue;
    const target = detail(m, 'targetProviderMessageId');
    if (!target) continue;
    bySide.set(`${target}\u0000${m.direction}`, detail(m, 'emoji') ?? m.text ?? null);
  }
  const out = new Map<string, string[]>();
  for (const [key, emoji] of bySide) {
    if (!emoji) continue;
    const target = key.split('\u0000')[0]!;
    out.set(target, [...(out.get(target) ?? []), emoji]);
  }
  return out;
}

/** A string field of `details`. */
export function detail(m: Message, key: string): string | null {
  const v = m.details?.[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

export interface Location {
  latitude: number;
  longitude: number;
  name: string | null;
  address: string | null;
}

export function locationOf(m: Message): Location | null {
  const lat = m.details?.['latitude'];
  const lon = m.details?.['longitude'];
  if (typeof lat !== 'number' || typeof lon !== 'number') return null;
  return { latitude: lat, longitude: lon, name: detail(m, 'name'), address: detail(m, 'address') };
}

/** Names of shared contact cards (details.contacts). */
export function sharedContacts(m: Message): { name: string; phones: string[] }[] {
  const cards = m.details?.['contacts'];
  if (!Array.isArray(cards)) return [];
  return cards.map((c: { name?: unknown; phones?: { phone?: unknown }[] }) => ({
    name: typeof c.name === 'string' ? c.name : '',
    phones: Array.isArray(c.phones) ? c.phones.map((p) => String(p.phone ?? '')).filter(Boolean) : [],
  }));
}
