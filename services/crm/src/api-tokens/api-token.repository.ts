import type { Selectable } from 'kysely';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DB, DbOrTrx } from '@hub/shared/db';

export type ApiTokenRow = Selectable<DB['api_tokens']>;

export interface ApiTokenRecord {
  id: string;
  name: string;
  /** The first characters of the token, to tell tokens apart. */
  prefix: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function apiTokenRowToRecord(row: ApiTokenRow): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

/** Hub-wide by hash: the token is what tells us the workspace. */
export function findLiveApiToken(db: DbOrTrx, tokenHash: string): Promise<ApiTokenRow | undefined> {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touchApiToken(db: DbOrTrx, id: string, now: Date): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

export function insertApiToken(
  scope: WorkspaceScope,
  row: { name: string; token_hash: string; prefix: string; created_by: string | null },
): Promise<ApiTokenRow> {
  return scope.insertInto('api_tokens', row).returningAll().executeTakeFirstOrThrow();
}

export function findApiToken(scope: WorkspaceScope, id: string): Promise<ApiTokenRow | undefined> {
  return scope.selectFrom('api_tokens').selectAll().where('api_tokens.id', '=', id).executeTakeFirst();
}

export function listApiTokens(scope: WorkspaceScope): Promise<ApiTokenRow[]> {
  return scope.selectFrom('api_tokens').selectAll().orderBy('api_tokens.created_at', 'desc').execute();
}

export function revokeApiToken(scope: WorkspaceScope, id: string, now: Date): Promise<ApiTokenRow | undefined> {
  return scope
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('api_tokens.id', '=', id)
    .where('api_tokens.revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
