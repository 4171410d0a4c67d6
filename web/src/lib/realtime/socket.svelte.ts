import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { Conversation, Message, Metrics } from '../api/schemas';
import { session } from '../stores/session.svelte';

// The one Socket.IO connection (same origin, /socket.io, JWT in the handshake). It keeps the
// connection state visible (connecting / connected / reconnecting), refreshes the token when
// the server says `unauthorized`, and hands parsed events to whoever subscribed.

export type RealtimeStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline';

const MessageEvent = z.looseObject({ conversationId: z.string(), message: Message, seq: z.number().optional() });
const ConversationEvent = z.looseObject({ conversation: Conversation, seq: z.number().optional() });
const TypingEvent = z.looseObject({
  conversationId: z.string(),
  userId: z.string().optional(),
  name: z.string().optional(),
  typing: z.boolean().optional(),
});
const RevokedEvent = z.looseObject({ conversationId: z.string(), seq: z.number().optional() });
const ReadyEvent = z.looseObject({ seq: z.number() });
/** To this user only; `id` names the stored notification (absent from older servers). */
const NotificationEvent = z.looseObject({
  id: z.string().optional(),
  userId: z.string(),
  kind: z.string(),
  conversationId: z.string().optional(),
  messageId: z.string().optional(),
  byUserId: z.string().optional(),
  text: z.string().optional(),
  at: z.string().optional(),
});

export interface RealtimeEvents {
  'message:created': z.infer<typeof MessageEvent>;
  'message:updated': z.infer<typeof MessageEvent>;
  'conversation:created': z.infer<typeof ConversationEvent>;
  'conversation:updated': z.infer<typeof ConversationEvent>;
  /** The gateway pushes new figures to supervisors. */
  'metrics:updated': Metrics;
  typing: z.infer<typeof TypingEvent>;
  /** The conversation left what this user may see (reassigned). */
  'conversation:revoked': z.infer<typeof RevokedEvent>;
  /** Something addressed to this user (an @mention in a note). */
  notification: z.infer<typeof NotificationEvent>;
  /** Local: the connection came back (or the server asked for it): refetch what is shown. */
  resync: Record<string, never>;
}
type EventName = keyof RealtimeEvents;

const parsers: { [K in EventName]: z.ZodType<RealtimeEvents[K]> } = {
  'message:created': MessageEvent,
  'message:updated': MessageEvent,
  'conversation:created': ConversationEvent,
  'conversation:updated': ConversationEvent,
  'metrics:updated': Metrics,
  typing: TypingEvent,
  'conversation:revoked': RevokedEvent,
  notification: NotificationEvent,
  resync: z.object({}),
};

class Realtime {
  status = $state<RealtimeStatus>('idle');
  /** Whether the connection has been up at least once (a drop shows as reconnecting). */
  everConnected = $state(false);
  #socket: Socket | null = null;
  #handlers = new Map<EventName, Set<(payload: never) => void>>();
  /** Last per-workspace sequence number seen: sent on reconnect for gap-free delivery. */
  #lastSeq: number | undefined;
  /** The open conversation's room (typing indicators are sent to it). */
  #joined: string | null = null;

  connect(): void {
    if (this.#socket) {
      if (!this.#socket.connected) this.#socket.connect();
      return;
    }
    this.status = 'connecting';
    const socket = io({
      path: '/socket.io',
      // A function, so every (re)connection sends the current token and sequence.
      auth: (cb) =>
        cb({ token: session.accessToken, ...(this.#lastSeq !== undefined ? { lastSeq: this.#lastSeq } : {}) }),
      reconnectionDelayMax: 10_000,
    });
    this.#socket = socket;

    socket.on('connect', () => {
      this.status = 'connected';
      this.everConnected = true;
      if (this.#joined) socket.emit('conversation:join', { conversationId: this.#joined });
    });
    // After the rooms are joined (and any replay is done): the sequence to resume from.
    socket.on('ready', (p: unknown) => {
      const ready = ReadyEvent.safeParse(p);
      if (ready.success) this.#lastSeq = Math.max(this.#lastSeq ?? 0, ready.data.seq);
    });
    socket.on('disconnect', (reason) => {
      this.status = 'reconnecting';
      // The server closed us on purpose (e.g. token expired): come back with a fresh token.
      if (reason === 'io server disconnect') void this.#reauth();
    });
    socket.on('connect_error', (err) => {
      if (err.message === 'unauthorized') {
        void this.#reauth();
        return;
      }
      this.status = this.everConnected ? 'reconnecting' : 'offline';
    });
    socket.io.on('reconnect_attempt', () => {
      if (this.everConnected) this.status = 'reconnecting';
    });
    // Missed events cannot be replayed (gap too old): reload what is shown from REST.
    socket.on('resync', () => this.#dispatch('resync', {}));
    socket.onAny((event: string, payload: unknown) => {
      if (event === 'resync' || !Object.hasOwn(parsers, event)) return;
      const name = event as EventName;
      const parsed = parsers[name].safeParse(payload);
      if (!parsed.success) {
        console.warn(`unexpected ${event} payload`, parsed.error.issues);
        return;
      }
      const seq = (parsed.data as { seq?: number }).seq;
      if (typeof seq === 'number') this.#lastSeq = Math.max(this.#lastSeq ?? 0, seq);
      this.#dispatch(name, parsed.data);
    });
  }

  async #reauth(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    if (await session.refresh()) socket.connect();
    else {
      this.status = 'offline';
      session.markExpired();
    }
  }

  disconnect(): void {
    this.#socket?.disconnect();
    this.#socket = null;
    this.status = 'idle';
    this.everConnected = false;
    this.#lastSeq = undefined;
  }

  on<K extends EventName>(event: K, handler: (payload: RealtimeEvents[K]) => void): () => void {
    let set = this.#handlers.get(event);
    if (!set) this.#handlers.set(event, (set = new Set()));
    set.add(handler as (payload: never) => void);
    return () => set.delete(handler as (payload: never) => void);
  }

  #dispatch<K extends EventName>(event: K, payload: RealtimeEvents[K]): void {
    for (const h of this.#handlers.get(event) ?? []) (h as (p: RealtimeEvents[K]) => void)(payload);
  }

  /** Tells every subscriber to refetch what it shows (e.g. after signing in again). */
  resync(): void {
    this.#dispatch('resync', {});
  }

  /** Joins the open conversation's room (typing indicators); leaves the previous one. */
  watch(conversationId: string | null): void {
    const socket = this.#socket;
    if (this.#joined && this.#joined !== conversationId)
      socket?.emit('conversation:leave', { conversationId: this.#joined });
    this.#joined = conversationId;
    if (conversationId && socket?.connected) socket.emit('conversation:join', { conversationId });
  }

  /** Tells others in the conversation that this agent is typing (the gateway expires it). */
  typing(conversationId: string, typing = true): void {
    this.#socket?.emit(typing ? 'typing:start' : 'typing:stop', { conversationId });
  }
}

export const realtime = new Realtime();
