import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '@hub/shared/logger';

// In embedded mode the hub serves the web inbox itself: SvelteKit's adapter-node output
// (`web/build/handler.js`) is a connect-style middleware, mounted after the API, webhook and
// Socket.IO routes. In scaled mode the web app runs on its own (`node web/build`).

/** `web/build` of this checkout. */
export const defaultWebBuildDir = fileURLToPath(new URL('../../../web/build', import.meta.url));

/** Paths that belong to the API side: never answered by the web app, even when unknown. */
const isServerPath = (p: string) =>
  p === '/api' ||
  p.startsWith('/api/') ||
  p.startsWith('/webhooks/') ||
  p.startsWith('/socket.io/') ||
  p === '/healthz';

export interface MountWebOptions {
  logger: Logger;
  /** Defaults to this checkout's `web/build`. */
  buildDir?: string;
}

/**
 * Serves the built web app on `app`. Call it after every API/webhook router and before the
 * 404 handler. Browsers (requests that accept `text/html`) get the app for any page path;
 * other clients asking for an unknown path still reach the JSON 404 of the API, so the
 * error shape stays the same for scripts whatever the web app does.
 */
export function mountWeb(app: Express, opts: MountWebOptions): void {
  // Once per app, whoever calls it (the hub factory, a test wrapping it).
  if (app.locals['hubWebMounted']) return;
  app.locals['hubWebMounted'] = true;
  const buildDir = opts.buildDir ?? defaultWebBuildDir;
  const handlerFile = join(buildDir, 'handler.js');
  const log = opts.logger.child({ component: 'web' });

  let serve: RequestHandler;
  if (!existsSync(handlerFile)) {
    log.warn(
      `web app not built (${buildDir} is missing): run \`npx tsx scripts/ensure-web-build.ts\` or \`npm run build -w web\``,
    );
    serve = (_req, res) => {
      res.status(503).type('html').send(NOT_BUILT_PAGE);
    };
  } else {
    // The import runs once (module cache); requests that arrive while it loads wait for it.
    const loading = import(pathToFileURL(handlerFile).href).then(
      (mod: { handler: RequestHandler }) => mod.handler,
      (err: unknown) => {
        log.error({ err }, 'web app failed to load');
        return undefined;
      },
    );
    serve = (req, res, next) => {
      loading.then(
        (handler) => (handler ? handler(req, res, next) : res.status(503).type('html').send(NOT_BUILT_PAGE)),
        next,
      );
    };
  }

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (isServerPath(req.path)) return next();
    // Only real page loads: `Accept: */*` (fetch, curl) is an API client asking for a path.
    if (isAsset(req.path) || (req.get('accept') ?? '').includes('text/html')) return serve(req, res, next);
    next();
  });
}

/** Files of the built client (hashed bundles, favicon, robots.txt…). */
function isAsset(path: string): boolean {
  return path.startsWith('/_app/') || /\/[^/]+\.[a-z0-9]+$/i.test(path);
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hub: web app not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>The web app is not built yet</h1>
<p>The API is running. Build the inbox with <code>npx tsx scripts/ensure-web-build.ts</code>
(or <code>npm run build -w web</code>) and reload this page.</p>
</body></html>
`;
