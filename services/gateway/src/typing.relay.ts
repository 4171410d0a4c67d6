import type { Db } from '@hub/shared/db';
import { AppError } from '@hub/shared/errors';
import { findConversationAssignee } from '@hub/shared/realtime';
import { audienceRooms, rooms, socketSees } from './rooms';
import type { GatewaySocket } from './socket.types';

// Typing indicators: `typing:start|stop {conversationId}` from one socket becomes
// `typing {conversationId, userId, name, typing}` for everyone else who may see the
// conversation (the same audience rooms as its events, minus the typist's own tabs). It goes
// through the Socket.IO adapter, so in scaled mode it reaches every gateway.
// A start expires by itself after `ttlMs` (a closed laptop must not type forever), and a
// repeated start within `minIntervalMs` only extends it: clients may send one per keystroke
// without a database read or a broadcast each time.

interface Typing {
  assigneeId: string | null;
  timer: NodeJS.Timeout | undefined;
  lastSentAt: number;
}

export interface TypingOptions {
  ttlMs: number;
  minIntervalMs: number;
  now: () => number;
}

export class TypingRelay {
  readonly #active = new Map<string, Typing>();

  constructor(
    private readonly socket: GatewaySocket,
    private readonly db: Db,
    private readonly opts: TypingOptions,
  ) {}

  async start(conversationId: string): Promise<void> {
    const d = this.socket.data;
    let t = this.#active.get(conversationId);
    if (!t) {
      const found = await findConversationAssignee(this.db, d.auth.workspaceId, conversationId);
      // Not found and not visible answer the same: do not reveal that it exists.
      if (!found || !socketSees(d, found.assigneeId)) {
        throw new AppError('not_found', 'conversation_not_found', 'conversation not found');
      }
      // Another start may have won the race while we read.
      t = this.#active.get(conversationId) ?? { assigneeId: found.assigneeId, timer: undefined, lastSentAt: 0 };
      this.#active.set(conversationId, t);
    }
    clearTimeout(t.timer);
    t.timer = setTimeout(() => this.stop(conversationId), this.opts.ttlMs);
    t.timer.unref();
    const now = this.opts.now();
    if (now - t.lastSentAt >= this.opts.minIntervalMs) {
      t.lastSentAt = now;
      this.#send(conversationId, t.assigneeId, true);
    }
  }

  stop(conversationId: string): void {
    const t = this.#active.get(conversationId);
    if (!t) return;
    clearTimeout(t.timer);
    this.#active.delete(conversationId);
    this.#send(conversationId, t.assigneeId, false);
  }

  /** The socket is going away: whatever it was typing stops. */
  stopAll(): void {
    for (const id of [...this.#active.keys()]) this.stop(id);
  }

  #send(conversationId: string, assigneeId: string | null, typing: boolean): void {
    const d = this.socket.data;
    this.socket
      .to(audienceRooms(d.auth.workspaceId, assigneeId))
      .except(rooms.user(d.auth.userId))
      .emit('typing', { conversationId, userId: d.auth.userId, name: d.name, typing });
  }
}
