import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { Role } from '@hub/shared/auth';
import type { UserRecordSchema } from './user.schemas';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DbOrTrx, UsersTable } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';

export type UserRow = Selectable<UsersTable>;

export interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  workspaceId: string;
  active: boolean;
}

/** The API's user record (never the password hash). */
export type UserRecord = z.output<typeof UserRecordSchema>;

export function userRowToUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    workspaceId: row.workspace_id,
    active: row.active,
  };
}

export function userRowToRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    active: row.active,
    lastLoginAt: row.last_login_at ? row.last_login_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
  };
}

// --- Hub-wide lookups (before anyone is signed in: login is by email across the hub) ---

export function findUserByEmail(db: DbOrTrx, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
    .executeTakeFirst();
}

export async function countUsers(db: DbOrTrx): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// --- Within a workspace ---

export function findUser(scope: WorkspaceScope, id: string): Promise<UserRow | undefined> {
  return scope.selectFrom('users').selectAll().where('users.id', '=', id).executeTakeFirst();
}

/** Kept for callers holding a bare workspace id. */
export function findUserById(db: DbOrTrx, workspaceId: string, id: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function insertUser(
  scope: WorkspaceScope,
  row: { email: string; name: string; password_hash: string; role: string },
): Promise<UserRow> {
  return scope.insertInto('users', row).returningAll().executeTakeFirstOrThrow();
}

export function updateUser(
  scope: WorkspaceScope,
  id: string,
  patch: Partial<Pick<UserRow, 'email' | 'name' | 'role' | 'active' | 'password_hash' | 'last_login_at'>>,
  now: Date,
): Promise<UserRow | undefined> {
  return scope
    .updateTable('users')
    .set({ ...patch, updated_at: now })
    .where('users.id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function countActiveAdmins(scope: WorkspaceScope): Promise<number> {
  const row = await scope
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('users.role', '=', 'admin')
    .where('users.active', '=', true)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface UserFilters {
  role?: string | undefined;
  active?: boolean | undefined;
  q?: string | undefined;
}

export async function listUsers(scope: WorkspaceScope, f: UserFilters & PageQuery): Promise<Page<UserRecord>> {
  let q = scope.selectFrom('users').selectAll('users').select(cursorColumn('users.created_at'));
  if (f.role) q = q.where('users.role', '=', f.role);
  if (f.active !== undefined) q = q.where('users.active', '=', f.active);
  if (f.q) {
    const like = `%${escapeLike(f.q)}%`;
    q = q.where((eb) => eb.or([eb('users.name', 'ilike', like), eb('users.email', 'ilike', like)]));
  }
  const rows = await keysetPage(q, f, 'users.created_at', 'users.id').execute();
  return toPage(rows, f, userRowToRecord);
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
