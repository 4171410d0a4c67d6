import { hashPassword, systemScope, type Role, type WorkspaceScope } from '@hub/shared/auth';
import { AppError, notFound } from '@hub/shared/errors';
import type { Db } from '@hub/shared/db';
import { writeAudit } from '../audit/audit.repository';
import { createDefaultFunnels } from '../funnels/funnel.service';
import {
  countUsers,
  findUserByEmail,
  insertUser,
  userRowToRecord,
  userRowToUser,
  type User,
} from '../users/user.repository';
import { settingsOf, type WorkspaceSettings } from './workspace.settings';

export interface NewWorkspace {
  workspaceName: string;
  name: string;
  email: string;
  password: string;
}

export interface WorkspaceRecord {
  id: string;
  name: string;
  settings: WorkspaceSettings;
  createdAt: string;
  updatedAt: string;
}

export const emailTaken = () =>
  new AppError('conflict', 'email_taken', 'a user with this email already exists', [
    { field: 'email', message: 'already registered' },
  ]);

/** A workspace, its first admin and its default funnels, in one transaction. */
export async function createWorkspaceWithAdmin(
  db: Db,
  input: NewWorkspace,
): Promise<{ workspaceId: string; user: User }> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    if (await findUserByEmail(trx, input.email)) throw emailTaken();
    const ws = await trx
      .insertInto('workspaces')
      .values({ name: input.workspaceName })
      .returningAll()
      .executeTakeFirstOrThrow();
    const role: Role = 'admin';
    const row = await insertUser(systemScope(trx, ws.id), {
      email: input.email.trim().toLowerCase(),
      name: input.name,
      password_hash: passwordHash,
      role,
    });
    // The workspace's own story starts with its creator.
    const tx = systemScope(trx, ws.id).as(row.id);
    await writeAudit(tx, { table: 'workspaces', recordId: ws.id, action: 'create', after: workspaceRecord(ws) });
    await writeAudit(tx, { table: 'users', recordId: row.id, action: 'create', after: userRowToRecord(row) });
    await createDefaultFunnels(tx);
    return { workspaceId: ws.id, user: userRowToUser(row) };
  });
}

/** HUB_BOOTSTRAP_*: create the first workspace when no user exists yet. */
export async function bootstrapWorkspace(
  db: Db,
  bootstrap: { email: string; password: string; workspace: string } | undefined,
): Promise<boolean> {
  if (!bootstrap) return false;
  if ((await countUsers(db)) > 0) return false;
  await createWorkspaceWithAdmin(db, {
    workspaceName: bootstrap.workspace,
    name: 'Admin',
    email: bootstrap.email,
    password: bootstrap.password,
  });
  return true;
}

export function workspaceRecord(row: {
  id: string;
  name: string;
  settings: unknown;
  created_at: Date;
  updated_at: Date;
}): WorkspaceRecord {
  return {
    id: row.id,
    name: row.name,
    settings: settingsOf(row.settings),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function getWorkspace(scope: WorkspaceScope): Promise<WorkspaceRecord> {
  const row = await scope.workspace().catch(() => undefined);
  if (!row) throw notFound('workspace');
  return workspaceRecord(row);
}

export function updateWorkspace(
  scope: WorkspaceScope,
  patch: { name?: string | undefined; settings?: Partial<WorkspaceSettings> | undefined },
  now: Date,
): Promise<WorkspaceRecord> {
  return scope.transaction(async (tx) => {
    const before = workspaceRecord(await tx.workspace());
    const settings = { ...before.settings, ...(patch.settings ?? {}) };
    const row = await tx.updateWorkspace({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      settings,
      updated_at: now,
    });
    const after = workspaceRecord(row);
    await writeAudit(tx, { table: 'workspaces', recordId: row.id, action: 'update', before, after });
    return after;
  });
}
