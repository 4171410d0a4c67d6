import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler, Router } from 'express';
import express from 'express';
import { ZodError } from 'zod';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { Runtime } from '../runtime';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

/** Gives every request an id (kept from X-Request-Id when sent) and one log line at the end. */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && incoming.length <= 128 ? incoming : randomUUID();
    req.log = logger.child({ reqId: req.id });
    res.setHeader('X-Request-Id', req.id);
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const level = res.statusCode >= 500 ? 'error' : 'debug';
      req.log[level]({ method: req.method, url: req.originalUrl, status: res.statusCode, ms }, 'request');
    });
    next();
  };
}

export function zodToDetails(err: ZodError): { field: string; message: string }[] {
  return err.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
}

/** The one place that turns errors into HTTP answers: {"error":{"code","message","details"?}}. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  void _next;
  let appError: AppError;
  if (err instanceof AppError) appError = err;
  else if (err instanceof ZodError) {
    const details = zodToDetails(err);
    appError = new AppError(
      'validation_failed',
      'validation_failed',
      `invalid ${details.map((d) => d.field).join(', ')}`,
      details,
    );
  } else if (isBodyParserError(err)) {
    appError =
      err.type === 'entity.too.large'
        ? new AppError('payload_too_large', 'payload_too_large', 'request body is too large')
        : err.type === 'entity.parse.failed'
          ? new AppError('invalid_json', 'invalid_json', 'request body is not valid JSON')
          : new AppError('bad_request', 'bad_request', err.message);
  } else {
    req.log?.error({ err }, 'unhandled error');
    appError = new AppError('internal', 'internal', 'internal error');
  }
  if (res.headersSent) return;
  res.status(appError.status).json(appError.toBody());
};

function isBodyParserError(err: unknown): err is { type: string; message: string } {
  return (
    typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string' && 'status' in err
  );
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) =>
    next(new AppError('not_found', 'route_not_found', `no route for ${req.method} ${req.path}`));
}

export function healthRouter(rt: Pick<Runtime, 'database' | 'queues'>): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', db: rt.database.kind, queue: rt.queues.kind });
  });
  return router;
}
