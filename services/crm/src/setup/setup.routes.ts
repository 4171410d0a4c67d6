import express, { type Router } from 'express';
import { z } from 'zod';
import { AppError } from '@hub/shared/errors';
import type { Runtime } from '@hub/shared/runtime';
import { clientMeta } from '../auth/auth.routes';
import { startSession } from '../auth/session.service';
import { countUsers } from '../users/user.repository';
import { createWorkspaceWithAdmin } from '../workspaces/workspace.service';

// First run from the browser: while no user exists, the web app's setup page creates the
// first workspace and its admin (the same thing HUB_BOOTSTRAP_* does from the environment).
// Once any user exists the route answers 409 for good, so it cannot be used to add tenants —
// that is POST /api/v1/workspaces, behind HUB_ALLOW_SIGNUP.

export const SetupBody = z.object({
  workspaceName: z.string().trim().min(1).max(120),
  name: z.string().trim().min(1).max(120),
  email: z.email().max(254),
  password: z.string().min(8).max(200),
});

export function setupRoutes(rt: Runtime): Router {
  const r = express.Router();
  const { db } = rt.database;
  // Two browsers racing through the setup page in one process must not both create a
  // workspace: checks and inserts are serialized here. (Across processes the window is the
  // length of one transaction on a brand-new install; the email uniqueness check still holds.)
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  r.get('/setup', async (_req, res) => {
    res.json({ needed: (await countUsers(db)) === 0 });
  });

  r.post('/setup', async (req, res) => {
    const body = SetupBody.parse(req.body);
    const created = await serialized(async () => {
      if ((await countUsers(db)) > 0) {
        throw new AppError('conflict', 'setup_done', 'setup is already done: sign in instead');
      }
      return createWorkspaceWithAdmin(db, body);
    });
    rt.logger.info({ workspaceId: created.workspaceId, email: created.user.email }, 'workspace created by setup');
    res.status(201).json(await startSession(db, rt.config.jwtSecret, created.user, clientMeta(req), rt.clock()));
  });

  return r;
}
