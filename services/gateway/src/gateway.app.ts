import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { Server, type ExtendedError } from 'socket.io';
import { z, ZodError } from 'zod';
import type { BusMessage } from '@hub/shared/bus';
import { AppError, type ErrorKind } from '@hub/shared/errors';
import { zodToDetails } from '@hub/shared/http';
import {
  ConversationRef,
  findConversationAssignee,
  HandshakeAuth,
  isSequencedType,
  PresenceSet,
  PresenceStatus,
  RealtimeEnvelopeSchema,
  SessionRevokedPayload,
  SyncRequest,
  type Ack,
  type AckError,
  type RealtimeEnvelope,
} from '@hub/shared/realtime';
import type { Runtime } from '@hub/shared/runtime';
import type { ServiceParts } from '@hub/shared/service';
import { authenticateToken } from './gateway.auth';
import { findSocketUser } from './gateway.repository';
import { attachLiveHandlers } from './message-send.handler';
import { PresenceTracker } from './presence.tracker';
import { presenceRoutes } from './presence.routes';
import { RealtimeDelivery } from './realtime.delivery';
import { rooms, socketRooms, socketSees } from './rooms';
import { SessionRevocation } from './session.revocation';
import type { GatewayServer, GatewaySocket } from './socket.types';
import { TypingRelay } from './typing.relay';

export interface GatewayOptions {
  /** Scaled mode: how often connections are heart-beaten in the presence store (default 15 s). */
  presenceHeartbeatMs?: number;
  /** A typing indicator stops by itself after this long without a new start (default 6 s). */
  typingTtlMs?: number;
  /** Repeated starts within this interval are not re-broadcast (default 2 s). */
  typingMinIntervalMs?: number;
  /** Socket.IO connection-state recovery window (default 2 min). */
  recoveryWindowMs?: number;
}

const PROBE = 'gateway:probe';
const MetricsPayload = z.record(z.string(), z.unknown());
const PresencePayload = z.object({ userId: z.string(), status: PresenceStatus });

/**
 * Socket.IO gateway (path /socket.io, same origin): JWT handshake, rooms per workspace / user /
 * visibility / conversation, ordered gap-free fan-out of bus events, replay by lastSeq,
 * typing and presence. See README.md for the flow.
 */
export function buildGateway(rt: Runtime, opts: GatewayOptions = {}): ServiceParts {
  const logger = rt.logger.child({ service: 'gateway' });
  const db = rt.database.db;
  // Scaled: several gateway processes share Redis (adapter, replay log, presence).
  const scaled = rt.config.redisUrl !== undefined;
  const presence = new PresenceTracker(
    rt.realtime.presence,
    (workspaceId, userId, status) =>
      rt.bus.publish({ type: 'presence:changed', workspaceId, payload: { userId, status } }),
    logger,
  );
  let io: GatewayServer | undefined;
  let delivery: RealtimeDelivery | undefined;
  let adapterRedis: Redis | undefined;
  let unsubscribe: (() => void) | undefined;
  let detachLive: (() => void) | undefined;
  const probes = new Set<string>();
  let closing = false;
  const revocation = new SessionRevocation(() => io, logger);

  const onBus = (msg: BusMessage) => {
    if (!io || !delivery) return;
    if (isSequencedType(msg.type)) {
      const env = RealtimeEnvelopeSchema.safeParse(msg);
      if (!env.success) {
        logger.warn({ type: msg.type, issues: env.error.issues }, 'dropped a malformed realtime event');
        return;
      }
      delivery.onEvent(env.data as unknown as RealtimeEnvelope);
      return;
    }
    switch (msg.type) {
      case 'metrics:updated': {
        const p = MetricsPayload.safeParse(msg.payload);
        if (p.success) io.local.to(rooms.supervisors(msg.workspaceId)).emit('metrics:updated', p.data);
        return;
      }
      case 'presence:changed': {
        const p = PresencePayload.safeParse(msg.payload);
        if (p.success) io.local.to(rooms.workspace(msg.workspaceId)).emit('presence', p.data);
        return;
      }
      case 'session:revoked': {
        const p = SessionRevokedPayload.safeParse(msg.payload);
        if (p.success) revocation.revoke(msg.workspaceId, p.data);
        else logger.warn({ issues: p.error.issues }, 'dropped a malformed session:revoked');
        return;
      }
      case PROBE:
        probes.delete((msg.payload as { id?: string }).id ?? '');
        return;
      default:
        // Other bus users (channel cache invalidation, …) are not for sockets.
        return;
    }
  };

  /** Resolves once this process's bus subscription delivers (Redis SUBSCRIBE is asynchronous). */
  const busReady = async () => {
    const id = randomUUID();
    probes.add(id);
    for (let i = 0; i < 50 && probes.has(id); i++) {
      await rt.bus.publish({ type: PROBE, workspaceId: '', payload: { id } });
      await sleep(i === 0 ? 5 : 100);
    }
    if (probes.delete(id)) logger.warn('realtime bus did not answer the start-up probe');
  };

  const onConnection = (socket: GatewaySocket) => {
    if (closing || !delivery || revocation.endedDuringHandshake(socket)) {
      socket.disconnect(true);
      return;
    }
    const d = socket.data;
    const ws = d.auth.workspaceId;
    const handshake = HandshakeAuth.safeParse(socket.handshake.auth ?? {});
    const lastSeq = handshake.success ? handshake.data.lastSeq : undefined;
    // The in-memory adapter's recovery restores every missed packet, ours included; the Redis
    // adapter's only those that went through it, and ours go out locally (see delivery).
    const recoveredAll = socket.recovered && !scaled;
    const replay = lastSeq !== undefined && !recoveredAll;
    delivery.acquire(ws);
    // A recovered socket is back in its rooms already: take it out until its replay is done,
    // or live events would overtake the replay.
    if (replay && socket.recovered) for (const r of socketRooms(d)) void socket.leave(r);

    const typing = new TypingRelay(socket, db, {
      ttlMs: opts.typingTtlMs ?? 6000,
      minIntervalMs: opts.typingMinIntervalMs ?? 2000,
      now: () => rt.clock().getTime(),
    });
    registerHandlers(socket, typing);
    socket.on('disconnect', () => {
      delivery?.release(ws);
      typing.stopAll();
      if (!closing) void presence.disconnected(socket.id);
    });
    presence.connected({ workspaceId: ws, userId: d.auth.userId, connId: socket.id });

    delivery
      .run(ws, async (st) => {
        // Recovery skips the handshake check: the session may have ended while away.
        if (socket.recovered && !(await findSocketUser(db, d.auth))) {
          socket.disconnect(true);
          return;
        }
        if (replay) await delivery!.replay(socket, lastSeq, st.lastEmitted);
        if (!socket.connected) return;
        await socket.join(socketRooms(d));
        delivery!
          .toSocket(socket)
          .emit('ready', { seq: st.lastEmitted, recovered: socket.recovered, userId: d.auth.userId });
      })
      .catch((err: unknown) => {
        logger.error({ err, ws }, 'socket set-up failed');
        socket.disconnect(true);
      });
  };

  const registerHandlers = (socket: GatewaySocket, typing: TypingRelay) => {
    const d = socket.data;
    const ws = d.auth.workspaceId;
    const visibleConversation = async (conversationId: string) => {
      const found = await findConversationAssignee(db, ws, conversationId);
      // Not found and not visible answer alike: never reveal another agent's conversation.
      if (!found || !socketSees(d, found.assigneeId)) {
        throw new AppError('not_found', 'conversation_not_found', 'conversation not found');
      }
    };

    socket.on('conversation:join', (p, ack) =>
      answer(ack, async () => {
        const { conversationId } = ConversationRef.parse(p);
        await visibleConversation(conversationId);
        await socket.join(rooms.conversation(conversationId));
        return {};
      }),
    );
    socket.on('conversation:leave', (p, ack) =>
      answer(ack, async () => {
        await socket.leave(rooms.conversation(ConversationRef.parse(p).conversationId));
        return {};
      }),
    );
    const typingStart = (p: unknown, ack?: (r: Ack) => void) =>
      answer(ack, async () => {
        await typing.start(ConversationRef.parse(p).conversationId);
        return {};
      });
    socket.on('typing:start', typingStart);
    socket.on('typing', typingStart);
    socket.on('typing:stop', (p, ack) =>
      answer(ack, async () => {
        typing.stop(ConversationRef.parse(p).conversationId);
        return {};
      }),
    );
    socket.on('sync', (p, ack) => {
      const req = SyncRequest.safeParse(p);
      if (!req.success) return void ack?.(ackError(req.error));
      delivery!
        .run(ws, (st) => delivery!.replay(socket, req.data.lastSeq, st.lastEmitted))
        .then(
          (r) => ack?.(r),
          (err: unknown) => ack?.(ackError(err)),
        );
    });
    socket.on('presence:set', (p, ack) =>
      answer(ack, async () => {
        await presence.setStatus(ws, d.auth.userId, PresenceSet.parse(p).status);
        return {};
      }),
    );
  };

  const answer = (ack: ((r: Ack) => void) | undefined, fn: () => Promise<object>) => {
    fn().then(
      (r) => (typeof ack === 'function' ? ack({ ok: true, ...r }) : undefined),
      (err: unknown) => {
        if (!(err instanceof AppError) && !(err instanceof ZodError)) logger.error({ err }, 'socket handler failed');
        if (typeof ack === 'function') ack(ackError(err));
      },
    );
  };

  return {
    mount(app) {
      app.use(presenceRoutes(rt, presence));
    },

    async attach(server: HttpServer) {
      let adapter: ReturnType<typeof createAdapter> | undefined;
      if (scaled) {
        // The adapter duplicates this client for its blocking stream reads and pub/sub.
        adapterRedis = new Redis(rt.config.redisUrl!);
        adapterRedis.on('error', (err) => logger.warn({ err }, 'socket.io adapter redis error'));
        const prefix = rt.realtime.keyPrefix;
        adapter = createAdapter(adapterRedis, {
          streamName: `${prefix}:socket.io`,
          channelPrefix: `${prefix}:socket.io`,
          sessionKeyPrefix: `${prefix}:sio:session:`,
          // Short blocking reads so a closing gateway lets go of Redis within a second.
          blockTimeInMs: 1000,
        });
      }
      io = new Server(server, {
        path: '/socket.io',
        serveClient: false,
        // Same origin only: no CORS headers unless someone adds them on purpose.
        connectionStateRecovery: { maxDisconnectionDuration: opts.recoveryWindowMs ?? 120_000, skipMiddlewares: true },
        ...(adapter ? { adapter } : {}),
      });
      delivery = new RealtimeDelivery(io, rt.realtime.log, logger);
      io.use((socket, next) => {
        const parsed = HandshakeAuth.safeParse(socket.handshake.auth ?? {});
        if (!parsed.success) {
          const tokenAtFault = parsed.error.issues.some((i) => i.path[0] === 'token');
          return next(
            tokenAtFault
              ? connectError('unauthorized', 'unauthorized', 'missing access token: connect with auth: { token }')
              : connectError(
                  'validation_failed',
                  'validation_failed',
                  'lastSeq must be a non-negative integer',
                  zodToDetails(parsed.error),
                ),
          );
        }
        authenticateToken(rt, parsed.data.token).then(
          (data) => {
            socket.data = data;
            next();
          },
          (err: unknown) => {
            if (err instanceof AppError && err.kind === 'unauthorized')
              return next(connectError('unauthorized', err.code, err.message));
            logger.error({ err }, 'socket authentication failed');
            next(connectError('internal', 'internal', 'internal error'));
          },
        );
      });
      io.on('connection', onConnection);
      detachLive = attachLiveHandlers(io, rt, logger);
      unsubscribe = rt.bus.subscribe(onBus);
      await busReady();
      presence.start(opts.presenceHeartbeatMs ?? 15_000);
    },

    async close() {
      if (closing) return;
      closing = true;
      // Announce this process's users offline while the bus is still up.
      await presence.close();
      unsubscribe?.();
      detachLive?.();
      if (io) {
        // io.close() also waits for the HTTP server to drain, which startService finishes
        // after us (closeAllConnections): do not wait on it for long.
        await Promise.race([io.close(), sleep(2000, undefined, { ref: false })]);
      }
      if (adapterRedis) await adapterRedis.quit().catch(() => adapterRedis?.disconnect());
    },
  };
}

/**
 * A handshake refusal: Socket.IO hands `message` to the client's connect_error (the contract
 * says `unauthorized` for a bad token) and `data` alongside, in the API's error shape.
 */
function connectError(kind: ErrorKind, code: string, message: string, details?: unknown): ExtendedError {
  const err: ExtendedError = new Error(kind);
  err.data = { code, message, ...(details !== undefined ? { details } : {}) };
  return err;
}

function ackError(err: unknown): AckError {
  if (err instanceof ZodError) {
    const details = zodToDetails(err);
    return {
      ok: false,
      error: { code: 'validation_failed', message: `invalid ${details.map((x) => x.field).join(', ')}`, details },
    };
  }
  if (err instanceof AppError) {
    return {
      ok: false,
      error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) },
    };
  }
  return { ok: false, error: { code: 'internal', message: 'internal error' } };
}
