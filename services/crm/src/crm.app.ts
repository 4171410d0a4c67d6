import express from 'express';
import type { ServiceParts } from '@hub/shared/service';
import { outboundDepsOf, outboundHandOff } from '@hub/shared/domain';
import type { Runtime } from '@hub/shared/runtime';
import { authRoutes } from './auth/auth.routes';
import { authenticate, authenticateApiToken } from './auth/auth.middleware';
import { ApiRouter } from './http/route';
import { workspaceRoutes } from './workspaces/workspace.routes';
import { userRoutes } from './users/user.routes';
import { apiTokenRoutes } from './api-tokens/api-token.routes';
import { contactRoutes } from './contacts/contact.routes';
import { leadRoutes } from './leads/lead.routes';
import { funnelRoutes } from './funnels/funnel.routes';
import { auditRoutes } from './audit/audit.routes';
import { moneyRoutes } from './money/money.routes';
import { openApiRoutes } from './openapi/openapi.routes';
import { channelRoutes } from './channels/channel.routes';
import { conversationRoutes, mediaRoutes } from './conversations/conversation.routes';
import { liveRoutes } from './conversations/live.routes';
import { setupRoutes } from './setup/setup.routes';
import { notificationRoutes } from './notifications/notification.routes';
import { bootstrapWorkspace } from './workspaces/workspace.service';

/** REST API under /api/v1. */
export async function buildCrm(rt: Runtime): Promise<ServiceParts> {
  if (await bootstrapWorkspace(rt.database.db, rt.config.bootstrap)) {
    rt.logger.info({ email: rt.config.bootstrap?.email }, 'bootstrap workspace created');
  }
  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  // Routes declared with ApiRouter get auth, the permission matrix, zod parsing, a workspace
  // scope and OpenAPI docs from one declaration (see http/route.ts).
  const v1 = new ApiRouter({
    db: rt.database.db,
    clock: () => rt.clock(),
    basePath: '/api/v1',
    authenticate: authenticate(rt),
    authenticateApiToken: authenticateApiToken(rt),
  });
  authRoutes(v1, rt);
  workspaceRoutes(v1, rt);
  userRoutes(v1, rt);
  apiTokenRoutes(v1);
  contactRoutes(v1, rt);
  leadRoutes(v1);
  funnelRoutes(v1);
  auditRoutes(v1);
  moneyRoutes(v1, rt, { handOff: outboundHandOff(outboundDepsOf(rt)) });
  api.use(v1.router);
  channelRoutes(v1, rt);
  liveRoutes(v1, rt);
  conversationRoutes(v1, rt);
  notificationRoutes(v1);
  api.use(mediaRoutes(rt));
  api.use(setupRoutes(rt));
  return {
    mount(app) {
      app.use('/api/v1', api);
      app.use('/api', openApiRoutes(rt.logger));
    },
  };
}
