import type { WorkspaceScope } from '@hub/shared/auth';
import { AppError, notFound } from '@hub/shared/errors';
import type { z } from 'zod';
import { writeAudit } from '../audit/audit.repository';
import type { CrudContext } from '../http/crud';
import { isUniqueViolation } from '../http/db-errors';
import type { Page, PageQuery } from '../http/paging';
import { divRound, ratioBasisPoints } from '../money/money';
import { invalidField } from '../money/money.errors';
import type { CampaignPatch, CampaignStats, NewCampaign } from './campaign.schemas';
import {
  campaignRowToRecord,
  contractFigures,
  findCampaign,
  insertCampaign,
  leadFigures,
  listAllCampaigns,
  listCampaigns,
  revenueFigures,
  updateCampaign,
  type CampaignFilters,
  type CampaignRecord,
  type CampaignRow,
  type CampaignValues,
} from './campaign.repository';

export type CampaignStatsRecord = z.output<typeof CampaignStats>;

async function rowOf(scope: WorkspaceScope, id: string): Promise<CampaignRow> {
  const row = await findCampaign(scope, id);
  if (!row) throw notFound('campaign');
  return row;
}

async function guardRefCode<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err, 'campaigns_ref_code_key')) {
      throw new AppError(
        'conflict',
        'campaign_ref_code_taken',
        'another campaign of this workspace uses this refCode',
        [{ field: 'refCode', message: 'already used by another campaign' }],
      );
    }
    throw err;
  }
}

const uniqueIds = (ids: readonly string[]) => [...new Set(ids)];

/**
 * The figures of each campaign, from its leads to the money received:
 *   leads        live leads whose campaignId is the campaign
 *   conversions  of those, the ones won (converted to customers — POST /leads/:id/convert)
 *   contracts    signed contracts of those leads
 *   revenue      payments received on their not-void invoices, in the campaign's currency
 *   costPerLead  round(budget / leads)
 *   profit       revenue − budget;  ROI = profit / budget (basis points);  profitable = profit > 0
 * All integer arithmetic, rounded half away from zero (money/money.ts).
 */
export async function campaignStats(scope: WorkspaceScope, rows: CampaignRow[]): Promise<CampaignStatsRecord[]> {
  const ids = rows.map((r) => r.id);
  const [leads, contracts, revenue] = await Promise.all([
    leadFigures(scope, ids),
    contractFigures(scope, ids),
    revenueFigures(scope, ids),
  ]);
  return rows.map((c) => {
    const l = leads.find((x) => x.campaignId === c.id) ?? { leads: 0, conversions: 0 };
    const budget = Number(c.budget);
    const money = revenue.filter((r) => r.campaignId === c.id);
    const received = money.find((r) => r.currency === c.currency)?.amount ?? 0;
    const profit = received - budget;
    return {
      campaignId: c.id,
      name: c.name,
      currency: c.currency,
      budget,
      leads: l.leads,
      conversions: l.conversions,
      contracts: contracts.find((x) => x.campaignId === c.id)?.contracts ?? 0,
      revenue: received,
      revenueOtherCurrencies: money
        .filter((r) => r.currency !== c.currency && r.amount > 0)
        .map((r) => ({ currency: r.currency, amount: r.amount }))
        .sort((a, b) => a.currency.localeCompare(b.currency)),
      costPerLead: l.leads > 0 ? divRound(budget, l.leads) : null,
      profit,
      roiBasisPoints: ratioBasisPoints(profit, budget),
      conversionRateBasisPoints: ratioBasisPoints(l.conversions, l.leads),
      profitable: profit > 0,
    };
  });
}

export const campaignService = {
  create(ctx: CrudContext, body: z.output<typeof NewCampaign>): Promise<CampaignRecord> {
    return guardRefCode(() =>
      ctx.scope.transaction(async (tx) => {
        const row = await insertCampaign(tx, {
          name: body.name,
          channel: body.channel,
          source: body.source ?? null,
          budget: body.budget,
          currency: body.currency,
          starts_at: body.startsAt ? new Date(body.startsAt) : null,
          ends_at: body.endsAt ? new Date(body.endsAt) : null,
          landing_url: body.landingUrl ?? null,
          ad_ids: uniqueIds(body.adIds),
          ref_code: body.refCode ?? null,
          notes: body.notes ?? null,
        });
        const rec = campaignRowToRecord(row);
        await writeAudit(tx, { table: 'campaigns', recordId: row.id, action: 'create', after: rec });
        return rec;
      }),
    );
  },

  list(ctx: CrudContext, q: CampaignFilters & PageQuery): Promise<Page<CampaignRecord>> {
    return listCampaigns(ctx.scope, q, ctx.now);
  },

  async get(ctx: CrudContext, id: string): Promise<CampaignRecord> {
    return campaignRowToRecord(await rowOf(ctx.scope, id));
  },

  update(ctx: CrudContext, id: string, patch: z.output<typeof CampaignPatch>): Promise<CampaignRecord> {
    return guardRefCode(() =>
      ctx.scope.transaction(async (tx) => {
        const before = campaignRowToRecord(await rowOf(tx, id));
        const v: CampaignValues = {};
        if (patch.name !== undefined) v.name = patch.name;
        if (patch.channel !== undefined) v.channel = patch.channel;
        if (patch.source !== undefined) v.source = patch.source;
        if (patch.budget !== undefined) v.budget = patch.budget;
        if (patch.currency !== undefined) v.currency = patch.currency;
        if (patch.startsAt !== undefined) v.starts_at = patch.startsAt ? new Date(patch.startsAt) : null;
        if (patch.endsAt !== undefined) v.ends_at = patch.endsAt ? new Date(patch.endsAt) : null;
        if (patch.landingUrl !== undefined) v.landing_url = patch.landingUrl;
        if (patch.adIds !== undefined) v.ad_ids = uniqueIds(patch.adIds);
        if (patch.refCode !== undefined) v.ref_code = patch.refCode;
        if (patch.notes !== undefined) v.notes = patch.notes;
        const starts = v.starts_at !== undefined ? v.starts_at : before.startsAt ? new Date(before.startsAt) : null;
        const ends = v.ends_at !== undefined ? v.ends_at : before.endsAt ? new Date(before.endsAt) : null;
        if (starts && ends && ends < starts) throw invalidField('endsAt', 'must not be before startsAt');
        await updateCampaign(tx, id, v, ctx.now);
        const after = campaignRowToRecord(await rowOf(tx, id));
        await writeAudit(tx, { table: 'campaigns', recordId: id, action: 'update', before, after });
        return after;
      }),
    );
  },

  /** Soft: its leads keep their campaignId and the figures stay readable in the audit. */
  remove(ctx: CrudContext, id: string): Promise<void> {
    return ctx.scope.transaction(async (tx) => {
      const before = campaignRowToRecord(await rowOf(tx, id));
      await updateCampaign(tx, id, { deleted_at: ctx.now }, ctx.now);
      await writeAudit(tx, { table: 'campaigns', recordId: id, action: 'delete', before });
    });
  },

  async stats(ctx: CrudContext, id: string): Promise<CampaignStatsRecord> {
    const [stats] = await campaignStats(ctx.scope, [await rowOf(ctx.scope, id)]);
    return stats!;
  },

  async statsList(ctx: CrudContext): Promise<{ items: CampaignStatsRecord[] }> {
    return { items: await campaignStats(ctx.scope, await listAllCampaigns(ctx.scope)) };
  },
};
