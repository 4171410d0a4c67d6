import type { Conversation, ConversationStatus } from '../api/schemas';

export type InboxView = 'mine' | 'unassigned' | 'all';

export interface InboxFilter {
  view: InboxView;
  channelId: string;
  status: ConversationStatus | '';
  q: string;
}

/** Whether a conversation belongs in the list under `filter` (for live updates). */
export function matchesFilter(c: Conversation, f: InboxFilter, meId: string | undefined): boolean {
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
  const q = f.q.trim().toLowerCase();
  if (q && !`${c.contact.name ?? ''} ${c.contact.phone ?? ''}`.toLowerCase().includes(q)) return false;
  return true;
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
