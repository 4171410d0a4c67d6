import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';
import type { Campaign, CampaignChannel } from './campaign.schemas';

export type CampaignRow = Selectable<DB['campaigns']>;
export type CampaignRecord = z.output<typeof Campaign>;

export function campaignRowToRecord(row: CampaignRow): CampaignRecord {
  return {
    id: row.id,
    name: row.name,
    channel: row.channel as z.output<typeof CampaignChannel>,
    source: row.source,
    budget: Number(row.budget),
    currency: row.currency,
    startsAt: row.starts_at?.toISOString() ?? null,
    endsAt: row.ends_at?.toISOString() ?? null,
    landingUrl: row.landing_url,
    adIds: row.ad_ids,
    refCode: row.ref_code,
    notes: row.notes,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function liveCampaigns(scope: WorkspaceScope) {
  return scope.selectFrom('campaigns').selectAll('campaigns').where('campaigns.deleted_at', 'is', null);
}

export function findCampaign(scope: WorkspaceScope, id: string): Promise<CampaignRow | undefined> {
  return liveCampaigns(scope).where('campaigns.id', '=', id).executeTakeFirst();
}

export function listAllCampaigns(scope: WorkspaceScope): Promise<CampaignRow[]> {
  return liveCampaigns(scope).orderBy('campaigns.created_at', 'desc').orderBy('campaigns.id', 'desc').execute();
}

/** The live campaign that lists this ad id, if any (newest first when several do). */
export function findCampaignByAdId(scope: WorkspaceScope, adId: string): Promise<CampaignRow | undefined> {
  return liveCampaigns(scope)
    .where(sql<boolean>`${adId} = any(campaigns.ad_ids)`)
    .orderBy('campaigns.created_at', 'desc')
    .executeTakeFirst();
}

export function findCampaignByRefCode(scope: WorkspaceScope, refCode: string): Promise<CampaignRow | undefined> {
  return liveCampaigns(scope).where('campaigns.ref_code', '=', refCode).executeTakeFirst();
}

export type CampaignValues = Partial<
  Pick<
    CampaignRow,
    | 'name'
    | 'channel'
    | 'source'
    | 'budget'
    | 'currency'
    | 'starts_at'
    | 'ends_at'
    | 'landing_url'
    | 'ad_ids'
    | 'ref_code'
    | 'notes'
    | 'deleted_at'
  >
>;

export function insertCampaign(
  scope: WorkspaceScope,
  values: CampaignValues & { name: string; channel: string; currency: string; budget: number },
): Promise<CampaignRow> {
  return scope.insertInto('campaigns', values).returningAll().executeTakeFirstOrThrow();
}

export async function updateCampaign(
  scope: WorkspaceScope,
  id: string,
  values: CampaignValues,
  now: Date,
): Promise<void> {
  await scope
    .updateTable('campaigns')
    .set({ ...values, updated_at: now })
    .where('campaigns.id', '=', id)
    .execute();
}

export interface CampaignFilters {
  channel?: string | undefined;
  active?: boolean | undefined;
}

export async function listCampaigns(
  scope: WorkspaceScope,
  f: CampaignFilters & PageQuery,
  now: Date,
): Promise<Page<CampaignRecord>> {
  let q = liveCampaigns(scope).select(cursorColumn('campaigns.created_at'));
  if (f.channel) q = q.where('campaigns.channel', '=', f.channel);
  if (f.active !== undefined) {
    const running = sql<boolean>`((campaigns.starts_at is null or campaigns.starts_at <= ${now})
      and (campaigns.ends_at is null or campaigns.ends_at > ${now}))`;
    q = q.where(f.active ? running : sql<boolean>`not ${running}`);
  }
  const rows = await keysetPage(q, f, 'campaigns.created_at', 'campaigns.id').execute();
  return toPage(rows, f, campaignRowToRecord);
}

// --- Figures for the statistics (see campaign.service.ts for how they combine) ---

export interface LeadFigures {
  campaignId: string;
  leads: number;
  conversions: number;
}

/** Live leads per campaign, and how many of them were won. */
export async function leadFigures(scope: WorkspaceScope, campaignIds: string[]): Promise<LeadFigures[]> {
  if (campaignIds.length === 0) return [];
  const rows = await scope
    .selectFrom('leads')
    .select([
      'leads.campaign_id as campaign_id',
      sql<number>`count(*)::int`.as('leads'),
      sql<number>`(count(*) filter (where leads.status = 'won'))::int`.as('conversions'),
    ])
    .where('leads.campaign_id', 'in', campaignIds)
    .where('leads.deleted_at', 'is', null)
    .groupBy('leads.campaign_id')
    .execute();
  return rows.map((r) => ({ campaignId: r.campaign_id!, leads: Number(r.leads), conversions: Number(r.conversions) }));
}

/**
 * Signed contracts per campaign (through the contract's lead). A lead deleted after it
 * signed still counts: the contract and its money were real.
 */
export async function contractFigures(
  scope: WorkspaceScope,
  campaignIds: string[],
): Promise<{ campaignId: string; contracts: number }[]> {
  if (campaignIds.length === 0) return [];
  const rows = await scope
    .selectFrom('contracts')
    .innerJoin('leads', 'leads.id', 'contracts.lead_id')
    .select(['leads.campaign_id as campaign_id', sql<number>`count(*)::int`.as('contracts')])
    .where('leads.campaign_id', 'in', campaignIds)
    .where('contracts.status', '=', 'signed')
    .where('contracts.deleted_at', 'is', null)
    .groupBy('leads.campaign_id')
    .execute();
  return rows.map((r) => ({ campaignId: r.campaign_id!, contracts: Number(r.contracts) }));
}

/** Money received per campaign and currency: payments on the not-void invoices of its leads. */
export async function revenueFigures(
  scope: WorkspaceScope,
  campaignIds: string[],
): Promise<{ campaignId: string; currency: string; amount: number }[]> {
  if (campaignIds.length === 0) return [];
  const rows = await scope
    .selectFrom('invoices')
    .innerJoin('leads', 'leads.id', 'invoices.lead_id')
    .select([
      'leads.campaign_id as campaign_id',
      'invoices.currency as currency',
      sql<number>`coalesce(sum(invoices.amount_paid), 0)::bigint`.as('amount'),
    ])
    .where('leads.campaign_id', 'in', campaignIds)
    .where('invoices.status', '<>', 'void')
    .groupBy(['leads.campaign_id', 'invoices.currency'])
    .execute();
  return rows.map((r) => ({ campaignId: r.campaign_id!, currency: r.currency, amount: Number(r.amount) }));
}

/** Meta's click id of the ad that brought the lead (for reporting the conversion back). */
export async function setLeadCtwaClid(scope: WorkspaceScope, leadId: string, clid: string): Promise<void> {
  await scope.updateTable('leads').set({ ctwa_clid: clid }).where('leads.id', '=', leadId).execute();
}
