import { randomUUID } from 'node:crypto';
import { signAccessToken, systemScope, type Role } from '@hub/shared/auth';
import type { Db, DbOrTrx } from '@hub/shared/db';
import { AppError } from '@hub/shared/errors';
import { findUser, userRowToUser, type User } from '../users/user.repository';
import { hashSecretToken, newSecretToken } from './secret-token';
import {
  findSessionByHashForUpdate,
  insertSession,
  markRotated,
  revokeFamily,
  type RevokeReason,
} from './session.repository';
import type { SessionRevocations } from './session.publisher';

// Sessions: a login returns a short-lived access JWT (15 min, carries the session family id)
// and a random refresh token stored only as a hash. Each refresh rotates the refresh token;
// presenting an already-rotated token means a copy exists elsewhere, so the whole family is
// revoked (OAuth 2.0 Security BCP, "refresh token rotation" with reuse detection).
// Two tabs of one browser refresh at the same moment with the same token, so a token rotated
// less than `reuseGraceMs` ago gets a sibling token in the same family instead of a revocation.

export const sessionPolicy = {
  /** No refresh for this long ends the session. */
  idleMs: 24 * 60 * 60_000,
  /** However active, a session family ends after this. */
  absoluteMs: 30 * 24 * 60 * 60_000,
  /** A rotated token presented again within this long is a racing tab, not a stolen copy. */
  reuseGraceMs: 30_000,
};

/** True while a rotated token is still inside the grace window (tabs refreshing together). */
export function withinReuseGrace(rotatedAt: Date, now: Date): boolean {
  const age = now.getTime() - rotatedAt.getTime();
  return age >= 0 && age < sessionPolicy.reuseGraceMs;
}

export interface ClientMeta {
  userAgent?: string | undefined;
  ip?: string | undefined;
}

export interface LoginBody {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; name: string; role: string; workspaceId: string };
}

function loginBody(secret: string, user: User, familyId: string, refreshToken: string, now: Date): LoginBody {
  return {
    accessToken: signAccessToken(
      secret,
      { userId: user.id, workspaceId: user.workspaceId, role: user.role as Role, sessionId: familyId },
      undefined,
      now,
    ),
    refreshToken,
    user: { id: user.id, email: user.email, name: user.name, role: user.role, workspaceId: user.workspaceId },
  };
}

/** A new session family for a user who just proved who they are. */
export async function startSession(
  db: DbOrTrx,
  secret: string,
  user: User,
  meta: ClientMeta,
  now: Date,
): Promise<LoginBody> {
  const refreshToken = newSecretToken('rt_');
  const familyId = randomUUID();
  await insertSession(systemScope(db, user.workspaceId), {
    user_id: user.id,
    family_id: familyId,
    token_hash: hashSecretToken(refreshToken),
    created_at: now,
    last_used_at: now,
    expires_at: new Date(now.getTime() + sessionPolicy.absoluteMs),
    user_agent: meta.userAgent?.slice(0, 500) ?? null,
    ip: meta.ip ?? null,
  });
  return loginBody(secret, user, familyId, refreshToken, now);
}

type RefreshOutcome =
  | { ok: true; body: LoginBody }
  | {
      ok: false;
      code: 'invalid_refresh_token' | 'session_revoked' | 'refresh_token_reused' | 'session_expired' | 'user_inactive';
      /** The family this refusal ended (announced after the commit). */
      ended?: { workspaceId: string; userId: string; familyId: string };
    };

const refusals = {
  invalid_refresh_token: 'invalid refresh token',
  session_revoked: 'this session was ended: sign in again',
  refresh_token_reused: 'refresh token already used: the session was ended for safety, sign in again',
  session_expired: 'session expired: sign in again',
  user_inactive: 'this account is deactivated',
} as const;

/**
 * Swaps a refresh token for a new pair. Refusals that revoke commit (and are announced to
 * `revoked`) before the 401.
 */
export async function refreshSession(
  db: Db,
  secret: string,
  refreshToken: string,
  meta: ClientMeta,
  now: Date,
  revoked?: SessionRevocations,
): Promise<LoginBody> {
  const outcome = await db.transaction().execute(async (trx): Promise<RefreshOutcome> => {
    const row = await findSessionByHashForUpdate(trx, hashSecretToken(refreshToken));
    if (!row) return { ok: false, code: 'invalid_refresh_token' };
    const tx = systemScope(trx, row.workspace_id);
    const refuse = async (code: Exclude<RefreshOutcome, { ok: true }>['code'], reason: RevokeReason) => {
      await revokeFamily(tx, row.family_id, now, reason);
      const ended = { workspaceId: row.workspace_id, userId: row.user_id, familyId: row.family_id };
      return { ok: false, code, ended } as const;
    };
    if (row.revoked_at) return { ok: false, code: 'session_revoked' };
    const grace = row.rotated_at !== null && withinReuseGrace(row.rotated_at, now);
    if (row.rotated_at && !grace) return refuse('refresh_token_reused', 'reuse');
    if (now.getTime() - row.last_used_at.getTime() > sessionPolicy.idleMs) return refuse('session_expired', 'idle');
    if (now.getTime() >= row.expires_at.getTime()) return refuse('session_expired', 'expired');
    const userRow = await findUser(tx, row.user_id);
    if (!userRow || !userRow.active) return refuse('user_inactive', 'deactivated');
    // Inside the grace window the token stays rotated at its first use, so the window never
    // stretches; the sibling issued below is a fresh token of the same family.
    if (!grace && !(await markRotated(tx, row.id, now))) return refuse('refresh_token_reused', 'reuse');

    const next = newSecretToken('rt_');
    await insertSession(tx, {
      user_id: row.user_id,
      family_id: row.family_id,
      token_hash: hashSecretToken(next),
      created_at: now,
      last_used_at: now,
      expires_at: row.expires_at,
      user_agent: meta.userAgent?.slice(0, 500) ?? row.user_agent,
      ip: meta.ip ?? row.ip,
    });
    return { ok: true, body: loginBody(secret, userRowToUser(userRow), row.family_id, next, now) };
  });
  if (!outcome.ok) {
    const ended = outcome.ended;
    if (ended && revoked) await revoked({ ...ended, sessionIds: [ended.familyId] });
    throw new AppError('unauthorized', outcome.code, refusals[outcome.code]);
  }
  return outcome.body;
}

/** Logout with a refresh token: ends its family (whoever holds a copy). Unknown tokens are ignored. */
export async function endSessionByToken(
  db: Db,
  refreshToken: string,
  now: Date,
): Promise<{ userId: string; workspaceId: string; familyId: string } | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await findSessionByHashForUpdate(trx, hashSecretToken(refreshToken));
    if (!row) return undefined;
    await revokeFamily(systemScope(trx, row.workspace_id), row.family_id, now, 'logout');
    return { userId: row.user_id, workspaceId: row.workspace_id, familyId: row.family_id };
  });
}
