import { access, type ApiRouter } from '../http/route';
import { crudRoutes } from '../http/crud';
import { Funnel, FunnelFilters, FunnelPatch, FunnelStats, NewFunnel } from './funnel.schemas';
import { funnelService } from './funnel.service';

export function funnelRoutes(api: ApiRouter): void {
  api.route({
    method: 'get',
    path: '/funnels/:id/stats',
    access: access.can('funnels', 'read'),
    summary: 'Leads per stage, average time in stage, conversion to the last stage',
    tags: ['Funnels'],
    response: FunnelStats,
    handler: (c) => funnelService.stats(c, c.params.id!),
  });
  crudRoutes(api, {
    path: '/funnels',
    resource: 'funnels',
    tag: 'Funnels',
    noun: 'funnel',
    record: Funnel,
    create: NewFunnel,
    update: FunnelPatch,
    filters: FunnelFilters,
    softDelete: true,
    conflicts: 'A stage to remove still has leads (stage_in_use).',
    service: funnelService,
  });
}
