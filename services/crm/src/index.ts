export { buildCrm } from './crm.app';
export { createWorkspaceWithAdmin } from './workspaces/workspace.service';
export { authenticate, authenticateApiToken, requireRole, authOf, can } from './auth/auth.middleware';
// For the inbound worker: the lead of a new conversation when the workspace's autoCreateLead is on.
export { createLeadForNewConversation, type NewConversationLead } from './leads/lead-auto';
// For other CRM route files: declare routes once (auth, permissions, zod, OpenAPI) and reuse CRUD.
export { ApiRouter, access, routeCatalog, type RouteContext } from './http/route';
export { crudRoutes, type CrudContext, type CrudService } from './http/crud';
export { PageQuery, pageSchema, keysetPage, toPage, cursorColumn, type Page } from './http/paging';
export { openApiRegistry, registerApiPath, ErrorBody } from './openapi/registry';
export { writeAudit, type AuditEntry } from './audit/audit.repository';
export {
  settingsOf,
  WorkspaceSettings,
  type WorkspaceSettings as WorkspaceSettingsValue,
} from './workspaces/workspace.settings';
// For the inbound worker: a lead's campaign from a click-to-WhatsApp/Messenger referral (ad id,
// ctwa_clid) or a tagged-link code — call after createLeadForNewConversation when the first
// inbound message carries `referral`.
export { attributeLeadToCampaign, referralKeys } from './campaigns/campaign.attribution';
