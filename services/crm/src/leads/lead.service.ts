import {
  assignedRowScope,
  assigneeVisibility,
  isAllowed,
  visibilitySettingsOf,
  type AssigneeVisibility,
  type WorkspaceScope,
} from '@hub/shared/auth';
import { AppError, notFound } from '@hub/shared/errors';
import type { z } from 'zod';
import { writeAudit } from '../audit/audit.repository';
import { findContact, findContactByPhone, insertContact } from '../contacts/contact.repository';
import { normalizeContactPhone } from '../contacts/contact.service';
import { defaultFunnelStage, findFunnel, findStage, stagesOf } from '../funnels/funnel.repository';
import type { CrudContext } from '../http/crud';
import { isUniqueViolation } from '../http/db-errors';
import type { Page, PageQuery } from '../http/paging';
import { findUser } from '../users/user.repository';
import { caseTypes, leadSources, leadStatuses, type LeadIntake, type LeadPatch, type NewLead } from './lead.schemas';
import {
  countLeadsBy,
  enterStage,
  findLead,
  leadRowToRecord,
  listLeads,
  stageHistoryOf,
  updateLead,
  insertLead,
  type LeadFilters,
  type LeadRecord,
  type LeadValues,
} from './lead.repository';

const ALL: AssigneeVisibility = { kind: 'all' };

/** What the caller may see of assigned work (the one rule in @hub/shared/auth/visibility). */
async function visibilityOf(ctx: CrudContext): Promise<AssigneeVisibility> {
  if (assignedRowScope[ctx.auth.role] === 'all') return ALL;
  return assigneeVisibility(ctx.auth, visibilitySettingsOf((await ctx.scope.workspace()).settings));
}

const invalid = (field: string, message: string) =>
  new AppError('validation_failed', 'validation_failed', `invalid ${field}`, [{ field, message }]);

async function recordOf(scope: WorkspaceScope, id: string, vis: AssigneeVisibility = ALL): Promise<LeadRecord> {
  const row = await findLead(scope, id, vis);
  if (!row) throw notFound('lead');
  return leadRowToRecord(row);
}

async function assertContact(tx: WorkspaceScope, contactId: string): Promise<void> {
  if (!(await findContact(tx, contactId))) throw invalid('contactId', 'no such contact');
}

async function assertAssignee(tx: WorkspaceScope, userId: string): Promise<void> {
  const u = await findUser(tx, userId);
  if (!u || !u.active) throw invalid('assigneeId', 'no such active user in this workspace');
}

/** Where a new lead starts: the stage named, the first stage of the funnel named, or the default funnel. */
async function startingStage(
  tx: WorkspaceScope,
  input: { funnelId?: string | undefined; stageId?: string | undefined; caseType?: string | null | undefined },
): Promise<{ funnelId: string; stageId: string } | undefined> {
  if (input.stageId) {
    const stage = await findStage(tx, input.stageId);
    const funnel = stage && (await findFunnel(tx, stage.funnel_id));
    if (!stage || !funnel) throw invalid('stageId', 'no such stage');
    if (input.funnelId && input.funnelId !== stage.funnel_id) throw invalid('stageId', 'not a stage of funnelId');
    return { funnelId: stage.funnel_id, stageId: stage.id };
  }
  if (input.funnelId) {
    const funnel = await findFunnel(tx, input.funnelId);
    if (!funnel) throw invalid('funnelId', 'no such funnel');
    const first = (await stagesOf(tx, [funnel.id]))[0];
    if (!first) throw invalid('funnelId', 'the funnel has no stages');
    return { funnelId: funnel.id, stageId: first.id };
  }
  return defaultFunnelStage(tx, input.caseType === 'support' ? 'support' : 'sales');
}

/** Inserts a lead, enters its first stage and audits it — inside the caller's transaction. */
async function insertLeadTx(
  tx: WorkspaceScope,
  values: LeadValues & { contact_id: string; source: string },
  start: { funnelId: string; stageId: string } | undefined,
  now: Date,
): Promise<LeadRecord> {
  const row = await insertLead(tx, {
    ...values,
    ...(start ? { funnel_id: start.funnelId, stage_id: start.stageId, stage_entered_at: now } : {}),
  });
  if (start) await enterStage(tx, { id: row.id, stage_id: null }, start, now);
  const rec = await recordOf(tx, row.id);
  await writeAudit(tx, { table: 'leads', recordId: row.id, action: 'create', after: rec });
  return rec;
}

function conversationTaken(err: unknown): never {
  if (isUniqueViolation(err, 'leads_conversation_key')) {
    throw new AppError('conflict', 'conversation_has_lead', 'this conversation already has a lead', [
      { field: 'conversationId', message: 'already has a lead' },
    ]);
  }
  throw err;
}

export const leadService = {
  async create(ctx: CrudContext, body: z.output<typeof NewLead>): Promise<LeadRecord> {
    const mayAssign = isAllowed(ctx.auth.role, 'leads', 'assign');
    let assignee = body.assigneeId ?? null;
    if (assignee && assignee !== ctx.auth.userId && !mayAssign) {
      throw new AppError('forbidden', 'forbidden', `role ${ctx.auth.role} may only create leads for itself`);
    }
    // An agent's own lead is its own: otherwise it could vanish from its view at once.
    if (body.assigneeId === undefined && assignedRowScope[ctx.auth.role] === 'own') assignee = ctx.auth.userId;
    return ctx.scope
      .transaction(async (tx) => {
        await assertContact(tx, body.contactId);
        if (assignee) await assertAssignee(tx, assignee);
        const start = await startingStage(tx, body);
        return insertLeadTx(
          tx,
          {
            contact_id: body.contactId,
            conversation_id: body.conversationId ?? null,
            source: body.source,
            case_type: body.caseType ?? null,
            status: body.status,
            value: body.value ?? null,
            currency: body.currency ?? null,
            assignee_id: assignee,
            campaign_id: body.campaignId ?? null,
            notes: body.notes ?? null,
          },
          start,
          ctx.now,
        );
      })
      .catch(conversationTaken);
  },

  async list(ctx: CrudContext, q: LeadFilters & PageQuery): Promise<Page<LeadRecord>> {
    return listLeads(ctx.scope, await visibilityOf(ctx), q);
  },

  async get(ctx: CrudContext, id: string): Promise<LeadRecord> {
    return recordOf(ctx.scope, id, await visibilityOf(ctx));
  },

  async update(ctx: CrudContext, id: string, patch: z.output<typeof LeadPatch>): Promise<LeadRecord> {
    const vis = await visibilityOf(ctx);
    return ctx.scope
      .transaction(async (tx) => {
        const before = await recordOf(tx, id, vis);
        const values: LeadValues = {};
        if (patch.contactId !== undefined) {
          await assertContact(tx, patch.contactId);
          values.contact_id = patch.contactId;
        }
        if (patch.conversationId !== undefined) values.conversation_id = patch.conversationId;
        if (patch.source !== undefined) values.source = patch.source;
        if (patch.caseType !== undefined) values.case_type = patch.caseType;
        if (patch.value !== undefined) values.value = patch.value;
        if (patch.currency !== undefined) values.currency = patch.currency;
        if (patch.campaignId !== undefined) values.campaign_id = patch.campaignId;
        if (patch.notes !== undefined) values.notes = patch.notes;
        const value = values.value !== undefined ? values.value : before.value;
        const currency = values.currency !== undefined ? values.currency : before.currency;
        if (value !== null && !currency) throw invalid('currency', 'is required with a value');
        await updateLead(tx, id, values, ctx.now);
        const after = await recordOf(tx, id);
        await writeAudit(tx, { table: 'leads', recordId: id, action: 'update', before, after });
        return after;
      })
      .catch(conversationTaken);
  },

  async remove(ctx: CrudContext, id: string): Promise<void> {
    const vis = await visibilityOf(ctx);
    await ctx.scope.transaction(async (tx) => {
      const before = await recordOf(tx, id, vis);
      await updateLead(tx, id, { deleted_at: ctx.now }, ctx.now);
      await writeAudit(tx, { table: 'leads', recordId: id, action: 'delete', before });
    });
  },

  async setStatus(ctx: CrudContext, id: string, status: string): Promise<LeadRecord> {
    const vis = await visibilityOf(ctx);
    return ctx.scope.transaction(async (tx) => {
      const before = await recordOf(tx, id, vis);
      if (before.status === status) return before;
      await updateLead(tx, id, { status }, ctx.now);
      const after = await recordOf(tx, id);
      await writeAudit(tx, { table: 'leads', recordId: id, action: 'update', before, after });
      return after;
    });
  },

  async assign(ctx: CrudContext, id: string, assigneeId: string | null): Promise<LeadRecord> {
    const vis = await visibilityOf(ctx);
    return ctx.scope.transaction(async (tx) => {
      const before = await recordOf(tx, id, vis);
      if (assigneeId) await assertAssignee(tx, assigneeId);
      if (before.assigneeId === assigneeId) return before;
      await updateLead(tx, id, { assignee_id: assigneeId }, ctx.now);
      const after = await recordOf(tx, id);
      await writeAudit(tx, { table: 'leads', recordId: id, action: 'update', before, after });
      return after;
    });
  },

  /** Moves a lead to a stage (of its funnel or another one), closing its stay in the current one. */
  async move(ctx: CrudContext, id: string, stageId: string): Promise<LeadRecord> {
    const vis = await visibilityOf(ctx);
    return ctx.scope.transaction(async (tx) => {
      const before = await recordOf(tx, id, vis);
      const stage = await findStage(tx, stageId);
      if (!stage || !(await findFunnel(tx, stage.funnel_id))) throw invalid('stageId', 'no such stage');
      if (before.stageId === stage.id) return before;
      await enterStage(tx, { id, stage_id: before.stageId }, { funnelId: stage.funnel_id, stageId: stage.id }, ctx.now);
      await updateLead(tx, id, { funnel_id: stage.funnel_id, stage_id: stage.id, stage_entered_at: ctx.now }, ctx.now);
      const after = await recordOf(tx, id);
      await writeAudit(tx, { table: 'leads', recordId: id, action: 'update', before, after });
      return after;
    });
  },

  async history(ctx: CrudContext, id: string) {
    const vis = await visibilityOf(ctx);
    await recordOf(ctx.scope, id, vis);
    return { items: await stageHistoryOf(ctx.scope, id) };
  },

  async stats(ctx: CrudContext, range: { from?: string | undefined; to?: string | undefined }) {
    const vis = await visibilityOf(ctx);
    const [byStatus, bySource, byCaseType, byAssignee] = await Promise.all([
      countLeadsBy(ctx.scope, vis, 'status', range),
      countLeadsBy(ctx.scope, vis, 'source', range),
      countLeadsBy(ctx.scope, vis, 'case_type', range),
      countLeadsBy(ctx.scope, vis, 'assignee_id', range),
    ]);
    const tally = <K extends string>(keys: readonly K[], rows: { key: string | null; n: number }[], nullKey?: K) =>
      Object.fromEntries(
        keys.map((k) => [k, rows.filter((r) => (r.key ?? nullKey) === k).reduce((s, r) => s + r.n, 0)]),
      ) as Record<K, number>;
    return {
      total: byStatus.reduce((s, r) => s + r.n, 0),
      byStatus: tally(leadStatuses, byStatus),
      bySource: tally(leadSources, bySource),
      byCaseType: tally([...caseTypes, 'none'] as const, byCaseType, 'none'),
      byAssignee: byAssignee
        .map((r) => ({ assigneeId: r.key, count: r.n }))
        .sort((a, b) => b.count - a.count || String(a.assigneeId).localeCompare(String(b.assigneeId))),
    };
  },

  /** Public intake (web forms, ad platforms) with a workspace API token: no user behind it. */
  async intake(
    scope: WorkspaceScope,
    body: z.output<typeof LeadIntake>,
    now: Date,
  ): Promise<{ leadId: string; contactId: string }> {
    const run = () =>
      scope.transaction(async (tx) => {
        const phone = await normalizeContactPhone(tx, body.phone, undefined);
        let contact = await findContactByPhone(tx, phone.e164);
        if (!contact) {
          contact = await insertContact(tx, {
            name: body.name,
            phone: phone.e164,
            email: body.email?.toLowerCase() ?? null,
            country: phone.country ?? null,
          });
          await writeAudit(tx, {
            table: 'contacts',
            recordId: contact.id,
            action: 'create',
            after: {
              id: contact.id,
              name: contact.name,
              phone: contact.phone,
              email: contact.email,
              country: contact.country,
            },
          });
        }
        const start = await startingStage(tx, { caseType: body.caseType });
        const lead = await insertLeadTx(
          tx,
          {
            contact_id: contact.id,
            source: body.source,
            case_type: body.caseType ?? null,
            campaign_id: body.campaignId ?? null,
            notes: body.notes ?? null,
          },
          start,
          now,
        );
        return { leadId: lead.id, contactId: contact.id };
      });
    try {
      return await run();
    } catch (err) {
      // Two forms with a new phone at once: the second finds the first one's contact on retry.
      if (isUniqueViolation(err, 'contacts_phone_key')) return run();
      throw err;
    }
  },
};
