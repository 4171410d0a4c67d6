import type { Request } from 'express';
import { z } from 'zod';
import { hashPassword, scoped, verifyAccessToken, verifyPassword, type AuthContext } from '@hub/shared/auth';
import { AppError, notFound } from '@hub/shared/errors';
import type { Runtime } from '@hub/shared/runtime';
import { access, type ApiRouter } from '../http/route';
import { writeAudit } from '../audit/audit.repository';
import { findUser, findUserByEmail, updateUser, userRowToRecord, userRowToUser } from '../users/user.repository';
import { createDbLoginThrottle, loginThrottleKeys, type LoginThrottle } from './login-throttle';
import {
  endSessionByToken,
  refreshSession,
  sessionPolicy,
  startSession,
  type ClientMeta,
  type LoginBody,
} from './session.service';
import { revokeFamily, revokeUserSessions } from './session.repository';
import { sessionRevocations } from './session.publisher';

export const LoginBodySchema = z
  .object({ email: z.string().min(1), password: z.string().min(1) })
  .meta({ id: 'Login' });

export const Password = z.string().min(8, 'must be at least 8 characters').max(200);

export const SessionUser = z
  .object({ id: z.uuid(), email: z.string(), name: z.string(), role: z.string(), workspaceId: z.uuid() })
  .meta({ id: 'SessionUser' });

export const Session = z
  .object({
    accessToken: z.string().meta({ description: 'JWT, valid 15 minutes: `Authorization: Bearer <accessToken>`' }),
    refreshToken: z.string().meta({
      description: 'Single use: POST /auth/refresh returns a new pair. Sessions end after 24 h without a refresh.',
    }),
    user: SessionUser,
  })
  .meta({ id: 'Session' });

export const Me = SessionUser.extend({ active: z.boolean(), lastLoginAt: z.iso.datetime().nullable() }).meta({
  id: 'Me',
});

export function clientMeta(req: Request): ClientMeta {
  return { userAgent: req.get('user-agent') ?? undefined, ip: req.ip };
}

// A real bcrypt hash of a random string: unknown emails cost the same time as wrong passwords,
// so response times do not tell which emails have accounts.
const DUMMY_HASH = '$2b$10$.DS8zN9zQiVNpqx/rj9kae50o1CvE3az.EU14iq0qARxv4AU2oIJu';

export function authRoutes(
  api: ApiRouter,
  rt: Runtime,
  throttle: LoginThrottle = createDbLoginThrottle(rt.database.db),
): void {
  const { db } = rt.database;
  const secret = rt.config.jwtSecret;
  const tags = ['Auth'];
  const revoked = sessionRevocations(rt);

  api.route({
    method: 'post',
    path: '/auth/login',
    access: access.public,
    summary: 'Sign in with email and password',
    description:
      'Too many failures for one account (10) or one address (50) in 15 minutes answer 429 with Retry-After.',
    tags,
    body: LoginBodySchema,
    response: Session,
    errors: { 429: 'Too many failed attempts (too_many_login_attempts); see Retry-After.' },
    handler: async ({ req, res, body, now }): Promise<LoginBody> => {
      const keys = loginThrottleKeys(body.email, req.ip);
      const verdict = await throttle.check(keys, now);
      if (verdict.blocked) {
        res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
        throw new AppError(
          'too_many_requests',
          'too_many_login_attempts',
          `too many failed sign-in attempts: try again in ${Math.ceil(verdict.retryAfterSeconds / 60)} minute(s)`,
          { retryAfterSeconds: verdict.retryAfterSeconds },
        );
      }
      const row = await findUserByEmail(db, body.email);
      const passwordOk = await verifyPassword(body.password, row?.password_hash ?? DUMMY_HASH);
      if (!row || !passwordOk) {
        await throttle.recordFailure(keys, now);
        throw new AppError('unauthorized', 'invalid_credentials', 'wrong email or password');
      }
      if (!row.active) throw new AppError('unauthorized', 'account_disabled', 'this account is deactivated');
      await throttle.reset(keys[0]!.key);
      await updateUser(
        scoped(db, { workspaceId: row.workspace_id, userId: row.id }),
        row.id,
        { last_login_at: now },
        now,
      );
      return startSession(db, secret, userRowToUser(row), clientMeta(req), now);
    },
  });

  api.route({
    method: 'post',
    path: '/auth/refresh',
    access: access.public,
    summary: 'Swap a refresh token for a new pair (the old one stops working)',
    description:
      'Reusing an old refresh token ends the whole session (all its tokens), except within ' +
      `${sessionPolicy.reuseGraceMs / 1000} s of its first use: two tabs refreshing at once each get a working pair ` +
      'of the same session. Refused after 24 h without a refresh, after logout, password change or deactivation.',
    tags,
    body: z.object({ refreshToken: z.string().min(1) }).meta({ id: 'Refresh' }),
    response: Session,
    handler: ({ req, body, now }) => refreshSession(db, secret, body.refreshToken, clientMeta(req), now, revoked),
  });

  api.route({
    method: 'post',
    path: '/auth/logout',
    access: access.public,
    summary: 'End the session (of the refresh token given, and of the bearer token if any)',
    tags,
    body: z.object({ refreshToken: z.string().min(1).optional() }).meta({ id: 'Logout' }),
    status: 204,
    handler: async ({ req, body, now }) => {
      let bearer: AuthContext | undefined;
      const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
      if (m) {
        try {
          bearer = verifyAccessToken(secret, m[1]!, now);
        } catch {
          bearer = undefined; // an expired access token may still name the session to end
        }
      }
      if (!body.refreshToken && !bearer) {
        throw new AppError('validation_failed', 'validation_failed', 'invalid refreshToken', [
          { field: 'refreshToken', message: 'give the refresh token or an access token of the session' },
        ]);
      }
      if (body.refreshToken) {
        const ended = await endSessionByToken(db, body.refreshToken, now);
        if (ended) await revoked({ ...ended, sessionIds: [ended.familyId] });
      }
      if (bearer?.sessionId) {
        await revokeFamily(scoped(db, bearer), bearer.sessionId, now, 'logout');
        await revoked({ workspaceId: bearer.workspaceId, userId: bearer.userId, sessionIds: [bearer.sessionId] });
      }
    },
  });

  api.route({
    method: 'get',
    path: '/auth/me',
    access: access.signedIn,
    summary: 'The signed-in user',
    tags,
    response: Me,
    handler: async ({ auth, scope }) => {
      const row = await findUser(scope, auth.userId);
      if (!row) throw notFound('user');
      const u = userRowToRecord(row);
      return {
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        workspaceId: row.workspace_id,
        active: u.active,
        lastLoginAt: u.lastLoginAt,
      };
    },
  });

  api.route({
    method: 'post',
    path: '/auth/password',
    access: access.signedIn,
    summary: 'Change my password (ends my other sessions)',
    tags,
    body: z.object({ oldPassword: z.string().min(1), newPassword: Password }).meta({ id: 'PasswordChange' }),
    status: 204,
    handler: async ({ auth, scope, body, now }) => {
      const row = await findUser(scope, auth.userId);
      if (!row) throw notFound('user');
      if (!(await verifyPassword(body.oldPassword, row.password_hash))) {
        throw new AppError('validation_failed', 'wrong_password', 'the current password is wrong', [
          { field: 'oldPassword', message: 'does not match' },
        ]);
      }
      const hash = await hashPassword(body.newPassword);
      const ended = await scope.transaction(async (tx) => {
        await updateUser(tx, row.id, { password_hash: hash }, now);
        const families = await revokeUserSessions(tx, row.id, now, 'password_changed', auth.sessionId);
        await writeAudit(tx, { table: 'users', recordId: row.id, action: 'password_change' });
        return families;
      });
      // The other sessions only: this device keeps its session and its sockets.
      await revoked({ workspaceId: auth.workspaceId, userId: row.id, sessionIds: ended });
    },
  });
}
