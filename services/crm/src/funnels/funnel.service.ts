import { sql } from 'kysely';
import type { WorkspaceScope } from '@hub/shared/auth';
import { AppError, notFound } from '@hub/shared/errors';
import type { z } from 'zod';
import { writeAudit } from '../audit/audit.repository';
import type { CrudContext } from '../http/crud';
import type { Page } from '../http/paging';
import {
  deleteStages,
  findFunnel,
  funnelToRecord,
  insertFunnel,
  insertStages,
  listFunnelRows,
  stagesOf,
  updateFunnelRow,
  updateStage,
  type FunnelRecord,
} from './funnel.repository';
import { defaultFunnels, type FunnelPatch, type NewFunnel } from './funnel.schemas';

async function recordOf(scope: WorkspaceScope, id: string): Promise<FunnelRecord | undefined> {
  const row = await findFunnel(scope, id);
  return row ? funnelToRecord(row, await stagesOf(scope, [row.id])) : undefined;
}

async function create(tx: WorkspaceScope, input: z.output<typeof NewFunnel>): Promise<FunnelRecord> {
  const row = await insertFunnel(tx, { name: input.name, kind: input.kind });
  const stages = await insertStages(
    tx,
    row.id,
    input.stages.map((s, i) => ({ name: s.name, position: i })),
  );
  const rec = funnelToRecord(row, stages);
  await writeAudit(tx, { table: 'funnels', recordId: row.id, action: 'create', after: rec });
  return rec;
}

/** The default Sales and Support funnels, inside the transaction that creates a workspace. */
export async function createDefaultFunnels(tx: WorkspaceScope): Promise<void> {
  for (const f of defaultFunnels) {
    await create(tx, { name: f.name, kind: f.kind, stages: f.stages.map((name) => ({ name })) });
  }
}

export const funnelService = {
  create(ctx: CrudContext, input: z.output<typeof NewFunnel>): Promise<FunnelRecord> {
    return ctx.scope.transaction((tx) => create(tx, input));
  },

  async list(ctx: CrudContext, q: { kind?: string | undefined }): Promise<Page<FunnelRecord>> {
    // Funnels are few per workspace: one page, in creation order.
    const rows = await listFunnelRows(ctx.scope, q.kind);
    const stages = await stagesOf(
      ctx.scope,
      rows.map((r) => r.id),
    );
    return { items: rows.map((r) => funnelToRecord(r, stages)), nextCursor: null };
  },

  async get(ctx: CrudContext, id: string): Promise<FunnelRecord> {
    const rec = await recordOf(ctx.scope, id);
    if (!rec) throw notFound('funnel');
    return rec;
  },

  update(ctx: CrudContext, id: string, patch: z.output<typeof FunnelPatch>): Promise<FunnelRecord> {
    return ctx.scope.transaction(async (tx) => {
      const before = await recordOf(tx, id);
      if (!before) throw notFound('funnel');
      if (patch.stages) {
        const existing = new Set(before.stages.map((s) => s.id));
        for (const [i, s] of patch.stages.entries()) {
          if (s.id && !existing.has(s.id)) {
            throw new AppError('validation_failed', 'validation_failed', 'unknown stage', [
              { field: `stages.${i}.id`, message: 'not a stage of this funnel' },
            ]);
          }
        }
        const kept = new Set(patch.stages.flatMap((s) => (s.id ? [s.id] : [])));
        const removed = before.stages.filter((s) => !kept.has(s.id)).map((s) => s.id);
        if (removed.length) {
          const busy = await tx
            .selectFrom('leads')
            .select('leads.stage_id')
            .where('leads.stage_id', 'in', removed)
            .where('leads.deleted_at', 'is', null)
            .limit(1)
            .executeTakeFirst();
          if (busy) {
            throw new AppError('conflict', 'stage_in_use', 'a stage to remove still has leads: move them first', [
              { field: 'stages', message: `stage ${busy.stage_id} has leads` },
            ]);
          }
          await deleteStages(tx, removed);
        }
        for (const [position, s] of patch.stages.entries()) {
          if (s.id) await updateStage(tx, s.id, { name: s.name, position });
          else await insertStages(tx, id, [{ name: s.name, position }]);
        }
      }
      await updateFunnelRow(
        tx,
        id,
        { ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.kind ? { kind: patch.kind } : {}) },
        ctx.now,
      );
      const after = (await recordOf(tx, id))!;
      await writeAudit(tx, { table: 'funnels', recordId: id, action: 'update', before, after });
      return after;
    });
  },

  remove(ctx: CrudContext, id: string): Promise<void> {
    return ctx.scope.transaction(async (tx) => {
      const before = await recordOf(tx, id);
      if (!before) throw notFound('funnel');
      await updateFunnelRow(tx, id, { deleted_at: ctx.now }, ctx.now);
      await writeAudit(tx, { table: 'funnels', recordId: id, action: 'delete', before });
    });
  },

  async stats(ctx: CrudContext, id: string) {
    const funnel = await recordOf(ctx.scope, id);
    if (!funnel) throw notFound('funnel');
    const counts = await ctx.scope
      .selectFrom('leads')
      .select(['leads.stage_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('leads.funnel_id', '=', id)
      .where('leads.deleted_at', 'is', null)
      .groupBy('leads.stage_id')
      .execute();
    const stays = await ctx.scope
      .selectFrom('stage_history')
      .select([
        'stage_history.stage_id',
        sql<number | null>`avg(extract(epoch from (stage_history.left_at - stage_history.entered_at)))::float8`.as(
          'avg',
        ),
      ])
      .where('stage_history.funnel_id', '=', id)
      .where('stage_history.left_at', 'is not', null)
      .groupBy('stage_history.stage_id')
      .execute();
    const last = funnel.stages[funnel.stages.length - 1];
    const reach = await ctx.scope
      .selectFrom('stage_history')
      .innerJoin('leads', (j) =>
        j
          .onRef('leads.id', '=', 'stage_history.lead_id')
          .onRef('leads.workspace_id', '=', 'stage_history.workspace_id'),
      )
      .select([
        sql<number>`count(distinct stage_history.lead_id)`.as('entered'),
        sql<number>`count(distinct stage_history.lead_id) filter (where stage_history.stage_id = ${last?.id ?? null})`.as(
          'reached',
        ),
      ])
      .where('stage_history.funnel_id', '=', id)
      .where('leads.deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    const entered = Number(reach.entered);
    const reachedLast = Number(reach.reached);
    return {
      funnelId: id,
      stages: funnel.stages.map((s) => {
        const avg = stays.find((r) => r.stage_id === s.id)?.avg;
        return {
          ...s,
          count: Number(counts.find((c) => c.stage_id === s.id)?.n ?? 0),
          avgSecondsInStage: avg === null || avg === undefined ? null : Number(avg),
        };
      }),
      conversion: { entered, reachedLast, rate: entered === 0 ? 0 : reachedLast / entered },
    };
  },
};
