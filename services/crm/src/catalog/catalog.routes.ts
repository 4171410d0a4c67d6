import type { ApiRouter } from '../http/route';
import { crudRoutes } from '../http/crud';
import { NewService, Service, ServiceFilters, ServicePatch } from './catalog.schemas';
import { catalogService } from './catalog.service';

/** /api/v1/services — the catalogue quotes pick their lines from. */
export function catalogRoutes(api: ApiRouter): void {
  crudRoutes(api, {
    path: '/services',
    resource: 'services',
    tag: 'Services',
    noun: 'service',
    record: Service,
    create: NewService,
    update: ServicePatch,
    filters: ServiceFilters,
    softDelete: true,
    service: catalogService,
  });
}
