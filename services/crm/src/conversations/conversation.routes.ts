import express, { type Router } from 'express';
import { z } from 'zod';
import { Conversation } from '@hub/shared/domain';
import { notFound } from '@hub/shared/errors';
import type { Runtime } from '@hub/shared/runtime';
import { createMediaStorage } from '@hub/shared/storage';
import { authenticate, authOf, can } from '../auth/auth.middleware';
import { access, type ApiRouter } from '../http/route';
import { ErrorBody, registerApiPath } from '../openapi/registry';
import {
  ConversationPage,
  findMediaForCaller,
  getConversation,
  ListConversationsQuery,
  listConversations,
  ListMessagesQuery,
  listMessages,
  markConversationRead,
  MessagePage,
  type ConversationDeps,
} from './conversation.service';

// The inbox: /api/v1/conversations and their messages, for callers who may see the
// conversation (conversationVisibility: workspace + role rules); another workspace's → 404.

function depsOf(rt: Runtime): ConversationDeps {
  return { db: rt.database.db, bus: rt.bus, logger: rt.logger.child({ module: 'conversations' }) };
}

export function conversationRoutes(api: ApiRouter, rt: Runtime): void {
  const deps = depsOf(rt);
  const tags = ['Conversations'];

  api.route({
    method: 'get',
    path: '/conversations',
    access: access.can('conversations', 'read'),
    summary: 'List conversations, most recent activity first',
    description:
      'Filters: `status`, `channelId`, `assigneeId` (a user id, or `none` for unassigned), `label` (exact spelling) ' +
      'and `q` (the contact’s name or phone, or the text of any message of the conversation; case- and ' +
      'accent-insensitive). Filters combine; an agent finds only conversations they may see. ' +
      'Keyset paging with `cursor`: pass the same filters with each page.',
    tags,
    query: ListConversationsQuery,
    response: ConversationPage,
    handler: (c) => listConversations(deps, c.auth, c.query),
  });

  api.route({
    method: 'get',
    path: '/conversations/:id',
    access: access.can('conversations', 'read'),
    summary: 'One conversation',
    tags,
    response: Conversation,
    handler: (c) => getConversation(deps, c.auth, c.params.id!),
  });

  api.route({
    method: 'post',
    path: '/conversations/:id/read',
    access: access.can('conversations', 'read'),
    summary: 'Mark a conversation read (unread count back to 0)',
    tags,
    response: Conversation,
    handler: (c) => markConversationRead(deps, c.auth, c.params.id!),
  });

  api.route({
    method: 'get',
    path: '/conversations/:id/messages',
    access: access.can('messages', 'read'),
    summary: 'Messages of a conversation, by platform time',
    description:
      'The newest page first: pass `nextCursor` back as `before` for older ones. Within a page, oldest first. ' +
      '`createdAt` is the platform’s time for inbound messages.',
    tags,
    query: ListMessagesQuery,
    response: MessagePage,
    handler: (c) => listMessages(deps, c.auth, c.params.id!, c.query),
  });
}

/**
 * GET /api/v1/media/:id — downloaded platform media (message.media.url), streamed, for callers
 * who may see its conversation. A plain router: the answer is bytes, not JSON.
 */
export function mediaRoutes(rt: Runtime): Router {
  const r = express.Router();
  const deps = depsOf(rt);
  const storage = createMediaStorage(rt.config);
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  r.get('/media/:id', authenticate(rt), can('messages', 'read'), async (req, res) => {
    const id = String(req.params['id']);
    if (!UUID.test(id)) throw notFound('media');
    const file = await findMediaForCaller(deps, authOf(req), id.toLowerCase());
    const obj = await storage.get(file.storage_key);
    if (!obj) throw notFound('media');
    res.setHeader('Content-Type', file.mime_type);
    res.setHeader('Content-Length', String(obj.size));
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Only plain images, audio and video render inline; anything else (HTML, SVG…) downloads.
    const inline = /^(image\/(png|jpeg|gif|webp)|audio\/|video\/)/.test(file.mime_type);
    res.setHeader(
      'Content-Disposition',
      `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.file_name ?? file.id)}`,
    );
    obj.stream().pipe(res);
  });

  const err = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
  registerApiPath({
    method: 'get',
    path: '/api/v1/media/{id}',
    summary: 'A downloaded media file (the `media.url` of a message)',
    description: 'Streams the file with its content type. Roles: those that may read messages.',
    tags: ['Conversations'],
    security: [{ bearerAuth: [] }],
    request: { params: z.object({ id: z.uuid() }) },
    responses: {
      200: { description: 'The file' },
      401: err('Missing, invalid or expired credentials.'),
      403: err('Not allowed for the caller’s role.'),
      404: err('No such file visible to the caller.'),
    },
  });
  return r;
}
