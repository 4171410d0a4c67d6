import type { RequestHandler } from 'express';
import { AppError } from '@hub/shared/errors';
import {
  isAllowed,
  rolesFor,
  verifyAccessToken,
  type Action,
  type AuthContext,
  type Resource,
  type Role,
} from '@hub/shared/auth';
import type { Runtime } from '@hub/shared/runtime';
import { findLiveSessionUser } from './session.repository';
import { hashSecretToken } from './secret-token';
import { findLiveApiToken, touchApiToken } from '../api-tokens/api-token.repository';

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext;
  }
}

type AuthRuntime = Pick<Runtime, 'config' | 'database' | 'clock'>;

/**
 * Requires `Authorization: Bearer <accessToken>`; sets req.auth.
 * Given the runtime (what the CRM uses), it also checks, on every request, that the token's
 * session is not revoked (logout, reuse, password change) and that the user is still active,
 * and takes the role from the user row so a role change applies at once; expiry is judged by
 * rt.clock. Given only the secret it checks the signature and expiry alone.
 */
export function authenticate(secretOrRt: string | AuthRuntime): RequestHandler {
  const rt = typeof secretOrRt === 'string' ? undefined : secretOrRt;
  const secret = typeof secretOrRt === 'string' ? secretOrRt : secretOrRt.config.jwtSecret;
  return async (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(new AppError('unauthorized', 'unauthorized', 'missing bearer token'));
    try {
      const auth = verifyAccessToken(secret, match[1]!, rt ? rt.clock() : new Date());
      if (rt && auth.sessionId) {
        const live = await findLiveSessionUser(rt.database.db, auth.userId, auth.workspaceId, auth.sessionId);
        if (!live) return next(new AppError('unauthorized', 'session_ended', 'session ended: sign in again'));
        auth.role = live.role as Role;
      }
      req.auth = auth;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** `Authorization: Token <api token>` → req.apiToken (a workspace, no user). */
export function authenticateApiToken(rt: Pick<Runtime, 'database' | 'clock'>): RequestHandler {
  return async (req, _res, next) => {
    const match = /^Token\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!match) return next(new AppError('unauthorized', 'unauthorized', 'missing API token (Authorization: Token …)'));
    try {
      const token = await findLiveApiToken(rt.database.db, hashSecretToken(match[1]!));
      if (!token) return next(new AppError('unauthorized', 'invalid_api_token', 'invalid or revoked API token'));
      await touchApiToken(rt.database.db, token.id, rt.clock());
      req.apiToken = { id: token.id, workspaceId: token.workspace_id };
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The permission matrix applied to one route: resource × action → allowed roles. */
export function can(resource: Resource, action: Action): RequestHandler {
  return (req, _res, next) => {
    if (!req.auth) return next(new AppError('unauthorized', 'unauthorized', 'not signed in'));
    if (!isAllowed(req.auth.role, resource, action)) {
      const roles = rolesFor(resource, action);
      return next(
        new AppError(
          'forbidden',
          'forbidden',
          `role ${req.auth.role} may not ${action} ${resource}` +
            (roles.length ? ` (allowed: ${roles.join(', ')})` : ''),
        ),
      );
    }
    next();
  };
}

export function requireRole(...allowed: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.auth) return next(new AppError('unauthorized', 'unauthorized', 'not signed in'));
    if (!allowed.includes(req.auth.role)) {
      return next(new AppError('forbidden', 'forbidden', `requires role ${allowed.join(' or ')}`));
    }
    next();
  };
}

/** The caller's context; only call behind authenticate(). */
export function authOf(req: { auth?: AuthContext }): AuthContext {
  if (!req.auth) throw new AppError('unauthorized', 'unauthorized', 'not signed in');
  return req.auth;
}
