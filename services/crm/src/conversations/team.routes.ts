import { z } from 'zod';
import { AppError, notFound } from '@hub/shared/errors';
import type { WorkspaceScope } from '@hub/shared/auth';
import { writeAudit } from '../audit/audit.repository';
import { crudRoutes, type CrudContext } from '../http/crud';
import { isUniqueViolation } from '../http/db-errors';
import type { ApiRouter } from '../http/route';
import {
  detachTeam,
  findTeamRow,
  insertTeam,
  listTeams,
  teamRowToRecord,
  updateTeam,
  type TeamRecord,
} from './team.repository';

// /api/v1/teams — the groups a conversation can be assigned to (POST /conversations/:id/assign
// {teamId}). Same permissions as users: everyone reads, admins manage.

export const Team = z
  .object({ id: z.string(), name: z.string(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'Team' });
const Name = z.string().trim().min(1, 'name is required').max(80);
export const NewTeam = z.object({ name: Name }).strict();
export const TeamPatch = z.object({ name: Name.optional() }).strict();

const nameTaken = () =>
  new AppError('conflict', 'team_name_taken', 'a team with this name exists', [{ field: 'name', message: 'taken' }]);

async function recordOf(scope: WorkspaceScope, id: string): Promise<TeamRecord> {
  const row = await findTeamRow(scope, id);
  if (!row) throw notFound('team');
  return teamRowToRecord(row);
}

async function unique<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

const teamService = {
  create: (ctx: CrudContext, body: z.output<typeof NewTeam>) =>
    unique(() =>
      ctx.scope.transaction(async (tx) => {
        const rec = teamRowToRecord(await insertTeam(tx, body.name));
        await writeAudit(tx, { table: 'teams', recordId: rec.id, action: 'create', after: rec });
        return rec;
      }),
    ),
  list: (ctx: CrudContext, q: { cursor?: string | undefined; limit: number }) => listTeams(ctx.scope, q),
  get: (ctx: CrudContext, id: string) => recordOf(ctx.scope, id),
  update: (ctx: CrudContext, id: string, patch: z.output<typeof TeamPatch>) =>
    unique(() =>
      ctx.scope.transaction(async (tx) => {
        const before = await recordOf(tx, id);
        if (patch.name !== undefined) await updateTeam(tx, id, { name: patch.name }, ctx.now);
        const after = await recordOf(tx, id);
        await writeAudit(tx, { table: 'teams', recordId: id, action: 'update', before, after });
        return after;
      }),
    ),
  remove: (ctx: CrudContext, id: string) =>
    ctx.scope.transaction(async (tx) => {
      const before = await recordOf(tx, id);
      await updateTeam(tx, id, { deleted_at: ctx.now }, ctx.now);
      await detachTeam(tx, id);
      await writeAudit(tx, { table: 'teams', recordId: id, action: 'delete', before });
    }),
};

export function teamRoutes(api: ApiRouter): void {
  crudRoutes(api, {
    path: '/teams',
    resource: 'users',
    tag: 'Teams',
    noun: 'team',
    record: Team,
    create: NewTeam,
    update: TeamPatch,
    conflicts: 'A team with this name exists (team_name_taken).',
    softDelete: true,
    service: teamService,
  });
}
