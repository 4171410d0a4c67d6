import type { Conversation, ConversationStatus } from '../api/schemas';

export type InboxView = 'mine' | 'unassigned' | 'all';

export interface InboxFilter {
  view: InboxView;
  channelId: string;
  status: ConversationStatus | '';
  /** Searched on the server (name, phone, message text); checked here only for live inserts. */
  q: string;
  /** Conversations carrying this label (exact spelling), searched on the server too. */
  label?: string;
}

/** Lower case without accents, so "José" and "jose" compare equal (as on the server). */
export function foldText(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Whether a conversation belongs in the list under `filter` (for live updates). With
 * `searched`, the server already applied `q` and `label` (it also matches message text and
 * labels the list rows do not carry), so only the other filters are checked here.
 */
export function matchesFilter(
  c: Conversation,
  f: InboxFilter,
  meId: string | undefined,
  opts: { searched?: boolean } = {},
): boolean {
  switch (f.view) {
    case 'mine':
      if (c.assigneeId !== meId) return false;
      break;
    case 'unassigned':
      if (c.assigneeId !== null) return false;
      break;
    case 'all':
      break;
    default: {
      const never: never = f.view;
      throw new Error(`unknown view ${String(never)}`);
    }
  }
  if (f.channelId && c.channel.id !== f.channelId) return false;
  if (f.status && c.status !== f.status) return false;
  if (opts.searched) return true;
  const label = f.label?.trim();
  if (label && !(c.labels ?? []).includes(label)) return false;
  const q = foldText(f.q.trim());
  if (!q) return true;
  const digits = q.replace(/\D/g, '');
  if (digits.length >= 3 && (c.contact.phone ?? '').includes(digits)) return true;
  return foldText(`${c.contact.name ?? ''} ${c.contact.phone ?? ''} ${c.lastMessage?.text ?? ''}`).includes(q);
}

const newerFirst = (a: Conversation, b: Conversation) =>
  a.lastActivityAt > b.lastActivityAt ? -1 : a.lastActivityAt < b.lastActivityAt ? 1 : a.id < b.id ? -1 : 1;

/**
 * Puts `c` in its place (most recent activity first), replacing the same id; removes it when
 * it no longer matches. Binary insertion: 10,000 rows stay cheap on every event.
 */
export function upsertConversation(list: readonly Conversation[], c: Conversation, keep: boolean): Conversation[] {
  const next = list.filter((x) => x.id !== c.id);
  if (!keep) return next;
  let lo = 0;
  let hi = next.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (newerFirst(next[mid]!, c) < 0) lo = mid + 1;
    else hi = mid;
  }
  next.splice(lo, 0, c);
  return next;
}

/** Appends a page of older conversations, skipping ids already shown (live inserts). */
export function appendPage(list: readonly Conversation[], page: readonly Conversation[]): Conversation[] {
  const have = new Set(list.map((c) => c.id));
  return [...list, ...page.filter((c) => !have.has(c.id))];
}
