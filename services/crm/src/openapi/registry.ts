import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// The one OpenAPI registry of the REST API. Every route file adds its operations here —
// `api.route(...)` (http/route.ts) does it for you; a route written by hand can call
// `registerApiPath({ method, path: '/api/v1/…/{id}', … })` with its zod schemas. Schemas name
// themselves with `.meta({ id: 'Contact' })` and land in components/schemas.
// The registry lives for the process; services may be built more than once (tests build one
// per driver set), so registrations are keyed by method + path and the first one wins.

export const openApiRegistry = new OpenAPIRegistry();

openApiRegistry.registerComponent('securitySchemes', 'bearerAuth', {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description: 'Access token from POST /api/v1/auth/login or /auth/refresh (valid 15 minutes).',
});
openApiRegistry.registerComponent('securitySchemes', 'apiToken', {
  type: 'apiKey',
  in: 'header',
  name: 'Authorization',
  description: 'Workspace API token: `Authorization: Token <token>` (POST /api/v1/api-tokens).',
});

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'contact_phone_taken' }),
      message: z.string(),
      details: z
        .array(z.object({ field: z.string(), message: z.string() }))
        .optional()
        .meta({ description: 'For validation errors: one entry per field at fault.' }),
    }),
  })
  .meta({ id: 'Error', description: 'The one error shape of every endpoint.' });

const registered = new Set<string>();

export function registerApiPath(route: RouteConfig): void {
  const key = `${route.method} ${route.path}`;
  if (registered.has(key)) return;
  registered.add(key);
  openApiRegistry.registerPath(route);
}

/** Express `/contacts/:id` → OpenAPI `/contacts/{id}`. */
export function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

/**
 * The document. A route whose schemas the generator cannot express (e.g. `z.never()`) must not
 * take the whole document down: such routes are left out, named in `x-undocumented` and
 * reported through `onSkip`, and the rest is served.
 */
export function buildOpenApiDocument(
  opts: { serverUrl?: string; onSkip?: (route: string, err: unknown) => void } = {},
) {
  const all = openApiRegistry.definitions;
  try {
    return generate(all, opts.serverUrl);
  } catch {
    const others = all.filter((d) => d.type !== 'route');
    const skipped: string[] = [];
    const ok = all.filter((d) => {
      if (d.type !== 'route') return false;
      try {
        generate([...others, d], opts.serverUrl);
        return true;
      } catch (err) {
        const name = `${d.route.method.toUpperCase()} ${d.route.path}`;
        skipped.push(name);
        opts.onSkip?.(name, err);
        return false;
      }
    });
    return { ...generate([...others, ...ok], opts.serverUrl), 'x-undocumented': skipped };
  }
}

function generate(definitions: OpenAPIRegistry['definitions'], serverUrl: string | undefined) {
  return new OpenApiGeneratorV31(definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Omnichannel Hub API',
      version: '1.0.0',
      description:
        'REST API of the hub. Every route except login, refresh, sign-up and lead intake needs ' +
        '`Authorization: Bearer <accessToken>`. Errors always have the shape `{"error":{"code","message","details"?}}`; ' +
        'a record of another workspace answers 404.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
  });
}
