import type { Express } from 'express';

// Lists every route an Express 5 app would answer, walking the router stack (router 2.x keeps
// each layer's mount path as `rawPath`). Used by the workspace-isolation guard test so routes
// added later — by anyone, by any means — are covered without being listed by hand.

export interface IntrospectedRoute {
  method: string;
  path: string;
}

interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

export function listRoutes(app: Express): IntrospectedRoute[] {
  const out: IntrospectedRoute[] = [];
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  walk(router.stack, '', out);
  return out;
}

function walk(stack: Layer[], prefix: string, out: IntrospectedRoute[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const p of paths) {
        if (typeof p !== 'string') continue;
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: join(prefix, p) });
        }
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '';
      walk(layer.handle.stack, join(prefix, mount), out);
    }
  }
}

function join(a: string, b: string): string {
  const s = `${a}/${b}`.replace(/\/+/g, '/');
  return s.length > 1 ? s.replace(/\/$/, '') : s;
}
