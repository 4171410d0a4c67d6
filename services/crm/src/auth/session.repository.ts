import type { Selectable } from 'kysely';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DB, DbOrTrx } from '@hub/shared/db';

// Refresh-token sessions. A refresh token arrives before anyone is signed in, so the lookup by
// token hash is hub-wide (the hash of 256 random bits names one row); everything after it works
// inside the session's own workspace.

export type SessionRow = Selectable<DB['sessions']>;

export type RevokeReason =
  'logout' | 'reuse' | 'idle' | 'expired' | 'password_changed' | 'deactivated' | 'password_reset';

/** Locks the row: two refreshes racing on one token must not both rotate it. */
export function findSessionByHashForUpdate(db: DbOrTrx, tokenHash: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).forUpdate().executeTakeFirst();
}

export function insertSession(
  scope: WorkspaceScope,
  row: {
    user_id: string;
    family_id: string;
    token_hash: string;
    created_at: Date;
    last_used_at: Date;
    expires_at: Date;
    user_agent: string | null;
    ip: string | null;
  },
): Promise<SessionRow> {
  return scope.insertInto('sessions', row).returningAll().executeTakeFirstOrThrow();
}

/** Marks a token used up; false when someone else rotated it first. */
export async function markRotated(scope: WorkspaceScope, id: string, now: Date): Promise<boolean> {
  const r = await scope
    .updateTable('sessions')
    .set({ rotated_at: now })
    .where('sessions.id', '=', id)
    .where('sessions.rotated_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function revokeFamily(
  scope: WorkspaceScope,
  familyId: string,
  now: Date,
  reason: RevokeReason,
): Promise<void> {
  await scope
    .updateTable('sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('sessions.family_id', '=', familyId)
    .where('sessions.revoked_at', 'is', null)
    .execute();
}

/**
 * Ends every session of a user, but the one in `keepFamilyId` (password change from a device).
 * Answers the session family ids it ended.
 */
export async function revokeUserSessions(
  scope: WorkspaceScope,
  userId: string,
  now: Date,
  reason: RevokeReason,
  keepFamilyId?: string,
): Promise<string[]> {
  let q = scope
    .updateTable('sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('sessions.user_id', '=', userId)
    .where('sessions.revoked_at', 'is', null);
  if (keepFamilyId) q = q.where('sessions.family_id', '!=', keepFamilyId);
  const rows = await q.returning('sessions.family_id').execute();
  return [...new Set(rows.map((r) => r.family_id))];
}

/**
 * What an access token's holder is now: role and workspace from the user row (a role change
 * applies at once), and only while the user is active and the session family not revoked.
 */
export function findLiveSessionUser(
  db: DbOrTrx,
  userId: string,
  workspaceId: string,
  familyId: string,
): Promise<{ role: string } | undefined> {
  return db
    .selectFrom('users')
    .select('users.role')
    .where('users.id', '=', userId)
    .where('users.workspace_id', '=', workspaceId)
    .where('users.active', '=', true)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('sessions')
          .select('sessions.id')
          .where('sessions.family_id', '=', familyId)
          .where('sessions.user_id', '=', userId)
          .where('sessions.revoked_at', 'is', null),
      ),
    )
    .executeTakeFirst();
}
