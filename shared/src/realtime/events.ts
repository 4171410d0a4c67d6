import { z } from 'zod';
import type { Conversation, Message } from '../domain/message.mapper';

// The realtime vocabulary in one place: what publishers put on the bus, what the gateway emits
// to sockets, what sockets may send, and the envelope the replay log keeps. The web client and
// the gateway type themselves from these maps; payloads follow CONTRACT.md ("Realtime").
//
// ── Bus message shape (publishers follow this) ───────────────────────────────────────────────
// Publish with `rt.bus.publish(msg)` or `publishRealtime(rt, msg)`, after the change commits:
//
//   { type: 'message:created' | 'message:updated', workspaceId,
//     payload: { conversationId, message: Message }, meta?: RealtimeMeta }
//   { type: 'conversation:created' | 'conversation:updated', workspaceId,
//     payload: { conversation: Conversation }, meta?: RealtimeMeta }
//   { type: 'metrics:updated', workspaceId, payload: <the metrics figures> }   (supervisors)
//   { type: 'presence:changed', workspaceId, payload: { userId, status } }      (gateway only)
//   { type: 'session:revoked', workspaceId, payload: { userId, sessionIds } }   (gateway only)
//
// The four domain types are SEQUENCED: the runtime's bus (sequenced-bus.ts) gives each one the
// next per-workspace `seq`, keeps it in the replay log and only then publishes it, so every
// publisher gets gap-free delivery without doing anything. The gateway decides who may see an
// event from `meta.assigneeId` (the conversation's assignee when the event was produced):
// conversation events carry it in `payload.conversation.assigneeId`; for message events the
// sequencer looks it up (one primary-key query) unless the publisher sets `meta.assigneeId`.
// An (un)assignment should also set `meta.previousAssigneeId`, so agents who lose sight of the
// conversation get `conversation:revoked` (and never its content).

export const sequencedTypes = [
  'message:created',
  'message:updated',
  'conversation:created',
  'conversation:updated',
] as const;
export type SequencedType = (typeof sequencedTypes)[number];

export function isSequencedType(type: string): type is SequencedType {
  return (sequencedTypes as readonly string[]).includes(type);
}

export const PresenceStatus = z.enum(['online', 'away', 'offline']);
export type PresenceStatus = z.infer<typeof PresenceStatus>;

/** Who may see the event, as the publisher knew it. */
export interface RealtimeMeta {
  /** The conversation's assignee (null: unassigned). Absent on a message event → looked up. */
  assigneeId?: string | null | undefined;
  /** The assignee before this change, on assign/unassign: drives `conversation:revoked`. */
  previousAssigneeId?: string | null | undefined;
}

export interface MessageEventPayload {
  conversationId: string;
  message: Message;
}
export interface ConversationEventPayload {
  conversation: Conversation;
}
export interface PresencePayload {
  userId: string;
  status: PresenceStatus;
}
/** Bus `notification` → socket `notification`, to the sockets of `userId` only. */
export const NotificationPayload = z.object({
  /** The stored notification (GET /api/v1/notifications); mark it read with this id. */
  id: z.string().optional(),
  userId: z.string().min(1),
  kind: z.string().min(1),
  conversationId: z.string().optional(),
  messageId: z.string().optional(),
  byUserId: z.string().optional(),
  text: z.string().optional(),
  at: z.string().optional(),
});
export type NotificationPayload = z.infer<typeof NotificationPayload>;

/**
 * Bus `session:revoked` (internal, unsequenced, never a socket event): the CRM ended sessions
 * (logout, refresh-token reuse, deactivation, password change/reset); the gateway closes the
 * matching sockets. `sessionIds` are session family ids (the access token's `sid`); 'all'
 * closes every socket of the user, tokens without a session id included.
 */
export const SessionRevokedPayload = z.object({
  userId: z.string().min(1),
  sessionIds: z.union([z.literal('all'), z.array(z.string().min(1))]),
});
export type SessionRevokedPayload = z.infer<typeof SessionRevokedPayload>;

/** The metrics colleague owns the shape; the gateway only routes it to supervisors. */
export type MetricsPayload = Record<string, unknown>;

/** What a publisher hands to the bus (before sequencing). */
export type RealtimeBusMessage =
  | {
      type: 'message:created' | 'message:updated';
      workspaceId: string;
      payload: MessageEventPayload;
      meta?: RealtimeMeta;
    }
  | {
      type: 'conversation:created' | 'conversation:updated';
      workspaceId: string;
      payload: ConversationEventPayload;
      meta?: RealtimeMeta;
    }
  | { type: 'metrics:updated'; workspaceId: string; payload: MetricsPayload }
  | { type: 'presence:changed'; workspaceId: string; payload: PresencePayload }
  | { type: 'session:revoked'; workspaceId: string; payload: SessionRevokedPayload };

export type SequencedBusMessage = Extract<RealtimeBusMessage, { type: SequencedType }>;

export function isSequencedMessage(msg: RealtimeBusMessage): msg is SequencedBusMessage {
  return isSequencedType(msg.type);
}

/**
 * A sequenced event as the log keeps it and the bus carries it. `meta` is resolved: the
 * conversation id always, `assigneeId` when known (absent = unknown → only roles that see
 * every conversation get it).
 */
export type RealtimeEnvelope = SequencedBusMessage & {
  seq: number;
  meta: { conversationId: string; assigneeId?: string | null; previousAssigneeId?: string | null };
};

/** Parses an envelope coming off the bus (JSON from Redis in scaled mode). */
export const RealtimeEnvelopeSchema = z.object({
  type: z.enum(sequencedTypes),
  workspaceId: z.string().min(1),
  seq: z.number().int().positive(),
  // Produced by our own mappers; not re-validated field by field on the hot path.
  payload: z.looseObject({}),
  meta: z.object({
    conversationId: z.string().min(1),
    assigneeId: z.string().nullable().optional(),
    previousAssigneeId: z.string().nullable().optional(),
  }),
});

// ── Socket events ────────────────────────────────────────────────────────────────────────────

/** Why the client must reload from REST instead of replaying. */
export type ResyncReason =
  /** lastSeq is older than the replay log keeps (or the log was reset). */
  | 'gap_too_old'
  /** lastSeq is ahead of anything this workspace has produced (a client bug or a wiped store). */
  | 'seq_unknown';

export interface AckError {
  ok: false;
  error: { code: string; message: string; details?: unknown };
}
export type Ack<T extends object = object> = ({ ok: true } & T) | AckError;

export interface TypingPayload {
  conversationId: string;
  userId: string;
  name?: string;
  typing: boolean;
}

/** Server → client. Sequenced events carry `seq` (opaque, increasing per workspace). */
export interface ServerToClientEvents {
  'message:created': (p: MessageEventPayload & { seq: number }) => void;
  'message:updated': (p: MessageEventPayload & { seq: number }) => void;
  'conversation:created': (p: ConversationEventPayload & { seq: number }) => void;
  'conversation:updated': (p: ConversationEventPayload & { seq: number }) => void;
  /** The conversation left what this user may see (reassigned): drop it, content stays hidden. */
  'conversation:revoked': (p: { conversationId: string; seq: number }) => void;
  'metrics:updated': (p: MetricsPayload) => void;
  typing: (p: TypingPayload) => void;
  presence: (p: PresencePayload) => void;
  /** Missed events cannot be replayed: reload the inbox from REST. */
  resync: (p: { reason: ResyncReason }) => void;
  /** To one user (all its sockets): e.g. an @mention in a private note (outbound.service.ts). */
  notification: (p: NotificationPayload) => void;
  /**
   * Sent once per connection after the rooms are joined and any replay is done. `seq` is the
   * workspace's sequence at that point: keep it as lastSeq until an event brings a newer one.
   */
  ready: (p: { seq: number; recovered: boolean; userId: string }) => void;
}

export type SyncAck = Ack<{ replayed: number; seq: number }> | ({ ok: false; resync: ResyncReason } & AckError);

/** Client → server. Every handler takes an optional ack. */
export interface ClientToServerEvents {
  'conversation:join': (p: unknown, ack?: (r: Ack) => void) => void;
  'conversation:leave': (p: unknown, ack?: (r: Ack) => void) => void;
  'typing:start': (p: unknown, ack?: (r: Ack) => void) => void;
  'typing:stop': (p: unknown, ack?: (r: Ack) => void) => void;
  /** Same as typing:start (older clients). */
  typing: (p: unknown, ack?: (r: Ack) => void) => void;
  /** Replays the events after lastSeq that this user may see (or answers resync). */
  sync: (p: unknown, ack?: (r: SyncAck) => void) => void;
  'presence:set': (p: unknown, ack?: (r: Ack) => void) => void;
  /** `{conversationId, idempotencyKey?, ...POST /conversations/:id/messages body}` → ack `{ok, message}`. */
  'message:send': (p: unknown, ack?: (r: Ack<{ message: Message }>) => void) => void;
}

export const ConversationRef = z.object({ conversationId: z.uuid() });
export const SyncRequest = z.object({ lastSeq: z.number().int().nonnegative() });
export const PresenceSet = z.object({ status: z.enum(['online', 'away']) });

/** `io(url, { auth: { token, lastSeq? } })`. lastSeq may come as a number or a digit string. */
export const HandshakeAuth = z.object({
  token: z.string().min(1),
  lastSeq: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
});
