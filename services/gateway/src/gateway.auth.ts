import type { RequestHandler } from 'express';
import { z } from 'zod';
import { isAllowed, loadAssigneeVisibility, Role, verifyAccessToken, type AuthContext } from '@hub/shared/auth';
import { AppError } from '@hub/shared/errors';
import type { Runtime } from '@hub/shared/runtime';
import { findSocketUser } from './gateway.repository';
import type { SocketData } from './socket.types';

// Who is connecting, decided once per connection (and per presence request): the token's
// signature and expiry, then the user row and session, then what the user may see. The
// gateway checks tokens itself rather than through @hub/crm, which would make a cycle.

const Uuid = z.uuid();

type AuthRuntime = Pick<Runtime, 'config' | 'database' | 'clock'>;

/** Throws AppError('unauthorized') with a code saying why. */
export async function authenticateToken(rt: AuthRuntime, token: string): Promise<SocketData> {
  const auth: AuthContext = verifyAccessToken(rt.config.jwtSecret, token, rt.clock());
  if (!Uuid.safeParse(auth.userId).success || !Uuid.safeParse(auth.workspaceId).success) {
    throw new AppError('unauthorized', 'invalid_token', 'invalid access token');
  }
  const user = await findSocketUser(rt.database.db, auth);
  const role = Role.safeParse(user?.role);
  if (!user || !role.success) throw new AppError('unauthorized', 'session_ended', 'session ended: sign in again');
  const who: AuthContext = { ...auth, role: role.data };
  return {
    auth: who,
    name: user.name,
    inbox: isAllowed(who.role, 'conversations', 'read') ? await loadAssigneeVisibility(rt.database.db, who) : null,
    supervisor: isAllowed(who.role, 'reports', 'read'),
  };
}

/** Express: `Authorization: Bearer <accessToken>` → res.locals.user (SocketData). */
export function requireUser(rt: AuthRuntime): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!match) return next(new AppError('unauthorized', 'unauthorized', 'missing bearer token'));
    try {
      res.locals.user = await authenticateToken(rt, match[1]!);
      next();
    } catch (err) {
      next(err);
    }
  };
}
