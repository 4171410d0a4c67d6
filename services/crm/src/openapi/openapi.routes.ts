import express, { type Router } from 'express';
import { apiReference } from '@scalar/express-api-reference';
import type { Logger } from '@hub/shared/logger';
import { buildOpenApiDocument } from './registry';

/** GET /api/openapi.json (the document) and GET /api/docs (the interactive reference). */
export function openApiRoutes(logger?: Logger): Router {
  const r = express.Router();
  let doc: unknown;
  r.get('/openapi.json', (_req, res) => {
    // Built on first request, when every route file has registered its operations.
    doc ??= buildOpenApiDocument({
      onSkip: (route, err) =>
        logger?.warn(
          { route, err: err instanceof Error ? err.message : String(err) },
          'route left out of the OpenAPI document',
        ),
    });
    res.json(doc);
  });
  r.get('/docs', apiReference({ url: '/api/openapi.json', pageTitle: 'Omnichannel Hub API' }));
  return r;
}
