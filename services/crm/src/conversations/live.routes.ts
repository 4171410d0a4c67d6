import type { Runtime } from '@hub/shared/runtime';
import type { ApiRouter } from '../http/route';
import { metricsRoutes } from '../metrics/metrics.routes';
import { replyTemplateRoutes } from '../reply-templates/reply-template.routes';
import { channelLiveSettingsRoutes } from './channel-live-settings.routes';
import { conversationActionRoutes } from './conversation-actions.routes';
import { messageSendRoutes } from './message-send.routes';
import { teamRoutes } from './team.routes';

/**
 * The live inbox's REST routes: sending, conversation actions, teams, channel live settings and
 * WhatsApp templates, reply templates, metrics. Declared before the conversation routes so
 * fixed paths such as /conversations/unread are not read as an :id.
 */
export function liveRoutes(api: ApiRouter, rt: Runtime): void {
  conversationActionRoutes(api, rt);
  messageSendRoutes(api, rt);
  channelLiveSettingsRoutes(api, rt);
  teamRoutes(api);
  replyTemplateRoutes(api, rt);
  metricsRoutes(api, rt);
}
