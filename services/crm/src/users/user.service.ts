import { hashPassword, type WorkspaceScope } from '@hub/shared/auth';
import { AppError, notFound } from '@hub/shared/errors';
import { z } from 'zod';
import { writeAudit } from '../audit/audit.repository';
import { revokeUserSessions } from '../auth/session.repository';
import type { SessionRevocations } from '../auth/session.publisher';
import { Password } from '../auth/auth.routes';
import type { CrudContext } from '../http/crud';
import { isUniqueViolation } from '../http/db-errors';
import type { Page, PageQuery } from '../http/paging';
import { RoleSchema } from './user.schemas';
export { RoleSchema, UserRecordSchema } from './user.schemas';
import { emailTaken } from '../workspaces/workspace.service';
import {
  countActiveAdmins,
  findUser,
  insertUser,
  listUsers,
  updateUser,
  userRowToRecord,
  type UserFilters,
  type UserRecord,
  type UserRow,
} from './user.repository';

export const NewUser = z
  .object({
    name: z.string().trim().min(1).max(120),
    email: z.email().max(254),
    password: Password,
    role: RoleSchema,
  })
  .meta({ id: 'NewUser' });

export const UserPatch = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    email: z.email().max(254).optional(),
    role: RoleSchema.optional(),
    active: z.boolean().optional().meta({ description: 'false deactivates (ends sessions); true reactivates' }),
  })
  .strict()
  .meta({ id: 'UserPatch' });

export const UserFiltersSchema = z.object({
  role: RoleSchema.optional(),
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  q: z.string().trim().min(1).max(100).optional().meta({ description: 'Search in name and email' }),
});

const lastAdmin = () =>
  new AppError('conflict', 'last_admin', 'a workspace needs an active admin: promote someone else first', [
    { field: 'role', message: 'this is the last active admin' },
  ]);

async function mustFind(scope: WorkspaceScope, id: string): Promise<UserRow> {
  const row = await findUser(scope, id);
  if (!row) throw notFound('user');
  return row;
}

/** `revoked` announces ended sessions (sockets close); absent, they close at their next reconnect. */
export const userService = {
  async create(ctx: CrudContext, body: z.output<typeof NewUser>): Promise<UserRecord> {
    const hash = await hashPassword(body.password);
    try {
      return await ctx.scope.transaction(async (tx) => {
        const row = await insertUser(tx, {
          name: body.name,
          email: body.email.trim().toLowerCase(),
          password_hash: hash,
          role: body.role,
        });
        const rec = userRowToRecord(row);
        await writeAudit(tx, { table: 'users', recordId: row.id, action: 'create', after: rec });
        return rec;
      });
    } catch (err) {
      // Emails are unique across the hub (login is by email): the unique index decides.
      if (isUniqueViolation(err, 'users_email_key')) throw emailTaken();
      throw err;
    }
  },

  list(ctx: CrudContext, q: UserFilters & PageQuery): Promise<Page<UserRecord>> {
    return listUsers(ctx.scope, q);
  },

  async get(ctx: CrudContext, id: string): Promise<UserRecord> {
    return userRowToRecord(await mustFind(ctx.scope, id));
  },

  async update(
    ctx: CrudContext,
    id: string,
    patch: z.output<typeof UserPatch>,
    revoked?: SessionRevocations,
  ): Promise<UserRecord> {
    try {
      const rec = await ctx.scope.transaction(async (tx) => {
        const before = await mustFind(tx, id);
        const losesAdmin =
          before.role === 'admin' &&
          before.active &&
          ((patch.role && patch.role !== 'admin') || patch.active === false);
        if (losesAdmin && (await countActiveAdmins(tx)) <= 1) throw lastAdmin();
        if (patch.active === false && id === ctx.auth.userId) {
          throw new AppError('conflict', 'cannot_deactivate_self', 'you cannot deactivate yourself', [
            { field: 'active', message: 'this is your own account' },
          ]);
        }
        const after = (await updateUser(
          tx,
          id,
          {
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.email !== undefined ? { email: patch.email.trim().toLowerCase() } : {}),
            ...(patch.role !== undefined ? { role: patch.role } : {}),
            ...(patch.active !== undefined ? { active: patch.active } : {}),
          },
          ctx.now,
        ))!;
        if (patch.active === false) await revokeUserSessions(tx, id, ctx.now, 'deactivated');
        await writeAudit(tx, {
          table: 'users',
          recordId: id,
          action: 'update',
          before: userRowToRecord(before),
          after: userRowToRecord(after),
        });
        return userRowToRecord(after);
      });
      if (patch.active === false) {
        await revoked?.({ workspaceId: ctx.auth.workspaceId, userId: id, sessionIds: 'all' });
      }
      return rec;
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_key')) throw emailTaken();
      throw err;
    }
  },

  /** Users are deactivated, never deleted: their name stays on their history. */
  async remove(ctx: CrudContext, id: string, revoked?: SessionRevocations): Promise<void> {
    await userService.update(ctx, id, { active: false }, revoked);
  },

  /** An admin sets a new password for someone (who is signed out everywhere). */
  async resetPassword(ctx: CrudContext, id: string, password: string, revoked?: SessionRevocations): Promise<void> {
    const hash = await hashPassword(password);
    await ctx.scope.transaction(async (tx) => {
      await mustFind(tx, id);
      await updateUser(tx, id, { password_hash: hash }, ctx.now);
      await revokeUserSessions(tx, id, ctx.now, 'password_reset');
      await writeAudit(tx, { table: 'users', recordId: id, action: 'password_reset' });
    });
    await revoked?.({ workspaceId: ctx.auth.workspaceId, userId: id, sessionIds: 'all' });
  },
};
