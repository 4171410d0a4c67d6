import type { DbOrTrx } from '../db';

/** The conversation's current assignee (null: unassigned); undefined when there is no such conversation. */
export async function findConversationAssignee(
  db: DbOrTrx,
  workspaceId: string,
  conversationId: string,
): Promise<{ assigneeId: string | null } | undefined> {
  const row = await db
    .selectFrom('conversations')
    .select('assignee_id')
    .where('id', '=', conversationId)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row ? { assigneeId: row.assignee_id } : undefined;
}
