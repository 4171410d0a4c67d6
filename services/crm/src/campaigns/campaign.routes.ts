import { z } from 'zod';
import { access, type ApiRouter } from '../http/route';
import { crudRoutes } from '../http/crud';
import { Campaign, CampaignFilters, CampaignPatch, CampaignStats, NewCampaign } from './campaign.schemas';
import { campaignService } from './campaign.service';

const statsHow =
  'leads = live leads with this campaignId; conversions = those with status won; contracts = their signed ' +
  'contracts; revenue = payments received on their not-void invoices (campaign currency); ' +
  'costPerLead = round(budget / leads); profit = revenue − budget; ROI = profit / budget in basis points. ' +
  'Integer arithmetic, rounded half away from zero.';

/** /api/v1/campaigns — marketers' campaigns, and their figures (visible to every role). */
export function campaignRoutes(api: ApiRouter): void {
  const tags = ['Campaigns'];
  // Before crudRoutes: /campaigns/stats must not be taken for /campaigns/:id.
  api.route({
    method: 'get',
    path: '/campaigns/stats',
    access: access.can('campaignStats', 'read'),
    summary: 'Figures of every campaign: leads, conversions, contracts, revenue, cost per lead, ROI',
    description: statsHow,
    tags,
    response: z.object({ items: z.array(CampaignStats) }).meta({ id: 'CampaignStatsList' }),
    handler: (c) => campaignService.statsList(c),
  });
  api.route({
    method: 'get',
    path: '/campaigns/:id/stats',
    access: access.can('campaignStats', 'read'),
    summary: 'Figures of one campaign: leads, conversions, contracts, revenue, cost per lead, ROI',
    description: statsHow,
    tags,
    response: CampaignStats,
    handler: (c) => campaignService.stats(c, c.params.id!),
  });
  crudRoutes(api, {
    path: '/campaigns',
    resource: 'campaigns',
    tag: 'Campaigns',
    noun: 'campaign',
    record: Campaign,
    create: NewCampaign,
    update: CampaignPatch,
    filters: CampaignFilters,
    softDelete: true,
    conflicts: 'Another campaign uses this refCode (campaign_ref_code_taken).',
    service: campaignService,
  });
}
