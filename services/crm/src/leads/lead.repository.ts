import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { CaseType, Lead, LeadSource, LeadStatus } from './lead.schemas';
import { visibleWhere, type AssigneeVisibility, type WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';

export type LeadRow = Selectable<DB['leads']>;
type LeadWithContact = LeadRow & { contact_name: string; contact_phone: string | null };

export type LeadRecord = z.output<typeof Lead>;

export function leadRowToRecord(row: LeadWithContact): LeadRecord {
  return {
    id: row.id,
    contactId: row.contact_id,
    contact: { id: row.contact_id, name: row.contact_name, phone: row.contact_phone },
    conversationId: row.conversation_id,
    source: row.source as LeadSource,
    caseType: row.case_type as z.output<typeof CaseType> | null,
    status: row.status as z.output<typeof LeadStatus>,
    value: row.value === null ? null : Number(row.value),
    currency: row.currency,
    assigneeId: row.assignee_id,
    campaignId: row.campaign_id,
    funnelId: row.funnel_id,
    stageId: row.stage_id,
    stageEnteredAt: row.stage_entered_at?.toISOString() ?? null,
    notes: row.notes,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Live leads the caller may see, with their contact's name and phone. */
function visibleLeads(scope: WorkspaceScope, vis: AssigneeVisibility) {
  return scope
    .selectFrom('leads')
    .innerJoin('contacts', (j) =>
      j.onRef('contacts.id', '=', 'leads.contact_id').onRef('contacts.workspace_id', '=', 'leads.workspace_id'),
    )
    .selectAll('leads')
    .select(['contacts.name as contact_name', 'contacts.phone as contact_phone'])
    .where('leads.deleted_at', 'is', null)
    .where((eb) => visibleWhere(eb, 'leads.assignee_id', vis));
}

export function findLead(
  scope: WorkspaceScope,
  id: string,
  vis: AssigneeVisibility,
): Promise<LeadWithContact | undefined> {
  return visibleLeads(scope, vis).where('leads.id', '=', id).executeTakeFirst();
}

export type LeadValues = Partial<
  Pick<
    LeadRow,
    | 'contact_id'
    | 'conversation_id'
    | 'source'
    | 'case_type'
    | 'status'
    | 'value'
    | 'currency'
    | 'assignee_id'
    | 'campaign_id'
    | 'funnel_id'
    | 'stage_id'
    | 'stage_entered_at'
    | 'notes'
    | 'deleted_at'
  >
>;

export function insertLead(
  scope: WorkspaceScope,
  values: LeadValues & { contact_id: string; source: string },
): Promise<LeadRow> {
  return scope.insertInto('leads', values).returningAll().executeTakeFirstOrThrow();
}

/** The conversation's lead, inserted once however often it is asked for (unique index). */
export async function insertLeadForConversation(
  scope: WorkspaceScope,
  values: LeadValues & { contact_id: string; source: string; conversation_id: string },
): Promise<LeadRow | undefined> {
  return scope
    .insertInto('leads', values)
    .onConflict((oc) =>
      oc.column('conversation_id').where('conversation_id', 'is not', null).where('deleted_at', 'is', null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

export function findLeadByConversation(scope: WorkspaceScope, conversationId: string): Promise<LeadRow | undefined> {
  return scope
    .selectFrom('leads')
    .selectAll()
    .where('leads.conversation_id', '=', conversationId)
    .where('leads.deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function updateLead(scope: WorkspaceScope, id: string, values: LeadValues, now: Date): Promise<void> {
  await scope
    .updateTable('leads')
    .set({ ...values, updated_at: now })
    .where('leads.id', '=', id)
    .execute();
}

export interface LeadFilters {
  status?: string | undefined;
  source?: string | undefined;
  caseType?: string | undefined;
  assigneeId?: string | undefined;
  contactId?: string | undefined;
  conversationId?: string | undefined;
  campaignId?: string | undefined;
  funnelId?: string | undefined;
  stageId?: string | undefined;
}

export async function listLeads(
  scope: WorkspaceScope,
  vis: AssigneeVisibility,
  f: LeadFilters & PageQuery,
): Promise<Page<LeadRecord>> {
  let q = visibleLeads(scope, vis).select(cursorColumn('leads.created_at'));
  if (f.status) q = q.where('leads.status', '=', f.status);
  if (f.source) q = q.where('leads.source', '=', f.source);
  if (f.caseType) q = q.where('leads.case_type', '=', f.caseType);
  if (f.assigneeId === 'none') q = q.where('leads.assignee_id', 'is', null);
  else if (f.assigneeId) q = q.where('leads.assignee_id', '=', f.assigneeId);
  if (f.contactId) q = q.where('leads.contact_id', '=', f.contactId);
  if (f.conversationId) q = q.where('leads.conversation_id', '=', f.conversationId);
  if (f.campaignId) q = q.where('leads.campaign_id', '=', f.campaignId);
  if (f.funnelId) q = q.where('leads.funnel_id', '=', f.funnelId);
  if (f.stageId) q = q.where('leads.stage_id', '=', f.stageId);
  const rows = await keysetPage(q, f, 'leads.created_at', 'leads.id').execute();
  return toPage(rows, f, leadRowToRecord);
}

export type LeadGroupColumn = 'status' | 'source' | 'case_type' | 'assignee_id';

/** Counts of visible leads grouped by one column. */
export async function countLeadsBy(
  scope: WorkspaceScope,
  vis: AssigneeVisibility,
  column: LeadGroupColumn,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<{ key: string | null; n: number }[]> {
  let q = scope
    .selectFrom('leads')
    .select([sql<string | null>`${sql.ref(`leads.${column}`)}`.as('key'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('leads.deleted_at', 'is', null)
    .where((eb) => visibleWhere(eb, 'leads.assignee_id', vis));
  if (range.from) q = q.where('leads.created_at', '>=', new Date(range.from));
  if (range.to) q = q.where('leads.created_at', '<', new Date(range.to));
  const rows = await q.groupBy(sql.ref(`leads.${column}`)).execute();
  return rows.map((r) => ({ key: r.key, n: Number(r.n) }));
}

// --- Stage history ---

/** Closes the lead's open stay (if any) and opens one in `stageId`. */
export async function enterStage(
  scope: WorkspaceScope,
  lead: { id: string; stage_id: string | null },
  to: { funnelId: string; stageId: string },
  now: Date,
): Promise<void> {
  await scope
    .updateTable('stage_history')
    .set({ left_at: now })
    .where('stage_history.lead_id', '=', lead.id)
    .where('stage_history.left_at', 'is', null)
    .execute();
  await scope
    .insertInto('stage_history', {
      lead_id: lead.id,
      funnel_id: to.funnelId,
      stage_id: to.stageId,
      from_stage_id: lead.stage_id,
      entered_at: now,
      actor_id: scope.actorId,
    })
    .execute();
}

export interface StageStay {
  funnelId: string;
  stageId: string;
  fromStageId: string | null;
  enteredAt: string;
  leftAt: string | null;
  actorId: string | null;
}

export async function stageHistoryOf(scope: WorkspaceScope, leadId: string): Promise<StageStay[]> {
  const rows = await scope
    .selectFrom('stage_history')
    .selectAll()
    .where('stage_history.lead_id', '=', leadId)
    .orderBy('stage_history.entered_at')
    .orderBy('stage_history.id')
    .execute();
  return rows.map((r) => ({
    funnelId: r.funnel_id,
    stageId: r.stage_id,
    fromStageId: r.from_stage_id,
    enteredAt: r.entered_at.toISOString(),
    leftAt: r.left_at?.toISOString() ?? null,
    actorId: r.actor_id,
  }));
}
