import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';
import { escapeLike } from '../users/user.repository';
import type { Service } from './catalog.schemas';

export type ServiceRow = Selectable<DB['services']>;
export type ServiceRecord = z.output<typeof Service>;
type ServiceWithCount = ServiceRow & { contracts_signed: number };

export function serviceRowToRecord(row: ServiceWithCount): ServiceRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    price: Number(row.price),
    currency: row.currency,
    active: row.active,
    contractsSigned: Number(row.contracts_signed),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Live services with the number of signed contracts that include them. */
function servicesWithCounts(scope: WorkspaceScope) {
  return scope
    .selectFrom('services')
    .selectAll('services')
    .select(
      sql<number>`(
        select count(distinct contracts.id)::int from contracts
        join quote_lines on quote_lines.quote_id = contracts.quote_id
        where quote_lines.service_id = services.id
          and contracts.workspace_id = services.workspace_id
          and contracts.status = 'signed' and contracts.deleted_at is null
      )`.as('contracts_signed'),
    )
    .where('services.deleted_at', 'is', null);
}

export function findService(scope: WorkspaceScope, id: string): Promise<ServiceWithCount | undefined> {
  return servicesWithCounts(scope).where('services.id', '=', id).executeTakeFirst();
}

export function findServicesByIds(scope: WorkspaceScope, ids: string[]): Promise<ServiceRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return scope
    .selectFrom('services')
    .selectAll()
    .where('services.id', 'in', ids)
    .where('services.deleted_at', 'is', null)
    .execute();
}

export type ServiceValues = Partial<
  Pick<ServiceRow, 'name' | 'description' | 'price' | 'currency' | 'active' | 'deleted_at'>
>;

export function insertService(
  scope: WorkspaceScope,
  values: ServiceValues & { name: string; price: number; currency: string },
): Promise<ServiceRow> {
  return scope.insertInto('services', values).returningAll().executeTakeFirstOrThrow();
}

export async function updateService(
  scope: WorkspaceScope,
  id: string,
  values: ServiceValues,
  now: Date,
): Promise<void> {
  await scope
    .updateTable('services')
    .set({ ...values, updated_at: now })
    .where('services.id', '=', id)
    .execute();
}

export interface ServiceFilters {
  active?: boolean | undefined;
  q?: string | undefined;
}

export async function listServices(scope: WorkspaceScope, f: ServiceFilters & PageQuery): Promise<Page<ServiceRecord>> {
  let q = servicesWithCounts(scope).select(cursorColumn('services.created_at'));
  if (f.active !== undefined) q = q.where('services.active', '=', f.active);
  if (f.q) q = q.where('services.name', 'ilike', `%${escapeLike(f.q)}%`);
  const rows = await keysetPage(q, f, 'services.created_at', 'services.id').execute();
  return toPage(rows, f, serviceRowToRecord);
}
