import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { errorHandler, notFoundHandler } from '@hub/shared/http';
import { mountWeb } from '../src/web';

// The web mount when the app has not been built: one log line, a page saying how to build
// it for browsers, and the API's JSON 404 untouched for everyone else.
// (Serving the real build is covered by web/test/e2e.)

describe('mountWeb without a build', () => {
  let server: Server;
  let base = '';
  const lines: string[] = [];

  beforeAll(async () => {
    const app = express();
    app.get('/api/v1/ping', (_req, res) => void res.json({ ok: true }));
    // Log lines as JSON, collected.
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line).msg) });
    mountWeb(app, { logger, buildDir: '/nonexistent/web/build' });
    app.use(notFoundHandler());
    app.use(errorHandler);
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('logs one line telling how to build it', () => {
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/web app not built.*ensure-web-build/);
  });

  it('answers browsers with a page that says so', async () => {
    const res = await fetch(`${base}/inbox`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('The web app is not built yet');
  });

  it('leaves the API and unknown paths of API clients to the JSON handlers', async () => {
    expect(await (await fetch(`${base}/api/v1/ping`, { headers: { accept: 'text/html' } })).json()).toEqual({
      ok: true,
    });
    for (const [path, accept] of [
      ['/api/v1/nope', 'text/html'],
      ['/nope', '*/*'],
      ['/webhooks/whatsapp/x', 'text/html'],
    ] as const) {
      const res = await fetch(`${base}${path}`, { headers: { accept } });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
    }
  });

  it('never answers a POST', async () => {
    const res = await fetch(`${base}/inbox`, { method: 'POST', headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
  });
});
