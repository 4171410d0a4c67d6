import { api, ApiError } from '../api';
import type { SendBody } from '../api/endpoints';
import type { Conversation, ConversationStatus, Message } from '../api/schemas';
import { appendPage, matchesFilter, upsertConversation, type InboxFilter } from '../inbox/conversations';
import { confirmLocal, localMessage, mergeMessage, prependPage, type ThreadMessage } from '../inbox/messages';
import { latestIso } from '../inbox/service-window';
import { realtime } from '../realtime/socket.svelte';
import { session } from './session.svelte';

// The live inbox: the filtered conversation list (paged, re-ordered by socket events), one
// thread per opened conversation (paged back through history), optimistic sends.

const PAGE = 50;
const THREAD_PAGE = 40;

export class ThreadState {
  messages = $state.raw<ThreadMessage[]>([]);
  /** `before` cursor for older history; null once the start is reached. */
  olderCursor = $state<string | null>(null);
  loaded = $state(false);
  loadingOlder = $state(false);
  error = $state<string | null>(null);
  /** Someone else typing here (name), cleared after a few seconds. */
  typing = $state<string | null>(null);
  #typingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly conversationId: string) {}

  /** Latest inbound customer message in what is loaded (for the WhatsApp window). */
  get lastInboundAt(): string | null {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i]!;
      if (m.direction === 'in' && m.type !== 'reaction') return m.createdAt;
    }
    return null;
  }

  async loadLatest(): Promise<void> {
    try {
      const page = await api.conversations.messages(this.conversationId, { limit: THREAD_PAGE });
      const known = this.messages.filter((m) => !m.local);
      const newestKnown = known[known.length - 1]?.createdAt;
      const oldestNew = page.items[0]?.createdAt;
      // First load, or a resync after a gap longer than one page: start over from this page.
      const gap =
        !this.loaded ||
        (page.nextCursor !== null && newestKnown !== undefined && oldestNew !== undefined && oldestNew > newestKnown);
      let list: ThreadMessage[] = gap ? this.messages.filter((m) => m.local) : this.messages;
      for (const m of page.items) list = mergeMessage(list, m);
      this.messages = list;
      if (gap) this.olderCursor = page.nextCursor;
      this.loaded = true;
      this.error = null;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  async loadOlder(): Promise<void> {
    if (this.loadingOlder || !this.olderCursor) return;
    this.loadingOlder = true;
    try {
      const page = await api.conversations.messages(this.conversationId, {
        before: this.olderCursor,
        limit: THREAD_PAGE,
      });
      this.messages = prependPage(this.messages, page.items);
      this.olderCursor = page.nextCursor;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.loadingOlder = false;
    }
  }

  apply(message: Message): void {
    this.messages = mergeMessage(this.messages, message);
  }

  setTyping(name: string | null): void {
    this.typing = name;
    clearTimeout(this.#typingTimer);
    if (name) this.#typingTimer = setTimeout(() => (this.typing = null), 8000);
  }
}

const me = () => session.user?.id;

function newKey(): string {
  return crypto.randomUUID();
}

class InboxStore {
  filter = $state<InboxFilter>({ view: 'all', channelId: '', status: 'open', q: '', label: '' });
  conversations = $state.raw<Conversation[]>([]);
  nextCursor = $state<string | null>(null);
  loading = $state(false);
  loadingMore = $state(false);
  error = $state<string | null>(null);
  selectedId = $state<string | null>(null);
  /** The selected conversation even when the filter no longer lists it. */
  #selectedSnapshot = $state.raw<Conversation | null>(null);
  #threads = new Map<string, ThreadState>();
  #generation = 0;
  #unsubscribe: (() => void)[] = [];

  byId = $derived(new Map(this.conversations.map((c) => [c.id, c])));

  get selected(): Conversation | null {
    if (!this.selectedId) return null;
    return this.byId.get(this.selectedId) ?? this.#selectedSnapshot;
  }

  get thread(): ThreadState | null {
    return this.selectedId ? this.threadOf(this.selectedId) : null;
  }

  threadOf(id: string): ThreadState {
    let t = this.#threads.get(id);
    if (!t) this.#threads.set(id, (t = new ThreadState(id)));
    return t;
  }

  /** When the WhatsApp window of `c` opened last (from the API or the loaded thread). */
  lastInboundAt(c: Conversation): string | null {
    const fromList = c.lastMessage?.direction === 'in' ? c.lastMessage.createdAt : null;
    return latestIso(latestIso(c.lastInboundAt, fromList), this.#threads.get(c.id)?.lastInboundAt);
  }

  /** Subscribes to socket events; returns the unsubscribe. Called by the inbox layout. */
  start(): () => void {
    if (this.#unsubscribe.length === 0) {
      this.#unsubscribe = [
        realtime.on('conversation:created', ({ conversation }) => this.applyConversation(conversation)),
        realtime.on('conversation:updated', ({ conversation }) => this.applyConversation(conversation)),
        realtime.on('message:created', ({ conversationId, message }) =>
          this.applyMessage(conversationId, message, true),
        ),
        realtime.on('message:updated', ({ conversationId, message }) =>
          this.applyMessage(conversationId, message, false),
        ),
        realtime.on('typing', ({ conversationId, name, userId, typing }) => {
          if (userId && userId === session.user?.id) return;
          this.#threads.get(conversationId)?.setTyping(typing === false ? null : (name ?? '…'));
        }),
        realtime.on('conversation:revoked', ({ conversationId }) => this.revoke(conversationId)),
        realtime.on('resync', () => void this.resync()),
      ];
    }
    return () => {
      for (const u of this.#unsubscribe) u();
      this.#unsubscribe = [];
      realtime.watch(null);
    };
  }

  /** Reassigned away from what this user may see: gone from the list, the thread closed. */
  revoke(id: string): void {
    this.conversations = this.conversations.filter((c) => c.id !== id);
    this.#threads.delete(id);
    if (this.selectedId === id) void this.select(null);
  }

  #query() {
    const f = this.filter;
    return {
      status: f.status || undefined,
      channelId: f.channelId || undefined,
      assigneeId: f.view === 'mine' ? session.user?.id : f.view === 'unassigned' ? 'none' : undefined,
      q: f.q.trim() || undefined,
      label: f.label?.trim() || undefined,
      limit: PAGE,
    };
  }

  async load(): Promise<void> {
    const gen = ++this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const page = await api.conversations.list(this.#query());
      if (gen !== this.#generation) return;
      // The server applied every filter; a live event may have changed a row since.
      this.conversations = page.items.filter((c) => matchesFilter(c, this.filter, me(), { searched: true }));
      this.nextCursor = page.nextCursor;
      // Opened from a link before the list came: it is being read now.
      const open = this.selectedId ? this.byId.get(this.selectedId) : undefined;
      if (open && open.unreadCount > 0) this.markRead(open.id);
    } catch (err) {
      if (gen !== this.#generation) return;
      // Signed out: the sign-in dialog is open and a resync follows it.
      if (err instanceof ApiError && err.status === 401) return;
      this.error = err instanceof ApiError && err.notImplemented ? 'not_implemented' : String((err as Error).message);
      this.conversations = [];
      this.nextCursor = null;
    } finally {
      if (gen === this.#generation) this.loading = false;
    }
  }

  async loadMore(): Promise<void> {
    if (this.loadingMore || this.loading || !this.nextCursor) return;
    const gen = this.#generation;
    this.loadingMore = true;
    try {
      const page = await api.conversations.list({ ...this.#query(), cursor: this.nextCursor });
      if (gen !== this.#generation) return;
      this.conversations = appendPage(
        this.conversations,
        page.items.filter((c) => matchesFilter(c, this.filter, me(), { searched: true })),
      );
      this.nextCursor = page.nextCursor;
    } catch (err) {
      this.error = String((err as Error).message);
    } finally {
      this.loadingMore = false;
    }
  }

  setFilter(patch: Partial<InboxFilter>): void {
    this.filter = { ...this.filter, ...patch };
    void this.load();
  }

  async select(id: string | null): Promise<void> {
    if (id === this.selectedId) return;
    this.selectedId = id;
    this.#selectedSnapshot = id ? (this.byId.get(id) ?? null) : null;
    realtime.watch(id);
    if (!id) return;
    const thread = this.threadOf(id);
    const loading = thread.loaded ? Promise.resolve() : thread.loadLatest();
    if (!this.#selectedSnapshot) {
      api.conversations.get(id).then(
        (c) => {
          if (this.selectedId === id) this.#selectedSnapshot = c;
        },
        () => undefined,
      );
    }
    this.markRead(id);
    await loading;
  }

  /** Next/previous conversation of the list (j / k). */
  step(delta: 1 | -1): void {
    const list = this.conversations;
    if (list.length === 0) return;
    const i = this.selectedId ? list.findIndex((c) => c.id === this.selectedId) : -1;
    const next = i < 0 ? (delta > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, i + delta));
    void this.select(list[next]!.id);
  }

  markRead(id: string): void {
    const c = this.byId.get(id);
    if (c && c.unreadCount > 0) this.#patch({ ...c, unreadCount: 0 });
    api.conversations.markRead(id).catch(() => undefined);
  }

  #patch(c: Conversation): void {
    // A listed row was found by the server's search (maybe by message text): keep trusting it.
    const keep = matchesFilter(c, this.filter, me(), { searched: this.byId.has(c.id) });
    this.conversations = upsertConversation(this.conversations, c, keep);
    if (c.id === this.selectedId) this.#selectedSnapshot = c;
  }

  applyConversation(c: Conversation): void {
    clearTimeout(this.#refreshTimers.get(c.id));
    this.#refreshTimers.delete(c.id);
    this.#lastConversationEvent.set(c.id, Date.now());
    // The open conversation is read by whoever looks at it.
    if (c.id === this.selectedId && c.unreadCount > 0 && document.visibilityState === 'visible') {
      c = { ...c, unreadCount: 0 };
      this.markRead(c.id);
    }
    this.#patch(c);
  }

  /**
   * A new message moves its conversation to the top at once. Counters (unread) are the
   * server's: its `conversation:updated` follows; if none comes, the conversation is fetched.
   */
  applyMessage(conversationId: string, message: Message, created: boolean): void {
    const thread = this.#threads.get(conversationId);
    if (thread?.loaded) thread.apply(message);
    if (!created) return;
    this.#refreshSoon(conversationId);
    const c = this.byId.get(conversationId) ?? (this.selectedId === conversationId ? this.#selectedSnapshot : null);
    if (!c) return;
    // As the server: a private note or a reaction never becomes the preview.
    if (message.details?.['private'] === true || message.type === 'reaction') return;
    const isOpen = conversationId === this.selectedId && document.visibilityState === 'visible';
    const inbound = message.direction === 'in';
    this.#patch({
      ...c,
      lastMessage: {
        text: message.text,
        type: message.type,
        direction: message.direction,
        status: message.status,
        createdAt: message.createdAt,
      },
      lastActivityAt: message.createdAt > c.lastActivityAt ? message.createdAt : c.lastActivityAt,
      lastInboundAt: inbound ? latestIso(c.lastInboundAt, message.createdAt) : c.lastInboundAt,
    });
    if (inbound && isOpen) this.markRead(conversationId);
  }

  #refreshTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #lastConversationEvent = new Map<string, number>();

  #refreshSoon(id: string): void {
    // The server already told us about this conversation just now (it sends the conversation
    // event before or after the message one).
    if (Date.now() - (this.#lastConversationEvent.get(id) ?? 0) < 2000) return;
    clearTimeout(this.#refreshTimers.get(id));
    this.#refreshTimers.set(
      id,
      setTimeout(() => {
        this.#refreshTimers.delete(id);
        api.conversations.get(id).then(
          (conv) => this.applyConversation(conv),
          () => undefined,
        );
      }, 1500),
    );
  }

  /** After a reconnect without recovery: refetch the list and the open thread. */
  async resync(): Promise<void> {
    await this.load();
    if (this.selectedId) await this.threadOf(this.selectedId).loadLatest();
  }

  /** Optimistic send: the bubble shows at once and is replaced by the server's message. */
  async send(conversationId: string, body: SendBody, key = newKey()): Promise<void> {
    const thread = this.threadOf(conversationId);
    if (!thread.messages.some((m) => m.local?.key === key)) {
      thread.messages = [...thread.messages, localMessage(conversationId, key, body, new Date())];
    } else {
      thread.messages = thread.messages.map((m) =>
        m.local?.key === key ? { ...m, local: { key, state: 'sending' as const, body } } : m,
      );
    }
    try {
      const { message } = await api.conversations.send(conversationId, body, key);
      thread.messages = confirmLocal(thread.messages, key, message);
      const c = this.byId.get(conversationId);
      if (c) this.applyMessage(conversationId, message, true);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      thread.messages = thread.messages.map((m) =>
        m.local?.key === key ? { ...m, local: { key, state: 'error' as const, error: text, body } } : m,
      );
      throw err;
    }
  }

  /** Retry: a bubble that never reached the server is re-sent with the same key. */
  async retry(message: ThreadMessage): Promise<void> {
    if (message.local) return this.send(message.conversationId, message.local.body, message.local.key);
    const { message: again } = await api.conversations.retry(message.id);
    const thread = this.threadOf(message.conversationId);
    thread.messages = thread.messages.map((m) => (m.id === again.id ? again : m));
  }

  /** Drops an optimistic bubble that failed (its text goes back to the composer). */
  discardLocal(conversationId: string, key: string): void {
    const thread = this.threadOf(conversationId);
    thread.messages = thread.messages.filter((m) => m.local?.key !== key);
  }

  async assign(id: string, assigneeId: string | null): Promise<void> {
    this.applyConversation(await api.conversations.assign(id, assigneeId));
  }

  async setStatus(id: string, status: ConversationStatus): Promise<void> {
    this.applyConversation(await api.conversations.setStatus(id, status));
  }

  async snooze(id: string, until: string | null): Promise<void> {
    this.applyConversation(await api.conversations.snooze(id, until));
  }
}

export const inbox = new InboxStore();
