import type { Selectable } from 'kysely';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';

export type TeamRow = Selectable<DB['teams']>;

export interface TeamRecord {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export function teamRowToRecord(row: TeamRow): TeamRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function findTeamRow(scope: WorkspaceScope, id: string): Promise<TeamRow | undefined> {
  return scope
    .selectFrom('teams')
    .selectAll()
    .where('teams.id', '=', id)
    .where('teams.deleted_at', 'is', null)
    .executeTakeFirst();
}

export function insertTeam(scope: WorkspaceScope, name: string): Promise<TeamRow> {
  return scope.insertInto('teams', { name }).returningAll().executeTakeFirstOrThrow();
}

export async function updateTeam(
  scope: WorkspaceScope,
  id: string,
  values: { name?: string; deleted_at?: Date },
  now: Date,
): Promise<void> {
  await scope
    .updateTable('teams')
    .set({ ...values, updated_at: now })
    .where('teams.id', '=', id)
    .execute();
}

/** Conversations of a deleted team lose it (the team stays for history). */
export async function detachTeam(scope: WorkspaceScope, id: string): Promise<void> {
  await scope.updateTable('conversations').set({ team_id: null }).where('conversations.team_id', '=', id).execute();
}

export async function listTeams(scope: WorkspaceScope, page: PageQuery): Promise<Page<TeamRecord>> {
  const q = scope
    .selectFrom('teams')
    .selectAll('teams')
    .select(cursorColumn('teams.created_at'))
    .where('teams.deleted_at', 'is', null);
  const rows = await keysetPage(q, page, 'teams.created_at', 'teams.id').execute();
  return toPage(rows, page, teamRowToRecord);
}
