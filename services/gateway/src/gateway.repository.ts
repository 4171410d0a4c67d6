import type { AuthContext } from '@hub/shared/auth';
import type { DbOrTrx } from '@hub/shared/db';

/**
 * The signed-in user behind a token, if it may still connect: active, in the token's
 * workspace, and (when the token names a session) with that session not revoked — the same
 * rule as the REST API's authenticate(). The role comes from the row, so a change applies.
 */
export function findSocketUser(
  db: DbOrTrx,
  auth: Pick<AuthContext, 'userId' | 'workspaceId' | 'sessionId'>,
): Promise<{ name: string; role: string } | undefined> {
  let q = db
    .selectFrom('users')
    .select(['users.name', 'users.role'])
    .where('users.id', '=', auth.userId)
    .where('users.workspace_id', '=', auth.workspaceId)
    .where('users.active', '=', true);
  if (auth.sessionId) {
    const sessionId = auth.sessionId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('sessions')
          .select('sessions.id')
          .where('sessions.family_id', '=', sessionId)
          .where('sessions.user_id', '=', auth.userId)
          .where('sessions.revoked_at', 'is', null),
      ),
    );
  }
  return q.executeTakeFirst();
}
