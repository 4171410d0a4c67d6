import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AppError } from '@hub/shared/errors';
import type { ChannelType } from '@hub/shared/events';
import { receiveWebhook, type WebhookDeps } from './webhook.receive';

// POST /webhooks/:type/:channelId on plain node:http, ahead of Express: the platforms' hot
// path costs several times less CPU without Express's router, request/response decoration and
// per-answer ETag hashing. The answers are Express's to the byte (status, body, Content-Type,
// Content-Length, ETag, X-Request-Id; test/front-door.int.test.ts compares the two), and
// every request it does not take — GET handshake, odd paths, other methods — goes on to Express.

/** Exactly the canonical webhook URL; any variant Express would also match falls through to Express. */
const POST_URL =
  /^\/webhooks\/(whatsapp|messenger|telegram)\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:\?|$)/;

/** Express's default (weak) ETag for a body: W/"<length hex>-<sha1 base64, 27 chars>". */
function weakEtag(body: string): string {
  const hash = createHash('sha1').update(body, 'utf8').digest('base64').substring(0, 27);
  return `W/"${Buffer.byteLength(body, 'utf8').toString(16)}-${hash}"`;
}

const OK_BODY = JSON.stringify({ ok: true });
const OK_ETAG = weakEtag(OK_BODY);

/** As Express's res.json(): the same headers, in the same order. */
function sendJson(res: ServerResponse, status: number, body: string, etag = weakEtag(body)): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body, 'utf8'));
  res.setHeader('ETag', etag);
  res.end(body);
}

/** A request handler that answers webhook POSTs itself and returns false for anything else. */
export function webhookFrontDoor(deps: WebhookDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const debug = () => deps.logger.isLevelEnabled('debug');
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const m = POST_URL.exec(req.url ?? '');
    if (!m) return false;
    const start = performance.now();
    // As shared/src/http requestLogger: the caller's id when sane, else a fresh one.
    const incoming = req.headers['x-request-id'];
    const reqId = typeof incoming === 'string' && incoming && incoming.length <= 128 ? incoming : randomUUID();
    res.setHeader('X-Request-Id', reqId);
    const done = (status: number) => {
      if (status < 500 && !debug()) return;
      const line = { reqId, method: req.method, url: req.url, status, ms: performance.now() - start };
      if (status >= 500) deps.logger.error(line, 'request');
      else deps.logger.debug(line, 'request');
    };
    receiveWebhook(deps, m[1] as ChannelType, m[2]!, req, res).then(
      () => {
        sendJson(res, 200, OK_BODY, OK_ETAG);
        done(200);
      },
      (err: unknown) => {
        // As shared/src/http errorHandler: AppErrors as they are, anything else a logged 500.
        let appError: AppError;
        if (err instanceof AppError) appError = err;
        else {
          deps.logger.error({ err, reqId }, 'unhandled error');
          appError = new AppError('internal', 'internal', 'internal error');
        }
        if (!res.headersSent) sendJson(res, appError.status, JSON.stringify(appError.toBody()));
        done(res.statusCode);
      },
    );
    return true;
  };
}

/**
 * Puts `handler` ahead of the server's request listeners (the Express app): what it does not
 * take goes on to them unchanged. Socket.IO's engine attaches the same way.
 */
export function putInFront(server: Server, handler: (req: IncomingMessage, res: ServerResponse) => boolean): void {
  const rest = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (handler(req, res)) return;
    for (const listener of rest) listener.call(server, req, res);
  });
}
