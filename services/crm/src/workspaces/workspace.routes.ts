import { z } from 'zod';
import { AppError } from '@hub/shared/errors';
import type { Runtime } from '@hub/shared/runtime';
import { access, type ApiRouter } from '../http/route';
import { clientMeta, Password, Session } from '../auth/auth.routes';
import { startSession } from '../auth/session.service';
import { isUniqueViolation } from '../http/db-errors';
import { createWorkspaceWithAdmin, emailTaken, getWorkspace, updateWorkspace } from './workspace.service';
import { WorkspaceSettings } from './workspace.settings';

export const SignUp = z
  .object({
    workspaceName: z.string().trim().min(1).max(120),
    name: z.string().trim().min(1).max(120),
    email: z.email().max(254),
    password: Password,
  })
  .meta({ id: 'SignUp' });

export const Workspace = z
  .object({
    id: z.uuid(),
    name: z.string(),
    settings: WorkspaceSettings,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Workspace' });

export const WorkspacePatch = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    settings: WorkspaceSettings.partial().strict().optional().meta({ description: 'Only the settings given change' }),
  })
  .strict()
  .meta({ id: 'WorkspacePatch' });

export function workspaceRoutes(api: ApiRouter, rt: Runtime): void {
  const tags = ['Workspaces'];
  api.route({
    method: 'post',
    path: '/workspaces',
    access: access.public,
    summary: 'Sign up: a new workspace and its first admin (when HUB_ALLOW_SIGNUP=true)',
    tags,
    body: SignUp,
    status: 201,
    response: Session,
    errors: { 409: 'Email already registered (email_taken).' },
    handler: async ({ req, body, now }) => {
      if (!rt.config.allowSignup) throw new AppError('forbidden', 'signup_disabled', 'sign-up is disabled on this hub');
      try {
        const created = await createWorkspaceWithAdmin(rt.database.db, body);
        rt.logger.info({ workspaceId: created.workspaceId }, 'workspace signed up');
        return await startSession(rt.database.db, rt.config.jwtSecret, created.user, clientMeta(req), now);
      } catch (err) {
        if (isUniqueViolation(err, 'users_email_key')) throw emailTaken();
        throw err;
      }
    },
  });

  api.route({
    method: 'get',
    path: '/workspace',
    access: access.can('workspace', 'read'),
    summary: 'My workspace: name, settings, branding',
    tags,
    response: Workspace,
    handler: ({ scope }) => getWorkspace(scope),
  });

  api.route({
    method: 'patch',
    path: '/workspace',
    access: access.can('workspace', 'update'),
    summary: 'Change my workspace (name and settings; partial)',
    tags,
    body: WorkspacePatch,
    response: Workspace,
    handler: ({ scope, body, now }) => updateWorkspace(scope, body, now),
  });
}
