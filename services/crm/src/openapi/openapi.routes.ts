import express, { type Router } from 'express';
import swaggerUi from 'swagger-ui-express';
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
  // swagger-ui-express serves its own assets, so the page works without internet access.
  r.use(
    '/docs',
    swaggerUi.serve,
    swaggerUi.setup(undefined, {
      swaggerOptions: { url: '/api/openapi.json' },
      customSiteTitle: 'Omnichannel Hub API',
    }),
  );
  return r;
}
