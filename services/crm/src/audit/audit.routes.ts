import { z } from 'zod';
import { access, type ApiRouter } from '../http/route';
import { pageSchema } from '../http/paging';
import { PageQuery } from '../http/paging';
import { listAudit } from './audit.repository';

export const AuditRecord = z
  .object({
    id: z.uuid(),
    table: z.string().meta({ example: 'contacts' }),
    recordId: z.string(),
    action: z.string().meta({ description: "'create' | 'update' | 'delete' or a verb such as 'merge', 'move'" }),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    actorId: z.uuid().nullable().meta({ description: 'null for the system (webhooks, jobs, API tokens)' }),
    at: z.iso.datetime(),
  })
  .meta({ id: 'AuditRecord' });

export const AuditQuery = z
  .object({
    table: z.string().min(1).optional(),
    recordId: z.string().min(1).optional(),
    actorId: z.uuid().optional(),
    action: z.string().min(1).optional(),
  })
  .extend(PageQuery.shape);

export function auditRoutes(api: ApiRouter): void {
  api.route({
    method: 'get',
    path: '/audit',
    access: access.can('audit', 'read'),
    summary: 'Audit log: who changed what, with the record before and after',
    tags: ['Audit'],
    query: AuditQuery,
    response: pageSchema(AuditRecord, 'AuditPage'),
    handler: (c) => listAudit(c.scope, c.query),
  });
}
