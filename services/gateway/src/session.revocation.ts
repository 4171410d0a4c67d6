import type { Logger } from '@hub/shared/logger';
import type { SessionRevokedPayload } from '@hub/shared/realtime';
import type { GatewayServer, GatewaySocket } from './socket.types';

// A bus `session:revoked` (published by the CRM after it ends sessions) closes this process's
// sockets of those sessions. The client sees `disconnect` with reason "io server disconnect"
// (Socket.IO does not reconnect by itself after it); connecting again with the same token is
// refused at the handshake (`connect_error` "unauthorized", code session_ended), as for any
// ended session. A handshake that checked the session just before the revocation committed
// can finish after the message went by: revocations are kept for a minute and checked
// against each new connection's handshake time.

const KEEP_MS = 60_000;

export class SessionRevocation {
  /** `<ws>:<user>:*` or `<ws>:<user>:<session>` → when the revocation arrived here. */
  readonly #recent = new Map<string, number>();

  constructor(
    private readonly io: () => GatewayServer | undefined,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Closes the matching sockets of this process and remembers the revocation for a while. */
  revoke(workspaceId: string, p: SessionRevokedPayload): void {
    const at = this.now();
    for (const [key, t] of this.#recent) if (at - t > KEEP_MS) this.#recent.delete(key);
    const keys = p.sessionIds === 'all' ? ['*'] : p.sessionIds;
    for (const k of keys) this.#recent.set(`${workspaceId}:${p.userId}:${k}`, at);

    const server = this.io();
    if (!server) return;
    let closed = 0;
    // Every local socket, not only those in the user's room: one still replaying is not in it yet.
    for (const socket of server.of('/').sockets.values()) {
      const auth = socket.data?.auth;
      if (!auth || auth.workspaceId !== workspaceId || auth.userId !== p.userId) continue;
      if (p.sessionIds !== 'all' && !(auth.sessionId && p.sessionIds.includes(auth.sessionId))) continue;
      socket.disconnect(true);
      closed++;
    }
    if (closed > 0) this.logger.info({ userId: p.userId, closed }, 'closed the sockets of ended sessions');
  }

  /** Whether a revocation for this socket arrived after its handshake began. */
  endedDuringHandshake(socket: GatewaySocket): boolean {
    const { workspaceId, userId, sessionId } = socket.data.auth;
    const issued = socket.handshake.issued;
    const after = (key: string) => (this.#recent.get(key) ?? -Infinity) >= issued;
    return after(`${workspaceId}:${userId}:*`) || (!!sessionId && after(`${workspaceId}:${userId}:${sessionId}`));
  }
}
