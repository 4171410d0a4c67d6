import bcrypt from 'bcryptjs';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError } from '../errors';

export const roles = ['admin', 'supervisor', 'agent', 'marketer', 'manager'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

/** Who is calling. Every workspace-scoped query takes its workspaceId from here. */
export interface AuthContext {
  userId: string;
  workspaceId: string;
  role: Role;
  /** The refresh-token session this access token belongs to, when there is one. */
  sessionId?: string | undefined;
}

const AccessClaims = z.object({
  sub: z.string(),
  ws: z.string(),
  role: Role,
  sid: z.string().optional(),
  typ: z.literal('access'),
});

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/** `now` lets a service sign against its own clock (rt.clock), so tests can move time. */
export function signAccessToken(
  secret: string,
  ctx: AuthContext,
  ttlSeconds = ACCESS_TOKEN_TTL_SECONDS,
  now: Date = new Date(),
): string {
  const iat = Math.floor(now.getTime() / 1000);
  return jwt.sign(
    {
      sub: ctx.userId,
      ws: ctx.workspaceId,
      role: ctx.role,
      typ: 'access',
      iat,
      ...(ctx.sessionId ? { sid: ctx.sessionId } : {}),
    },
    secret,
    // expiresIn counts from the iat above, i.e. from the caller's clock.
    { algorithm: 'HS256', expiresIn: ttlSeconds },
  );
}

/** Throws AppError(unauthorized) on a missing, bad or expired token. */
export function verifyAccessToken(secret: string, token: string, now: Date = new Date()): AuthContext {
  let payload: unknown;
  try {
    payload = jwt.verify(token, secret, {
      algorithms: ['HS256'],
      clockTimestamp: Math.floor(now.getTime() / 1000),
    });
  } catch (err) {
    const expired = err instanceof jwt.TokenExpiredError;
    throw new AppError(
      'unauthorized',
      expired ? 'token_expired' : 'invalid_token',
      expired ? 'access token expired' : 'invalid access token',
    );
  }
  const claims = AccessClaims.safeParse(payload);
  if (!claims.success) throw new AppError('unauthorized', 'invalid_token', 'invalid access token');
  return { userId: claims.data.sub, workspaceId: claims.data.ws, role: claims.data.role, sessionId: claims.data.sid };
}

const BCRYPT_ROUNDS = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_ROUNDS);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

export * from './permissions';
export * from './visibility';
export * from './workspace-scope';
