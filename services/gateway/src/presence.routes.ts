import express, { type Router } from 'express';
import type { Runtime } from '@hub/shared/runtime';
import { requireUser } from './gateway.auth';
import type { PresenceTracker } from './presence.tracker';
import type { SocketData } from './socket.types';

/** GET /api/v1/presence → {"items":[{"userId","status":"online"|"away"}]} (absent = offline). */
export function presenceRoutes(rt: Runtime, presence: PresenceTracker): Router {
  const router = express.Router();
  router.get('/api/v1/presence', requireUser(rt), async (_req, res, next) => {
    try {
      const user = res.locals.user as SocketData;
      res.json({ items: await presence.list(user.auth.workspaceId) });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
