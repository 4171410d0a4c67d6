import type { Db } from '@hub/shared/db';

// The few reads and writes the seed makes outside the services it drives.

export function findWorkspaceById(db: Db, id: string) {
  return db.selectFrom('workspaces').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
}

export function findWorkspacesByName(db: Db, name: string) {
  return db.selectFrom('workspaces').select(['id', 'name']).where('name', '=', name).orderBy('created_at').execute();
}

export function activeUsersOf(db: Db, workspaceId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'role'])
    .where('workspace_id', '=', workspaceId)
    .where('active', '=', true)
    .orderBy('created_at')
    .execute();
}

export async function hasServices(db: Db, workspaceId: string): Promise<boolean> {
  return (
    (await db.selectFrom('services').select('id').where('workspace_id', '=', workspaceId).executeTakeFirst()) !==
    undefined
  );
}

export async function contactIdByPhone(db: Db, workspaceId: string, phone: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('contacts')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('phone', '=', phone)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row?.id;
}

export function firstChannelOf(db: Db, workspaceId: string) {
  return db
    .selectFrom('channels')
    .select(['id', 'type'])
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .executeTakeFirst();
}

export async function resolveConversation(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('conversations').set({ status: 'resolved', updated_at: now }).where('id', '=', id).execute();
}
