import { sql } from 'kysely';
import type { z } from 'zod';
import { visibleWhere, type AssigneeVisibility, type WorkspaceScope } from '@hub/shared/auth';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';
import type { Consultation } from './consultation.schemas';

// Consultations ("consultas": customer questions) are not a table of their own: they are the
// support side of the inbox model, read through one query —
//   a live lead whose caseType is 'support' or whose funnel is of kind 'support'
//   + its conversation (channel, status) when it has one.
// Status mapping: the conversation's `resolved` → resolved; `open`/`pending` → pending. A lead
// without a conversation is resolved once won/lost/discarded, pending before.

export type ConsultationRecord = z.output<typeof Consultation>;

const resolvedSql = sql<boolean>`(case when conversations.id is not null then conversations.status = 'resolved'
  else leads.status in ('won', 'lost', 'discarded') end)`;

export interface ConsultationFilters {
  status?: 'pending' | 'resolved' | undefined;
  assigneeId?: string | undefined;
  contactId?: string | undefined;
}

export async function listConsultations(
  scope: WorkspaceScope,
  vis: AssigneeVisibility,
  f: ConsultationFilters & PageQuery,
): Promise<Page<ConsultationRecord>> {
  let q = scope
    .selectFrom('leads')
    .innerJoin('contacts', 'contacts.id', 'leads.contact_id')
    .leftJoin('conversations', 'conversations.id', 'leads.conversation_id')
    .leftJoin('channels', 'channels.id', 'conversations.channel_id')
    .leftJoin('funnels', 'funnels.id', 'leads.funnel_id')
    .select([
      'leads.id as id',
      'leads.contact_id as contact_id',
      'contacts.name as contact_name',
      'contacts.phone as contact_phone',
      'leads.conversation_id as conversation_id',
      'conversations.status as conversation_status',
      'conversations.channel_id as channel_id',
      'channels.type as channel_type',
      'leads.status as lead_status',
      'leads.funnel_id as funnel_id',
      'leads.stage_id as stage_id',
      'leads.assignee_id as assignee_id',
      'leads.notes as notes',
      sql<Date>`coalesce(conversations.last_activity_at, leads.updated_at)`.as('last_activity_at'),
      'leads.created_at as created_at',
      resolvedSql.as('resolved'),
    ])
    .select(cursorColumn('leads.created_at'))
    .where('leads.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('leads.case_type', '=', 'support'), eb('funnels.kind', '=', 'support')]))
    .where((eb) => visibleWhere(eb, 'leads.assignee_id', vis));
  if (f.status === 'resolved') q = q.where(resolvedSql);
  if (f.status === 'pending') q = q.where(sql<boolean>`not ${resolvedSql}`);
  if (f.assigneeId) q = q.where('leads.assignee_id', '=', f.assigneeId);
  if (f.contactId) q = q.where('leads.contact_id', '=', f.contactId);
  const rows = await keysetPage(q, f, 'leads.created_at', 'leads.id').execute();
  return toPage(rows, f, (r) => ({
    id: r.id,
    leadId: r.id,
    contact: { id: r.contact_id, name: r.contact_name, phone: r.contact_phone },
    conversationId: r.conversation_id,
    channel: r.channel_id && r.channel_type ? { id: r.channel_id, type: r.channel_type } : null,
    status: r.resolved ? 'resolved' : 'pending',
    conversationStatus: (r.conversation_status as ConsultationRecord['conversationStatus']) ?? null,
    leadStatus: r.lead_status,
    funnelId: r.funnel_id,
    stageId: r.stage_id,
    assigneeId: r.assignee_id,
    notes: r.notes,
    lastActivityAt: new Date(r.last_activity_at).toISOString(),
    createdAt: r.created_at.toISOString(),
  }));
}
