import type { Selectable } from 'kysely';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';
import { escapeLike } from '../users/user.repository';
import { templateVariables, type ReplyTemplate } from './reply-template.schemas';

export type ReplyTemplateRow = Selectable<DB['reply_templates']>;
export type ChannelTemplateRow = Selectable<DB['channel_templates']>;

export function replyTemplateRowToRecord(row: ReplyTemplateRow): ReplyTemplate {
  return {
    id: row.id,
    name: row.name,
    shortcut: row.shortcut,
    body: row.body,
    category: row.category,
    platforms: row.platforms as ReplyTemplate['platforms'],
    variables: templateVariables(row.body),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function findReplyTemplate(scope: WorkspaceScope, id: string): Promise<ReplyTemplateRow | undefined> {
  return scope
    .selectFrom('reply_templates')
    .selectAll()
    .where('reply_templates.id', '=', id)
    .where('reply_templates.deleted_at', 'is', null)
    .executeTakeFirst();
}

export type ReplyTemplateValues = Partial<
  Pick<ReplyTemplateRow, 'name' | 'shortcut' | 'body' | 'category' | 'platforms' | 'deleted_at'>
>;

export function insertReplyTemplate(
  scope: WorkspaceScope,
  values: { name: string; shortcut: string; body: string; category: string | null; platforms: string[] },
): Promise<ReplyTemplateRow> {
  return scope
    .insertInto('reply_templates', { ...values, created_by: scope.actorId })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateReplyTemplate(
  scope: WorkspaceScope,
  id: string,
  values: ReplyTemplateValues,
  now: Date,
): Promise<void> {
  await scope
    .updateTable('reply_templates')
    .set({ ...values, updated_at: now })
    .where('reply_templates.id', '=', id)
    .execute();
}

export interface ReplyTemplateFilters {
  q?: string | undefined;
  category?: string | undefined;
  platform?: string | undefined;
}

export async function listReplyTemplates(
  scope: WorkspaceScope,
  f: ReplyTemplateFilters & PageQuery,
): Promise<Page<ReplyTemplate>> {
  let q = scope
    .selectFrom('reply_templates')
    .selectAll('reply_templates')
    .select(cursorColumn('reply_templates.created_at'))
    .where('reply_templates.deleted_at', 'is', null);
  if (f.q) {
    const like = `%${escapeLike(f.q)}%`;
    q = q.where((eb) =>
      eb.or([eb('reply_templates.name', 'ilike', like), eb('reply_templates.shortcut', 'ilike', like)]),
    );
  }
  if (f.category) q = q.where('reply_templates.category', '=', f.category);
  if (f.platform) {
    const platform = f.platform;
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('cardinality', ['reply_templates.platforms']), '=', 0),
        eb(eb.val(platform), '=', eb.fn.any('reply_templates.platforms')),
      ]),
    );
  }
  const rows = await keysetPage(q, f, 'reply_templates.created_at', 'reply_templates.id').execute();
  return toPage(rows, f, replyTemplateRowToRecord);
}

// ── WhatsApp approved templates per channel ─────────────────────────────────────────────────

export function listChannelTemplates(scope: WorkspaceScope, channelId: string): Promise<ChannelTemplateRow[]> {
  return scope
    .selectFrom('channel_templates')
    .selectAll()
    .where('channel_templates.channel_id', '=', channelId)
    .orderBy('channel_templates.name')
    .orderBy('channel_templates.language')
    .execute();
}

export function insertChannelTemplate(
  scope: WorkspaceScope,
  values: {
    channel_id: string;
    name: string;
    language: string;
    category: string;
    body: string;
    variable_count: number;
  },
): Promise<ChannelTemplateRow> {
  return scope.insertInto('channel_templates', values).returningAll().executeTakeFirstOrThrow();
}

export async function deleteChannelTemplate(scope: WorkspaceScope, channelId: string, id: string): Promise<boolean> {
  const res = await scope
    .deleteFrom('channel_templates')
    .where('channel_templates.channel_id', '=', channelId)
    .where('channel_templates.id', '=', id)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
