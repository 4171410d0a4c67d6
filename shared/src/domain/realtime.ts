import type { BusMessage, RealtimeBus } from '../bus';
import type { Conversation, Message } from './message.mapper';

// Realtime events as CONTRACT.md shapes them for sockets; the gateway fans them out by
// workspace (and visibility). Published only after the change has committed.

/** Who may see it (see shared/src/realtime/events.ts); on message events it saves the gateway a lookup. */
export interface RealtimeEventMeta {
  assigneeId?: string | null;
}

export type RealtimeEvent =
  | {
      type: 'message:created' | 'message:updated';
      workspaceId: string;
      payload: { conversationId: string; message: Message };
      meta?: RealtimeEventMeta;
    }
  | {
      type: 'conversation:created' | 'conversation:updated';
      workspaceId: string;
      payload: { conversation: Conversation };
      meta?: RealtimeEventMeta;
    };

export function messageEvent(
  type: 'message:created' | 'message:updated',
  workspaceId: string,
  message: Message,
  meta?: RealtimeEventMeta,
): RealtimeEvent {
  return { type, workspaceId, payload: { conversationId: message.conversationId, message }, ...(meta ? { meta } : {}) };
}

export function conversationEvent(
  type: 'conversation:created' | 'conversation:updated',
  workspaceId: string,
  conversation: Conversation,
): RealtimeEvent {
  return { type, workspaceId, payload: { conversation } };
}

/**
 * Publishes in order; a bus failure is logged by the caller, never undoes the commit.
 * onceKeys[i] (optional) makes event i publish at most once under that key (see ReplayLog).
 */
export async function publishAll(
  bus: RealtimeBus,
  events: RealtimeEvent[],
  onceKeys?: (string | undefined)[],
): Promise<void> {
  await bus.publishMany(
    events.map((e) => e satisfies BusMessage),
    onceKeys ? { onceKeys } : {},
  );
}
