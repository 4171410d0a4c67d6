import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { Funnel, FunnelKind } from './funnel.schemas';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';

export type FunnelRow = Selectable<DB['funnels']>;
export type StageRow = Selectable<DB['funnel_stages']>;

export type FunnelRecord = z.output<typeof Funnel>;

export function funnelToRecord(row: FunnelRow, stages: StageRow[]): FunnelRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as z.output<typeof FunnelKind>,
    stages: stages
      .filter((s) => s.funnel_id === row.id)
      .sort((a, b) => a.position - b.position)
      .map((s) => ({ id: s.id, name: s.name, position: s.position })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function findFunnel(scope: WorkspaceScope, id: string): Promise<FunnelRow | undefined> {
  return scope
    .selectFrom('funnels')
    .selectAll()
    .where('funnels.id', '=', id)
    .where('funnels.deleted_at', 'is', null)
    .executeTakeFirst();
}

export function listFunnelRows(scope: WorkspaceScope, kind?: string): Promise<FunnelRow[]> {
  let q = scope.selectFrom('funnels').selectAll().where('funnels.deleted_at', 'is', null);
  if (kind) q = q.where('funnels.kind', '=', kind);
  // The default funnels share their creating transaction's timestamp: name breaks the tie.
  return q.orderBy('funnels.created_at').orderBy('funnels.name').orderBy('funnels.id').execute();
}

export function stagesOf(scope: WorkspaceScope, funnelIds: string[]): Promise<StageRow[]> {
  if (funnelIds.length === 0) return Promise.resolve([]);
  return scope
    .selectFrom('funnel_stages')
    .selectAll()
    .where('funnel_stages.funnel_id', 'in', funnelIds)
    .orderBy('funnel_stages.position')
    .execute();
}

export function findStage(scope: WorkspaceScope, id: string): Promise<StageRow | undefined> {
  return scope.selectFrom('funnel_stages').selectAll().where('funnel_stages.id', '=', id).executeTakeFirst();
}

export function insertFunnel(scope: WorkspaceScope, row: { name: string; kind: string }): Promise<FunnelRow> {
  return scope.insertInto('funnels', row).returningAll().executeTakeFirstOrThrow();
}

export function insertStages(
  scope: WorkspaceScope,
  funnelId: string,
  stages: { name: string; position: number }[],
): Promise<StageRow[]> {
  if (stages.length === 0) return Promise.resolve([]);
  return scope
    .insertInto(
      'funnel_stages',
      stages.map((s) => ({ funnel_id: funnelId, name: s.name, position: s.position })),
    )
    .returningAll()
    .execute();
}

export async function updateStage(
  scope: WorkspaceScope,
  id: string,
  patch: { name: string; position: number },
): Promise<void> {
  await scope.updateTable('funnel_stages').set(patch).where('funnel_stages.id', '=', id).execute();
}

export async function deleteStages(scope: WorkspaceScope, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await scope.deleteFrom('funnel_stages').where('funnel_stages.id', 'in', ids).execute();
}

export function updateFunnelRow(
  scope: WorkspaceScope,
  id: string,
  patch: Partial<Pick<FunnelRow, 'name' | 'kind' | 'deleted_at'>>,
  now: Date,
): Promise<FunnelRow | undefined> {
  return scope
    .updateTable('funnels')
    .set({ ...patch, updated_at: now })
    .where('funnels.id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** The funnel a new lead enters when none is named: the oldest one of that kind. */
export async function defaultFunnelStage(
  scope: WorkspaceScope,
  kind: 'sales' | 'support',
): Promise<{ funnelId: string; stageId: string } | undefined> {
  const row = await scope
    .selectFrom('funnels')
    .innerJoin('funnel_stages', (j) =>
      j
        .onRef('funnel_stages.funnel_id', '=', 'funnels.id')
        .onRef('funnel_stages.workspace_id', '=', 'funnels.workspace_id'),
    )
    .select(['funnels.id as funnelId', 'funnel_stages.id as stageId'])
    .where('funnels.kind', '=', kind)
    .where('funnels.deleted_at', 'is', null)
    .orderBy('funnels.created_at')
    .orderBy('funnel_stages.position')
    .limit(1)
    .executeTakeFirst();
  return row;
}
