import { publishRealtime } from '@hub/shared/realtime';
import type { Runtime } from '@hub/shared/runtime';

// Ended sessions are announced on the realtime bus after their commit, so every gateway closes
// the sockets opened with them at once instead of at their next reconnect. One helper for every
// revoking path (logout, refresh-token reuse, deactivation, password change and reset).

export interface RevokedSessions {
  workspaceId: string;
  userId: string;
  /** Session family ids (the access token's `sid`), or 'all' of the user's sessions. */
  sessionIds: string[] | 'all';
}

export type SessionRevocations = (revoked: RevokedSessions) => Promise<void>;

export function sessionRevocations(rt: Pick<Runtime, 'bus' | 'logger'>): SessionRevocations {
  const logger = rt.logger.child({ module: 'sessions' });
  return async ({ workspaceId, userId, sessionIds }) => {
    if (sessionIds !== 'all' && sessionIds.length === 0) return;
    try {
      await publishRealtime(rt, { type: 'session:revoked', workspaceId, payload: { userId, sessionIds } });
    } catch (err) {
      // The revocation is committed: the REST API and any reconnect refuse the session already.
      logger.warn({ err, userId }, 'session revocation not announced: open sockets stay until they reconnect');
    }
  };
}
