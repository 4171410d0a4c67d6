import { LIVE_TIMERS_QUEUE, type WakeJob } from '@hub/shared/domain';
import { isAllowed } from '@hub/shared/auth';
import { AppError } from '@hub/shared/errors';
import type { Runtime } from '@hub/shared/runtime';
import { UpdateConversationBody } from './conversation.service';
import { access, type ApiRouter } from '../http/route';
import {
  AssignBody,
  assignConversation,
  conversationView,
  handOffToHumans,
  LabelsBody,
  LiveConversation,
  setConversationLabels,
  setConversationStatus,
  SnoozeBody,
  snoozeConversation,
  StatusBody,
  UnreadSummary,
  unreadSummary,
  type ActionDeps,
} from './conversation-actions.service';

// POST /conversations/:id/{assign,status,snooze,handoff}, PUT /conversations/:id/labels and
// GET /conversations/unread. Declared before the conversations routes, so `unread` is not
// taken for an :id. (POST /conversations/:id/read — unread back to 0 — is in
// conversation.routes.ts.)

export function conversationActionRoutes(api: ApiRouter, rt: Runtime): void {
  const deps: ActionDeps = {
    db: rt.database.db,
    bus: rt.bus,
    timers: rt.queues.queue<WakeJob>(LIVE_TIMERS_QUEUE),
    clock: () => rt.clock(),
    logger: rt.logger.child({ module: 'conversation-actions' }),
  };
  const tags = ['Conversations'];

  api.route({
    method: 'get',
    path: '/conversations/unread',
    access: access.can('conversations', 'read'),
    summary: "The caller's unread counters",
    description:
      'Over the open and pending conversations the caller may see: all of them, those assigned to the caller, ' +
      'and the unassigned ones. `conversations` counts conversations with unread messages; `messages` sums them.',
    tags,
    response: UnreadSummary,
    handler: (c) => unreadSummary(deps, c.auth),
  });

  api.route({
    method: 'patch',
    path: '/conversations/:id',
    access: access.can('conversations', 'update'),
    summary: 'Change the status (open/pending/resolved) or the assignee',
    description:
      'The same actions as POST /conversations/:id/status and /assign (metrics, revocation for agents who lose ' +
      'sight of it); changing `assigneeId` also needs the conversations:assign permission.',
    tags,
    body: UpdateConversationBody,
    response: LiveConversation,
    handler: async (c) => {
      const { status, assigneeId } = c.body;
      if (assigneeId !== undefined && !isAllowed(c.auth.role, 'conversations', 'assign')) {
        throw new AppError('forbidden', 'forbidden', 'your role may not assign conversations');
      }
      let view: LiveConversation | undefined;
      if (assigneeId !== undefined) view = await assignConversation(deps, c.auth, c.params.id!, { assigneeId });
      if (status !== undefined) view = await setConversationStatus(deps, c.auth, c.params.id!, { status });
      return view ?? (await conversationView(deps, c.auth, c.params.id!));
    },
  });

  api.route({
    method: 'post',
    path: '/conversations/:id/assign',
    access: access.can('conversations', 'assign'),
    summary: 'Assign to an agent (and/or a team), or unassign',
    description:
      '`{"assigneeId": "<user id>" | null, "teamId"?: "<team id>" | null}`. Agents who could see the conversation ' +
      'only through the old assignment get `conversation:revoked`.',
    tags,
    body: AssignBody,
    response: LiveConversation,
    handler: (c) => assignConversation(deps, c.auth, c.params.id!, c.body),
  });

  api.route({
    method: 'post',
    path: '/conversations/:id/status',
    access: access.can('conversations', 'update'),
    summary: 'Set the status: open, pending or resolved',
    description:
      'Resolving records the resolution time; re-opening a resolved conversation starts a new first-response ' +
      'cycle; any status change ends a snooze.',
    tags,
    body: StatusBody,
    response: LiveConversation,
    handler: (c) => setConversationStatus(deps, c.auth, c.params.id!, c.body),
  });

  api.route({
    method: 'post',
    path: '/conversations/:id/snooze',
    access: access.can('conversations', 'update'),
    summary: 'Snooze until a time or until the customer writes again',
    description:
      '`{"until": "<ISO 8601>"}` or `{"untilNextMessage": true}`. The conversation goes `pending` and comes back ' +
      '`open` at that time or with the next customer message, whichever is first. 409 for a resolved one.',
    tags,
    body: SnoozeBody,
    response: LiveConversation,
    errors: { 409: 'The conversation is resolved (conversation_resolved).' },
    handler: (c) => snoozeConversation(deps, c.auth, c.params.id!, c.body),
  });

  api.route({
    method: 'put',
    path: '/conversations/:id/labels',
    access: access.can('conversations', 'update'),
    summary: 'Replace the labels',
    description: 'Up to 20 labels of 1–50 characters (no commas); duplicates are dropped case-insensitively.',
    tags,
    body: LabelsBody,
    response: LiveConversation,
    handler: (c) => setConversationLabels(deps, c.auth, c.params.id!, c.body),
  });

  api.route({
    method: 'post',
    path: '/conversations/:id/handoff',
    access: access.can('conversations', 'update'),
    summary: 'A bot hands the conversation over to humans',
    description: 'The first-response time of this cycle is counted from now.',
    tags,
    response: LiveConversation,
    handler: (c) => handOffToHumans(deps, c.auth, c.params.id!),
  });
}
