import { access, type ApiRouter } from '../http/route';
import { PageQuery, pageSchema } from '../http/paging';
import { callerVisibility } from '../money/caller-visibility';
import { Consultation, ConsultationFilters } from './consultation.schemas';
import { listConsultations } from './consultation.repository';

/** GET /api/v1/consultations — customer questions: the support side of leads and conversations. */
export function consultationRoutes(api: ApiRouter): void {
  api.route({
    method: 'get',
    path: '/consultations',
    access: access.can('leads', 'read'),
    summary: 'List consultations (support leads and their conversations), newest first',
    description:
      'A consultation is a lead with caseType support or in a funnel of kind support, with its conversation. ' +
      'status=pending: the conversation is open or pending (no conversation: the lead is not closed); ' +
      'status=resolved: the conversation is resolved (no conversation: the lead is won, lost or discarded). ' +
      'Agents see the ones assigned to them (and unassigned ones when the workspace allows).',
    tags: ['Consultations'],
    query: ConsultationFilters.extend(PageQuery.shape),
    response: pageSchema(Consultation, 'ConsultationPage'),
    handler: async (c) => listConsultations(c.scope, await callerVisibility(c), c.query),
  });
}
