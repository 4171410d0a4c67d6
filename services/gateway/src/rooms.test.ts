import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assigneeVisibility, isAllowed, roles } from '@hub/shared/auth';
import { audienceRooms, socketRooms, socketSees } from './rooms';
import type { SocketData } from './socket.types';

// Live events are routed by rooms, replays by the predicate: both must say the same thing for
// every role, setting and assignee, or a reconnect would show what the live stream hid.

describe('rooms', () => {
  it('route to exactly the sockets the visibility rule allows', () => {
    const ws = 'w1';
    const users = ['u1', 'u2', 'u3'];
    fc.assert(
      fc.property(
        fc.constantFrom(...roles),
        fc.constantFrom(...users),
        fc.boolean(),
        fc.constantFrom<string | null | undefined>(undefined, null, ...users),
        (role, userId, agentsSeeUnassigned, assigneeId) => {
          const auth = { userId, workspaceId: ws, role };
          const d: SocketData = {
            auth,
            name: 'x',
            inbox: isAllowed(role, 'conversations', 'read') ? assigneeVisibility(auth, { agentsSeeUnassigned }) : null,
            supervisor: isAllowed(role, 'reports', 'read'),
          };
          const joined = new Set(socketRooms(d));
          const reached = audienceRooms(ws, assigneeId).some((r) => joined.has(r));
          expect(reached).toBe(socketSees(d, assigneeId));
        },
      ),
    );
  });

  it('never send an agent a conversation assigned to another agent', () => {
    const d: SocketData = {
      auth: { userId: 'a', workspaceId: 'w', role: 'agent' },
      name: 'A',
      inbox: { kind: 'own', userId: 'a', includeUnassigned: true },
      supervisor: false,
    };
    expect(socketSees(d, 'b')).toBe(false);
    expect(socketSees(d, 'a')).toBe(true);
    expect(socketSees(d, null)).toBe(true);
    // Unknown assignee: only the see-everything roles.
    expect(socketSees(d, undefined)).toBe(false);
  });
});
