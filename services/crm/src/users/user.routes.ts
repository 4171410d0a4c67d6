import { z } from 'zod';
import { access, type ApiRouter } from '../http/route';
import { crudRoutes } from '../http/crud';
import { Password } from '../auth/auth.routes';
import { sessionRevocations } from '../auth/session.publisher';
import type { Runtime } from '@hub/shared/runtime';
import { NewUser, UserFiltersSchema, UserPatch, UserRecordSchema, userService } from './user.service';

export function userRoutes(api: ApiRouter, rt: Pick<Runtime, 'bus' | 'logger'>): void {
  // Deactivation and password resets end sessions: their sockets are closed too.
  const revoked = sessionRevocations(rt);
  api.route({
    method: 'post',
    path: '/users/:id/password',
    access: access.can('users', 'update'),
    summary: 'Set a new password for a user (admin reset; ends their sessions)',
    tags: ['Users'],
    body: z.object({ password: Password }).meta({ id: 'PasswordReset' }),
    status: 204,
    handler: (c) => userService.resetPassword(c, c.params.id!, c.body.password, revoked),
  });
  crudRoutes(api, {
    path: '/users',
    resource: 'users',
    tag: 'Users',
    noun: 'user',
    record: UserRecordSchema,
    create: NewUser,
    update: UserPatch,
    filters: UserFiltersSchema,
    softDelete: true,
    conflicts: 'Email already registered (email_taken), last active admin (last_admin), or deactivating yourself.',
    service: {
      ...userService,
      update: (ctx, id, patch) => userService.update(ctx, id, patch, revoked),
      remove: (ctx, id) => userService.remove(ctx, id, revoked),
    },
  });
}
