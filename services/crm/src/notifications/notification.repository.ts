import type { Selectable } from 'kysely';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';
import type { Notification } from './notification.schemas';

// Every query takes the owner's user id next to the workspace scope: a user reads and marks
// only their own notifications.

export type NotificationRow = Selectable<DB['notifications']>;

export function notificationRowToRecord(row: NotificationRow): Notification {
  return {
    id: row.id,
    kind: row.kind,
    conversationId: row.conversation_id,
    messageId: row.message_id,
    byUserId: row.by_user_id,
    text: row.text,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at ? row.read_at.toISOString() : null,
  };
}

export async function listNotifications(
  scope: WorkspaceScope,
  userId: string,
  f: { unread?: boolean | undefined } & PageQuery,
): Promise<Page<Notification>> {
  let q = scope
    .selectFrom('notifications')
    .selectAll('notifications')
    .select(cursorColumn('notifications.created_at'))
    .where('notifications.user_id', '=', userId);
  if (f.unread === true) q = q.where('notifications.read_at', 'is', null);
  if (f.unread === false) q = q.where('notifications.read_at', 'is not', null);
  const rows = await keysetPage(q, f, 'notifications.created_at', 'notifications.id').execute();
  return toPage(rows, f, notificationRowToRecord);
}

export async function countUnread(scope: WorkspaceScope, userId: string): Promise<number> {
  const row = await scope
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('notifications.user_id', '=', userId)
    .where('notifications.read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks the user's unread notifications read: the given ids (others' are ignored) or all. */
export async function markRead(
  scope: WorkspaceScope,
  userId: string,
  which: { ids: string[] } | 'all',
  now: Date,
): Promise<void> {
  let q = scope
    .updateTable('notifications')
    .set({ read_at: now })
    .where('notifications.user_id', '=', userId)
    .where('notifications.read_at', 'is', null);
  if (which !== 'all') q = q.where('notifications.id', 'in', which.ids);
  await q.execute();
}
