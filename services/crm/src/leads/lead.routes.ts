import { z } from 'zod';
import { access, type ApiRouter } from '../http/route';
import { crudRoutes } from '../http/crud';
import {
  Lead,
  LeadAssign,
  LeadFilters,
  LeadIntake,
  LeadIntakeResult,
  LeadMove,
  LeadPatch,
  LeadStats,
  LeadStatsQuery,
  LeadStatusChange,
  NewLead,
} from './lead.schemas';
import { leadService } from './lead.service';

const StageStay = z
  .object({
    funnelId: z.uuid(),
    stageId: z.uuid(),
    fromStageId: z.uuid().nullable(),
    enteredAt: z.iso.datetime(),
    leftAt: z.iso.datetime().nullable(),
    actorId: z.uuid().nullable(),
  })
  .meta({ id: 'StageStay' });

export function leadRoutes(api: ApiRouter): void {
  const tags = ['Leads'];
  api.route({
    method: 'post',
    path: '/leads/intake',
    access: access.apiToken,
    summary: 'Take a lead from outside (web forms, ad platforms)',
    description: 'An existing contact with the same phone is reused; otherwise one is created.',
    tags,
    body: LeadIntake,
    status: 201,
    response: LeadIntakeResult,
    handler: (c) => leadService.intake(c.scope, c.body, c.now),
  });
  api.route({
    method: 'get',
    path: '/leads/stats',
    access: access.can('leads', 'read'),
    summary: 'Lead counts by status, source, case type and assignee',
    tags,
    query: LeadStatsQuery,
    response: LeadStats,
    handler: (c) => leadService.stats(c, c.query),
  });
  api.route({
    method: 'post',
    path: '/leads/:id/status',
    access: access.can('leads', 'update'),
    summary: 'Change a lead’s status',
    tags,
    body: LeadStatusChange,
    response: Lead,
    handler: (c) => leadService.setStatus(c, c.params.id!, c.body.status),
  });
  api.route({
    method: 'post',
    path: '/leads/:id/assign',
    access: access.can('leads', 'assign'),
    summary: 'Assign a lead to a user (or unassign with null)',
    tags,
    body: LeadAssign,
    response: Lead,
    handler: (c) => leadService.assign(c, c.params.id!, c.body.assigneeId),
  });
  api.route({
    method: 'post',
    path: '/leads/:id/move',
    access: access.can('leads', 'update'),
    summary: 'Move a lead to a funnel stage (kept in its stage history)',
    tags,
    body: LeadMove,
    response: Lead,
    handler: (c) => leadService.move(c, c.params.id!, c.body.stageId),
  });
  api.route({
    method: 'get',
    path: '/leads/:id/history',
    access: access.can('leads', 'read'),
    summary: 'The stages a lead went through, oldest first',
    tags,
    response: z.object({ items: z.array(StageStay) }),
    handler: (c) => leadService.history(c, c.params.id!),
  });
  crudRoutes(api, {
    path: '/leads',
    resource: 'leads',
    tag: 'Leads',
    noun: 'lead',
    record: Lead,
    create: NewLead,
    update: LeadPatch,
    filters: LeadFilters,
    softDelete: true,
    conflicts: 'The conversation already has a lead (conversation_has_lead).',
    service: leadService,
  });
}
