import express, { type Request, type Router } from 'express';
import { adapterFor } from '@hub/shared/channels';
import { AppError } from '@hub/shared/errors';
import { ChannelType } from '@hub/shared/events';
import { channelFor, receiveWebhook, type WebhookDeps } from './webhook.receive';

// The webhook routes on Express: Meta's GET handshake, and the POST for any request the plain
// front door (front-door.ts) did not take — or all of them where it is not installed.

const noRoute = (req: Request) =>
  new AppError('not_found', 'route_not_found', `no route for ${req.method} ${req.path}`);

function typeOf(req: Request): ChannelType {
  const type = ChannelType.safeParse(req.params['type']);
  if (!type.success) throw noRoute(req);
  return type.data;
}

export function webhookRoutes(deps: WebhookDeps): Router {
  const r = express.Router();

  // Meta's verification handshake (sent when the callback URL or verify token is edited).
  r.get('/webhooks/:type/:channelId', async (req, res) => {
    const channel = await channelFor(deps, typeOf(req), String(req.params['channelId'] ?? ''));
    const adapter = adapterFor(channel.type);
    if (!adapter.verifyHandshake) throw noRoute(req);
    const result = adapter.verifyHandshake(channel.credentials as never, req.query as Record<string, unknown>);
    if (!result.ok)
      throw new AppError('forbidden', 'verification_failed', 'hub.mode or hub.verify_token does not match');
    res.status(200).type('text/plain').send(result.challenge);
  });

  r.post('/webhooks/:type/:channelId', (req, res, next) => {
    Promise.resolve()
      .then(() => receiveWebhook(deps, typeOf(req), String(req.params['channelId'] ?? ''), req, res))
      .then(() => res.status(200).json({ ok: true }))
      .catch((err: unknown) => next(err));
  });

  return r;
}
