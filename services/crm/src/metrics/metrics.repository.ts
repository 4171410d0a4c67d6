import { sql } from 'kysely';
import type { DbOrTrx } from '@hub/shared/db';

/** Active users of the inbox roles with their open assigned conversations. */
export function agentsWithLoad(db: DbOrTrx, workspaceId: string) {
  return db
    .selectFrom('users')
    .select([
      'users.id',
      'users.name',
      'users.email',
      'users.role',
      'users.conversation_capacity',
      sql<number>`(select count(*)::int from conversations c
        where c.workspace_id = users.workspace_id and c.assignee_id = users.id and c.status = 'open')`.as('open'),
    ])
    .where('users.workspace_id', '=', workspaceId)
    .where('users.active', '=', true)
    .where('users.role', 'in', ['admin', 'supervisor', 'agent'])
    .orderBy('users.name')
    .orderBy('users.id')
    .execute();
}

export function setAgentCapacity(db: DbOrTrx, workspaceId: string, id: string, capacity: number | null) {
  return db
    .updateTable('users')
    .set({ conversation_capacity: capacity, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returning(['id', 'conversation_capacity'])
    .executeTakeFirst();
}
