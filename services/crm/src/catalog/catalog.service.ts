import type { WorkspaceScope } from '@hub/shared/auth';
import { notFound } from '@hub/shared/errors';
import type { z } from 'zod';
import { writeAudit } from '../audit/audit.repository';
import type { CrudContext } from '../http/crud';
import type { Page, PageQuery } from '../http/paging';
import type { NewService, ServicePatch } from './catalog.schemas';
import {
  findService,
  insertService,
  listServices,
  serviceRowToRecord,
  updateService,
  type ServiceFilters,
  type ServiceRecord,
  type ServiceValues,
} from './catalog.repository';

async function recordOf(scope: WorkspaceScope, id: string): Promise<ServiceRecord> {
  const row = await findService(scope, id);
  if (!row) throw notFound('service');
  return serviceRowToRecord(row);
}

export const catalogService = {
  create(ctx: CrudContext, body: z.output<typeof NewService>): Promise<ServiceRecord> {
    return ctx.scope.transaction(async (tx) => {
      const row = await insertService(tx, {
        name: body.name,
        description: body.description ?? null,
        price: body.price,
        currency: body.currency,
        active: body.active,
      });
      const rec = await recordOf(tx, row.id);
      await writeAudit(tx, { table: 'services', recordId: row.id, action: 'create', after: rec });
      return rec;
    });
  },

  list(ctx: CrudContext, q: ServiceFilters & PageQuery): Promise<Page<ServiceRecord>> {
    return listServices(ctx.scope, q);
  },

  get(ctx: CrudContext, id: string): Promise<ServiceRecord> {
    return recordOf(ctx.scope, id);
  },

  update(ctx: CrudContext, id: string, patch: z.output<typeof ServicePatch>): Promise<ServiceRecord> {
    return ctx.scope.transaction(async (tx) => {
      const before = await recordOf(tx, id);
      const values: ServiceValues = {};
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.description !== undefined) values.description = patch.description;
      if (patch.price !== undefined) values.price = patch.price;
      if (patch.currency !== undefined) values.currency = patch.currency;
      if (patch.active !== undefined) values.active = patch.active;
      await updateService(tx, id, values, ctx.now);
      const after = await recordOf(tx, id);
      await writeAudit(tx, { table: 'services', recordId: id, action: 'update', before, after });
      return after;
    });
  },

  /** Soft: quote lines keep pointing at it, and the contracts-signed figure stays true. */
  remove(ctx: CrudContext, id: string): Promise<void> {
    return ctx.scope.transaction(async (tx) => {
      const before = await recordOf(tx, id);
      await updateService(tx, id, { deleted_at: ctx.now, active: false }, ctx.now);
      await writeAudit(tx, { table: 'services', recordId: id, action: 'delete', before });
    });
  },
};
