import { assertNever } from '@hub/shared/errors';
import type { Logger } from '@hub/shared/logger';
import type { RealtimeEnvelope, ReplayLog, SyncAck } from '@hub/shared/realtime';
import { audienceRooms, isHandOver, rooms, socketSees } from './rooms';
import type { GatewayBroadcast, GatewayServer, GatewaySocket } from './socket.types';

// Ordered, gap-free delivery of sequenced events to this process's sockets.
//
// Every gateway process receives every bus message and emits it to its OWN sockets
// (`io.local`): the bus already reached every process, so going through the Socket.IO adapter
// as well would deliver each event once per gateway.
//
// Per workspace with local sockets, one task queue serialises everything that emits sequenced
// events: bus deliveries, connection set-up (replay, then joining the rooms) and `sync`
// replays. `lastEmitted` is the seq up to which this process's sockets have been served, so:
//   - a bus event at or below it is a duplicate and dropped;
//   - a bus event above lastEmitted + 1 means some were missed (the bus does not promise
//     order across publishers, and Redis pub/sub drops messages while a subscriber
//     reconnects): they are read back from the replay log and emitted first, in order;
//   - a replay for one socket covers (lastSeq, lastEmitted] and the socket joins its rooms in
//     the same task, so live events after it follow without gap, duplicate or reordering.
// The first socket of a workspace sets lastEmitted to the log's head: what came before is what
// the client loads over REST after `ready` (or replays with its lastSeq).

interface WorkspaceState {
  sockets: number;
  lastEmitted: number | undefined;
  tail: Promise<void>;
}

export class RealtimeDelivery {
  readonly #states = new Map<string, WorkspaceState>();

  constructor(
    private readonly io: GatewayServer,
    private readonly log: ReplayLog,
    private readonly logger: Logger,
  ) {}

  /** A local socket of the workspace arrived (call synchronously, before its first task). */
  acquire(ws: string): void {
    const st = this.#states.get(ws);
    if (st) st.sockets += 1;
    else this.#states.set(ws, { sockets: 1, lastEmitted: undefined, tail: Promise.resolve() });
  }

  release(ws: string): void {
    const st = this.#states.get(ws);
    if (!st) return;
    st.sockets -= 1;
    // With no local socket nothing needs ordering; the next one starts from the log's head.
    if (st.sockets <= 0) this.#states.delete(ws);
  }

  /** Runs `task` after every task already queued for the workspace. */
  run<T>(ws: string, task: (st: { lastEmitted: number }) => Promise<T>): Promise<T> {
    const st = this.#states.get(ws);
    if (!st) return Promise.reject(new Error(`no local socket in workspace ${ws}`));
    const result = st.tail.then(async () => {
      if (st.lastEmitted === undefined) st.lastEmitted = await this.log.head(ws);
      return task(st as { lastEmitted: number });
    });
    st.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** A sequenced event from the bus. */
  onEvent(env: RealtimeEnvelope): void {
    const ws = env.workspaceId;
    if (!this.#states.has(ws)) return;
    this.run(ws, (st) => this.#deliver(st, env)).catch((err: unknown) =>
      this.logger.error({ err, ws, seq: env.seq }, 'realtime delivery failed'),
    );
  }

  async #deliver(st: { lastEmitted: number }, env: RealtimeEnvelope): Promise<void> {
    if (env.seq <= st.lastEmitted) return;
    if (env.seq > st.lastEmitted + 1) {
      const missed = await this.log.readAfter(env.workspaceId, st.lastEmitted, env.seq - 1);
      if (missed.kind === 'ok') for (const e of missed.events) this.#emitToRooms(e);
      else {
        this.logger.warn(
          { ws: env.workspaceId, from: st.lastEmitted, to: env.seq },
          'missed realtime events are no longer in the log',
        );
        this.io.local.to(rooms.workspace(env.workspaceId)).emit('resync', { reason: 'gap_too_old' });
      }
    }
    this.#emitToRooms(env);
    st.lastEmitted = env.seq;
  }

  #emitToRooms(env: RealtimeEnvelope): void {
    const audience = audienceRooms(env.workspaceId, env.meta.assigneeId);
    emitEnvelope(this.io.local.to(audience), env);
    if (isHandOver(env.meta)) {
      this.io.local
        .to(audienceRooms(env.workspaceId, env.meta.previousAssigneeId))
        .except(audience)
        .emit('conversation:revoked', { conversationId: env.meta.conversationId, seq: env.seq });
    }
  }

  /**
   * Sends one socket the events in (after, upTo] it may see, in order; or `resync` when they
   * are not all in the log. Call inside run() for the socket's workspace.
   */
  async replay(socket: GatewaySocket, after: number, upTo: number): Promise<SyncAck> {
    const r = await this.log.readAfter(socket.data.auth.workspaceId, after, upTo);
    const toSocket = this.toSocket(socket);
    if (r.kind === 'gap') {
      toSocket.emit('resync', { reason: r.reason });
      return {
        ok: false,
        resync: r.reason,
        error: {
          code: 'resync_required',
          message: `cannot replay after seq ${after} (${r.reason}): reload from the API`,
        },
      };
    }
    let replayed = 0;
    for (const env of r.events) {
      const d = socket.data;
      if (socketSees(d, env.meta.assigneeId)) {
        emitEnvelope(toSocket, env);
        replayed += 1;
      } else if (isHandOver(env.meta) && socketSees(d, env.meta.previousAssigneeId)) {
        toSocket.emit('conversation:revoked', { conversationId: env.meta.conversationId, seq: env.seq });
        replayed += 1;
      }
    }
    return { ok: true, replayed, seq: Math.max(after, upTo) };
  }

  /**
   * One socket, through the same synchronous local path as the room emits. With connection-
   * state recovery on, a plain socket.emit goes through the adapter's broadcast, which on the
   * Redis adapter first appends to its stream (async): a replayed event could then arrive
   * after live events emitted later.
   */
  toSocket(socket: GatewaySocket): GatewayBroadcast {
    return this.io.local.to(socket.id);
  }
}

/** The socket payload: the contract's body plus `seq` (never the routing meta). */
function emitEnvelope(target: GatewayBroadcast, env: RealtimeEnvelope): void {
  switch (env.type) {
    case 'message:created':
    case 'message:updated':
      target.emit(env.type, { ...env.payload, seq: env.seq });
      return;
    case 'conversation:created':
    case 'conversation:updated':
      target.emit(env.type, { ...env.payload, seq: env.seq });
      return;
    default:
      assertNever(env);
  }
}
