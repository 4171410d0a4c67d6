import { z } from 'zod';
import type { WorkspaceScope } from '@hub/shared/auth';
import { findChannel } from '@hub/shared/domain';
import { AppError, notFound } from '@hub/shared/errors';
import type { Runtime } from '@hub/shared/runtime';
import { writeAudit } from '../audit/audit.repository';
import { crudRoutes, type CrudContext } from '../http/crud';
import { isUniqueViolation } from '../http/db-errors';
import { access, type ApiRouter } from '../http/route';
import {
  deleteChannelTemplate,
  findReplyTemplate,
  insertChannelTemplate,
  insertReplyTemplate,
  listChannelTemplates,
  listReplyTemplates,
  replyTemplateRowToRecord,
  updateReplyTemplate,
  type ChannelTemplateRow,
  type ReplyTemplateValues,
} from './reply-template.repository';
import {
  ChannelTemplate,
  NewChannelTemplate,
  NewReplyTemplate,
  ReplyTemplate,
  ReplyTemplateFilters,
  ReplyTemplatePatch,
} from './reply-template.schemas';

// /api/v1/reply-templates (canned replies, CRUD like every CRM resource) and
// /api/v1/channels/:id/templates (the WhatsApp templates Meta approved for a number, recorded
// by an admin so agents can pick them and the send can check the variable count).

const shortcutTaken = () =>
  new AppError('conflict', 'shortcut_taken', 'another reply template has this shortcut', [
    { field: 'shortcut', message: 'taken' },
  ]);

async function recordOf(scope: WorkspaceScope, id: string): Promise<ReplyTemplate> {
  const row = await findReplyTemplate(scope, id);
  if (!row) throw notFound('reply_template');
  return replyTemplateRowToRecord(row);
}

async function uniqueShortcut<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw shortcutTaken();
    throw err;
  }
}

const replyTemplateService = {
  create: (ctx: CrudContext, body: z.output<typeof NewReplyTemplate>) =>
    uniqueShortcut(() =>
      ctx.scope.transaction(async (tx) => {
        const row = await insertReplyTemplate(tx, {
          name: body.name,
          shortcut: body.shortcut,
          body: body.body,
          category: body.category ?? null,
          platforms: [...new Set(body.platforms)],
        });
        const rec = replyTemplateRowToRecord(row);
        await writeAudit(tx, { table: 'reply_templates', recordId: rec.id, action: 'create', after: rec });
        return rec;
      }),
    ),
  list: (ctx: CrudContext, q: z.output<typeof ReplyTemplateFilters> & { cursor?: string | undefined; limit: number }) =>
    listReplyTemplates(ctx.scope, q),
  get: (ctx: CrudContext, id: string) => recordOf(ctx.scope, id),
  update: (ctx: CrudContext, id: string, patch: z.output<typeof ReplyTemplatePatch>) =>
    uniqueShortcut(() =>
      ctx.scope.transaction(async (tx) => {
        const before = await recordOf(tx, id);
        const values: ReplyTemplateValues = {};
        if (patch.name !== undefined) values.name = patch.name;
        if (patch.shortcut !== undefined) values.shortcut = patch.shortcut;
        if (patch.body !== undefined) values.body = patch.body;
        if (patch.category !== undefined) values.category = patch.category;
        if (patch.platforms !== undefined) values.platforms = [...new Set(patch.platforms)];
        await updateReplyTemplate(tx, id, values, ctx.now);
        const after = await recordOf(tx, id);
        await writeAudit(tx, { table: 'reply_templates', recordId: id, action: 'update', before, after });
        return after;
      }),
    ),
  remove: (ctx: CrudContext, id: string) =>
    ctx.scope.transaction(async (tx) => {
      const before = await recordOf(tx, id);
      await updateReplyTemplate(tx, id, { deleted_at: ctx.now }, ctx.now);
      await writeAudit(tx, { table: 'reply_templates', recordId: id, action: 'delete', before });
    }),
};

function channelTemplateView(row: ChannelTemplateRow): z.infer<typeof ChannelTemplate> {
  return {
    id: row.id,
    channelId: row.channel_id,
    name: row.name,
    language: row.language,
    category: row.category,
    body: row.body,
    variableCount: row.variable_count,
    createdAt: row.created_at.toISOString(),
  };
}

/** {{1}}…{{n}}: the highest index is the number of variables Meta expects. */
function countVariables(body: string): number {
  let max = 0;
  for (const m of body.matchAll(/\{\{(\d+)\}\}/g)) max = Math.max(max, Number(m[1]));
  return max;
}

export function replyTemplateRoutes(api: ApiRouter, rt: Runtime): void {
  crudRoutes(api, {
    path: '/reply-templates',
    resource: 'templates',
    tag: 'Reply templates',
    noun: 'reply template',
    record: ReplyTemplate,
    create: NewReplyTemplate,
    update: ReplyTemplatePatch,
    filters: ReplyTemplateFilters,
    conflicts: 'Another reply template has this shortcut (shortcut_taken).',
    softDelete: true,
    service: replyTemplateService,
  });

  const db = rt.database.db;
  const tags = ['Channels'];
  const whatsappChannel = async (workspaceId: string, id: string) => {
    const ch = await findChannel(db, workspaceId, id);
    if (!ch) throw notFound('channel');
    return ch;
  };

  api.route({
    method: 'get',
    path: '/channels/:id/templates',
    access: access.can('channels', 'read'),
    summary: 'The WhatsApp message templates recorded for this channel',
    description:
      'Send one with POST /conversations/:id/messages `{"type":"template","template":{name,language,variables}}`.',
    tags,
    response: z.object({ items: z.array(ChannelTemplate), nextCursor: z.null() }),
    handler: async (c) => {
      const ch = await whatsappChannel(c.auth.workspaceId, c.params.id!);
      return { items: (await listChannelTemplates(c.scope, ch.id)).map(channelTemplateView), nextCursor: null };
    },
  });

  api.route({
    method: 'post',
    path: '/channels/:id/templates',
    access: access.can('channels', 'update'),
    summary: 'Record a template Meta approved for this WhatsApp number',
    tags,
    body: NewChannelTemplate,
    status: 201,
    response: ChannelTemplate,
    errors: { 409: 'This name and language are already recorded (template_exists).', 422: 'Not a WhatsApp channel.' },
    handler: async (c) => {
      const ch = await whatsappChannel(c.auth.workspaceId, c.params.id!);
      if (ch.type !== 'whatsapp') {
        throw new AppError('unprocessable', 'template_unsupported', 'message templates are WhatsApp-only');
      }
      try {
        const row = await insertChannelTemplate(c.scope, {
          channel_id: ch.id,
          name: c.body.name,
          language: c.body.language,
          category: c.body.category,
          body: c.body.body,
          variable_count: countVariables(c.body.body),
        });
        return channelTemplateView(row);
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new AppError('conflict', 'template_exists', 'this template and language are already recorded', [
            { field: 'name', message: 'taken for this language' },
          ]);
        }
        throw err;
      }
    },
  });

  api.route({
    method: 'delete',
    path: '/channels/:id/templates/:templateId',
    access: access.can('channels', 'update'),
    summary: 'Forget a recorded template',
    tags,
    status: 204,
    handler: async (c) => {
      const ch = await whatsappChannel(c.auth.workspaceId, c.params.id!);
      if (!(await deleteChannelTemplate(c.scope, ch.id, c.params.templateId!))) throw notFound('template');
    },
  });
}
