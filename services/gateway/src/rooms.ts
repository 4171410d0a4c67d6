import { canSeeAssigned } from '@hub/shared/auth';
import type { SocketData } from './socket.types';

// Who gets a conversation's events is decided by room membership, so one emit per event
// reaches every socket that may see it (no per-socket loop on the hot path):
//   ws:<ws>:all              sockets that see every conversation (admins, supervisors)
//   ws:<ws>:assignee:<user>  an agent's sockets: conversations assigned to that agent
//   ws:<ws>:unassigned       agents that also see unassigned conversations (workspace setting)
// An event of a conversation assigned to A goes to [all, assignee:A]; an unassigned one to
// [all, unassigned]; Socket.IO delivers once per socket however many of the rooms it is in.
// The same rule as a predicate (socketSees) filters replays, which go to one socket.

export const rooms = {
  /** Every socket of the workspace: presence, resync. */
  workspace: (ws: string) => `ws:${ws}`,
  /** Every socket of one user (all tabs). */
  user: (userId: string) => `user:${userId}`,
  everyConversation: (ws: string) => `ws:${ws}:all`,
  unassigned: (ws: string) => `ws:${ws}:unassigned`,
  assignee: (ws: string, userId: string) => `ws:${ws}:assignee:${userId}`,
  /** metrics:updated */
  supervisors: (ws: string) => `ws:${ws}:supervisors`,
  /** Joined on conversation:join (after a visibility check): viewers of one conversation. */
  conversation: (conversationId: string) => `conv:${conversationId}`,
};

/** The rooms a socket joins once authenticated. */
export function socketRooms(d: SocketData): string[] {
  const ws = d.auth.workspaceId;
  const list = [rooms.workspace(ws), rooms.user(d.auth.userId)];
  if (d.inbox?.kind === 'all') list.push(rooms.everyConversation(ws));
  if (d.inbox?.kind === 'own') {
    list.push(rooms.assignee(ws, d.auth.userId));
    if (d.inbox.includeUnassigned) list.push(rooms.unassigned(ws));
  }
  if (d.supervisor) list.push(rooms.supervisors(ws));
  return list;
}

/**
 * The rooms whose sockets may see a conversation with this assignee. `undefined` means the
 * assignee is unknown: only the see-everything roles get it.
 */
export function audienceRooms(ws: string, assigneeId: string | null | undefined): string[] {
  if (assigneeId === undefined) return [rooms.everyConversation(ws)];
  if (assigneeId === null) return [rooms.everyConversation(ws), rooms.unassigned(ws)];
  return [rooms.everyConversation(ws), rooms.assignee(ws, assigneeId)];
}

/** socketSees(d, a) ⇔ socketRooms(d) meets audienceRooms(ws, a). */
export function socketSees(d: SocketData, assigneeId: string | null | undefined): boolean {
  if (!d.inbox) return false;
  if (assigneeId === undefined) return d.inbox.kind === 'all';
  return canSeeAssigned(d.inbox, assigneeId);
}

/** A change of assignee that takes the conversation away from some sockets. */
export function isHandOver(meta: {
  assigneeId?: string | null | undefined;
  previousAssigneeId?: string | null | undefined;
}): boolean {
  return meta.previousAssigneeId !== undefined && meta.previousAssigneeId !== meta.assigneeId;
}
