import { z } from 'zod';
import type { AuthContext, Resource, WorkspaceScope } from '@hub/shared/auth';
import { access, type ApiRouter } from './route';
import { PageQuery, pageSchema, type Page } from './paging';

// The contract's one behaviour for CRM resources, declared once:
//   POST /things → 201 record · GET /things?filters&cursor&limit → {items,nextCursor}
//   GET /things/:id · PATCH /things/:id (partial) → record · DELETE /things/:id → 204
// A resource supplies its schemas and a service with the operations it supports; permissions
// come from the matrix (resource × read/create/update/delete). Extra actions
// (POST /things/:id/verb) are declared with api.route() next to it — before crudRoutes() when
// their path could be taken for an :id (e.g. /things/stats).

/** What a CRUD operation gets: who calls, their workspace, the request's clock reading. */
export interface CrudContext {
  auth: AuthContext;
  scope: WorkspaceScope;
  now: Date;
}

export interface CrudService<Rec, Create, Update, Filters> {
  create?(ctx: CrudContext, body: Create): Promise<Rec>;
  list?(ctx: CrudContext, query: Filters & PageQuery): Promise<Page<Rec>>;
  get?(ctx: CrudContext, id: string): Promise<Rec>;
  update?(ctx: CrudContext, id: string, patch: Update): Promise<Rec>;
  remove?(ctx: CrudContext, id: string): Promise<void>;
}

export interface CrudDef<
  RecS extends z.ZodType,
  CreateS extends z.ZodType,
  UpdateS extends z.ZodType,
  FiltersS extends z.ZodObject,
> {
  /** Collection path, e.g. '/contacts'. */
  path: string;
  resource: Resource;
  tag: string;
  /** Singular noun for summaries, e.g. 'contact'. */
  noun: string;
  record: RecS;
  create?: CreateS;
  update?: UpdateS;
  filters?: FiltersS;
  /** Extra documented error answers for create/update, e.g. { 409: 'phone taken' }. */
  conflicts?: string;
  /** Whether DELETE keeps the row (soft delete) — only changes the docs. */
  softDelete?: boolean;
  service: CrudService<z.input<RecS>, z.output<CreateS>, z.output<UpdateS>, z.output<FiltersS>>;
}

export function crudRoutes<
  RecS extends z.ZodType,
  CreateS extends z.ZodType,
  UpdateS extends z.ZodType,
  FiltersS extends z.ZodObject,
>(api: ApiRouter, def: CrudDef<RecS, CreateS, UpdateS, FiltersS>): void {
  const { path, resource, noun, service } = def;
  const tags = [def.tag];
  const errors = def.conflicts ? { 409: def.conflicts } : {};
  const ctxOf = (c: CrudContext): CrudContext => ({ auth: c.auth, scope: c.scope, now: c.now });
  const recordName = (def.record.meta()?.id as string | undefined) ?? noun;

  if (service.list) {
    const list = service.list;
    const query = (def.filters ?? z.object({})).extend(PageQuery.shape);
    api.route({
      method: 'get',
      path,
      access: access.can(resource, 'read'),
      summary: `List ${noun}s`,
      tags,
      query,
      response: pageSchema(def.record, `${recordName}Page`),
      // The record type is checked by CrudService; TS cannot resolve the route's generic return here.
      handler: (c) => list(ctxOf(c), c.query as z.output<FiltersS> & PageQuery) as never,
    });
  }
  if (service.create && def.create) {
    const create = service.create;
    api.route({
      method: 'post',
      path,
      access: access.can(resource, 'create'),
      summary: `Create a ${noun}`,
      tags,
      body: def.create,
      status: 201,
      response: def.record,
      errors,
      // The record type is checked by CrudService; TS cannot resolve the route's generic return here.
      handler: (c) => create(ctxOf(c), c.body) as never,
    });
  }
  if (service.get) {
    const get = service.get;
    api.route({
      method: 'get',
      path: `${path}/:id`,
      access: access.can(resource, 'read'),
      summary: `Get a ${noun}`,
      tags,
      response: def.record,
      // The record type is checked by CrudService; TS cannot resolve the route's generic return here.
      handler: (c) => get(ctxOf(c), c.params.id!) as never,
    });
  }
  if (service.update && def.update) {
    const update = service.update;
    api.route({
      method: 'patch',
      path: `${path}/:id`,
      access: access.can(resource, 'update'),
      summary: `Change a ${noun} (partial)`,
      tags,
      body: def.update,
      response: def.record,
      errors,
      // The record type is checked by CrudService; TS cannot resolve the route's generic return here.
      handler: (c) => update(ctxOf(c), c.params.id!, c.body) as never,
    });
  }
  if (service.remove) {
    const remove = service.remove;
    api.route({
      method: 'delete',
      path: `${path}/:id`,
      access: access.can(resource, 'delete'),
      summary: def.softDelete ? `Delete a ${noun} (kept for history, hidden from lists)` : `Delete a ${noun}`,
      tags,
      status: 204,
      handler: (c) => remove(ctxOf(c), c.params.id!),
    });
  }
}
