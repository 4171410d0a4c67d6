import { createServer, type Server } from 'node:http';
import express, { type Express } from 'express';
import { ConfigError, loadConfig, type Config } from '../config';
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime';
import { errorHandler, healthRouter, notFoundHandler, requestLogger } from '../http';

// What every service's main.ts does: parse config, build the drivers, hand them to the
// service's factory, listen, and shut down cleanly on SIGTERM/SIGINT.

export interface ServiceParts {
  /** Mounted after /healthz and before the 404 + error handlers. */
  mount?(app: Express): void;
  /** Called once the HTTP server exists (Socket.IO attaches here). */
  attach?(server: Server): void | Promise<void>;
  /** Stop taking work; called before the runtime closes. */
  close?(): Promise<void>;
}

export interface RunningService {
  rt: Runtime;
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startService(
  name: string,
  config: Config,
  build: (rt: Runtime) => Promise<ServiceParts> | ServiceParts,
  opts: RuntimeOptions & { port?: number } = {},
): Promise<RunningService> {
  const rt = await createRuntime(config, opts);
  const log = rt.logger.child({ service: name });
  const parts = await build(rt);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLogger(log));
  app.use(healthRouter(rt));
  parts.mount?.(app);
  app.use(notFoundHandler());
  app.use(errorHandler);
  const server = createServer(app);
  // Keep-alive longer than typical proxies so load balancers don't hit closed sockets.
  server.keepAliveTimeout = 65_000;
  await parts.attach?.(server);
  const port = opts.port ?? config.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  log.info({ port: actualPort, db: rt.database.kind, queue: rt.queues.kind }, `${name} listening`);
  let closing: Promise<void> | undefined;
  return {
    rt,
    server,
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await parts.close?.();
        await rt.close();
        server.closeAllConnections();
        await serverClosed;
      })();
      return closing;
    },
  };
}

/** Entry point for a main.ts: exits with one clear line on bad config. */
export async function runMain(
  name: string,
  build: (rt: Runtime) => Promise<ServiceParts> | ServiceParts,
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  let svc: RunningService;
  try {
    svc = await startService(name, config, build);
  } catch (err) {
    process.stderr.write(`${name} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    svc.rt.logger.info({ signal }, `${name} shutting down`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    svc.close().then(
      () => process.exit(0),
      (err: unknown) => {
        svc.rt.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
