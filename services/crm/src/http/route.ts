import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z, type ZodError } from 'zod';
import {
  rolesFor,
  scoped,
  systemScope,
  type Action,
  type AuthContext,
  type Resource,
  type WorkspaceScope,
} from '@hub/shared/auth';
import type { Db } from '@hub/shared/db';
import { AppError } from '@hub/shared/errors';
import { ErrorBody, registerApiPath, toOpenApiPath } from '../openapi/registry';
import { can } from '../auth/auth.middleware';

// One way to declare a REST route: its access rule (a cell of the permission matrix), its zod
// schemas, and its handler. From that one declaration the route gets authentication, the
// permission check, parsing of params/query/body into typed values, a workspace scope, the
// JSON answer with the right status, and its OpenAPI operation. It is also recorded in
// `routeCatalog`, which the permission and isolation tests walk.

export type Access =
  | { kind: 'public' }
  /** Any signed-in user of the workspace. */
  | { kind: 'signedIn' }
  | { kind: 'permission'; resource: Resource; action: Action }
  /** `Authorization: Token <workspace api token>` (integrations). */
  | { kind: 'apiToken' };

export const access = {
  public: { kind: 'public' } as const,
  signedIn: { kind: 'signedIn' } as const,
  apiToken: { kind: 'apiToken' } as const,
  can: (resource: Resource, action: Action): Access => ({ kind: 'permission', resource, action }),
};

export interface RouteMeta {
  method: HttpMethod;
  /** Full express path, e.g. /api/v1/contacts/:id */
  path: string;
  access: Access;
}

/** Every route declared through `ApiRouter.route`, keyed "METHOD /full/path". */
export const routeCatalog = new Map<string, RouteMeta>();

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  /** The service clock (rt.clock) read once for this request. */
  now: Date;
  /** The caller; only on signed-in routes. */
  readonly auth: AuthContext;
  /** The caller's workspace (a user's, or an API token's). Not on public routes. */
  readonly scope: WorkspaceScope;
}

type AnyObject = z.ZodType<Record<string, unknown>>;

export interface RouteDef<
  P extends AnyObject,
  Q extends AnyObject,
  B extends z.ZodType,
  R extends z.ZodType | undefined,
> {
  method: HttpMethod;
  /** Express path relative to the router's base, e.g. '/contacts/:id'. */
  path: string;
  access: Access;
  summary: string;
  description?: string;
  tags: string[];
  /** Path parameters; by default every `:param` is a uuid (a malformed id answers 404). */
  params?: P;
  query?: Q;
  body?: B;
  /** Success status (default 200). 204 sends no body. */
  status?: 200 | 201 | 202 | 204;
  response?: R;
  /** Other error statuses worth documenting (400/401/403/404 are added from the shape). */
  errors?: Partial<Record<409 | 422 | 429, string>>;
  handler: (
    ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>,
  ) => Promise<R extends z.ZodType ? z.input<R> : void>;
}

export interface ApiRouterDeps {
  db: Db;
  clock: () => Date;
  /** Mount point of this router, e.g. '/api/v1' (for the catalog and OpenAPI paths). */
  basePath: string;
  authenticate: RequestHandler;
  authenticateApiToken: RequestHandler;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the API-token middleware. */
    apiToken?: { id: string; workspaceId: string };
  }
}

function paramNames(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
}

/** Zod issues → one detail per field; unknown keys are named one by one. */
export function validationError(err: ZodError, where: 'body' | 'query'): AppError {
  const details = err.issues.flatMap((i) => {
    const base = i.path.join('.');
    if (i.code === 'unrecognized_keys') {
      // A schema may explain a key as "key: why" (see LeadPatch); otherwise the default.
      const why = new Map(
        i.message.split('; ').flatMap((part) => {
          const m = /^(\w+): (.+)$/.exec(part);
          return m ? [[m[1]!, m[2]!] as const] : [];
        }),
      );
      return i.keys.map((k) => ({ field: base ? `${base}.${k}` : k, message: why.get(k) ?? 'is not accepted here' }));
    }
    return [{ field: base || `(${where})`, message: i.message }];
  });
  return new AppError(
    'validation_failed',
    'validation_failed',
    `invalid ${details.map((d) => d.field).join(', ')}`,
    details,
  );
}

export class ApiRouter {
  readonly router: Router = express.Router();

  constructor(private readonly deps: ApiRouterDeps) {}

  route<
    P extends AnyObject = z.ZodObject<Record<string, z.ZodString>>,
    Q extends AnyObject = z.ZodObject<Record<string, never>>,
    B extends z.ZodType = z.ZodUnknown,
    R extends z.ZodType | undefined = undefined,
  >(def: RouteDef<P, Q, B, R>): void {
    const names = paramNames(def.path);
    const params =
      def.params ?? (z.object(Object.fromEntries(names.map((n) => [n, z.uuid()]))) as unknown as AnyObject);
    const fullPath = `${this.deps.basePath}${def.path}`;
    routeCatalog.set(`${def.method.toUpperCase()} ${fullPath}`, {
      method: def.method,
      path: fullPath,
      access: def.access,
    });
    this.document(def, fullPath, params, names.length > 0);

    const { db, clock } = this.deps;
    const guards: RequestHandler[] = [];
    switch (def.access.kind) {
      case 'public':
        break;
      case 'signedIn':
        guards.push(this.deps.authenticate);
        break;
      case 'permission':
        guards.push(this.deps.authenticate, can(def.access.resource, def.access.action));
        break;
      case 'apiToken':
        guards.push(this.deps.authenticateApiToken);
        break;
      default: {
        const never: never = def.access;
        throw new Error(`unknown access ${JSON.stringify(never)}`);
      }
    }

    const handler: RequestHandler = async (req, res) => {
      const p = params.safeParse(req.params);
      // A malformed id cannot name a record: same answer as an unknown one.
      if (!p.success) throw new AppError('not_found', 'not_found', 'no such record');
      let query: unknown = {};
      if (def.query) {
        const q = def.query.safeParse(req.query);
        if (!q.success) throw validationError(q.error, 'query');
        query = q.data;
      }
      let body: unknown = undefined;
      if (def.body) {
        const b = def.body.safeParse(req.body ?? {});
        if (!b.success) throw validationError(b.error, 'body');
        body = b.data;
      }
      const ctx = {
        req,
        res,
        params: p.data,
        query,
        body,
        now: clock(),
        get auth(): AuthContext {
          if (!req.auth) throw new Error(`route ${fullPath} has no signed-in user`);
          return req.auth;
        },
        get scope(): WorkspaceScope {
          if (req.auth) return scoped(db, req.auth);
          if (req.apiToken) return systemScope(db, req.apiToken.workspaceId);
          throw new Error(`route ${fullPath} has no workspace`);
        },
      } as RouteContext<z.output<P>, z.output<Q>, z.output<B>>;
      const result = await def.handler(ctx);
      // The handler answered itself (a binary body such as a PDF): nothing left to send.
      if (res.headersSent) return;
      const status = def.status ?? 200;
      if (status === 204) res.status(204).end();
      else res.status(status).json(result);
    };
    this.router[def.method](def.path, ...guards, handler);
  }

  private document(
    def: RouteDef<AnyObject, AnyObject, z.ZodType, z.ZodType | undefined>,
    fullPath: string,
    params: AnyObject,
    hasParams: boolean,
  ): void {
    const status = def.status ?? 200;
    const err = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
    const responses: Record<string, ReturnType<typeof err> | { description: string; content?: object }> = {
      [status]: def.response
        ? { description: def.summary, content: { 'application/json': { schema: def.response } } }
        : { description: def.summary },
    };
    if (def.body || def.query) responses[400] = err('Invalid input: `details` names each field at fault.');
    if (def.access.kind !== 'public') responses[401] = err('Missing, invalid or expired credentials.');
    if (def.access.kind === 'permission') responses[403] = err('Not allowed for the caller’s role.');
    if (hasParams) responses[404] = err('No such record in the caller’s workspace.');
    for (const [code, description] of Object.entries(def.errors ?? {})) responses[code] = err(description);

    const roles =
      def.access.kind === 'permission'
        ? `Roles: ${rolesFor(def.access.resource, def.access.action).join(', ')}.`
        : def.access.kind === 'apiToken'
          ? 'Authenticated with a workspace API token.'
          : def.access.kind === 'public'
            ? 'Public.'
            : 'Any signed-in user.';
    registerApiPath({
      method: def.method,
      path: toOpenApiPath(fullPath),
      summary: def.summary,
      description: [def.description, roles].filter(Boolean).join('\n\n'),
      tags: def.tags,
      security:
        def.access.kind === 'public' ? [] : def.access.kind === 'apiToken' ? [{ apiToken: [] }] : [{ bearerAuth: [] }],
      request: {
        ...(hasParams ? { params: params as z.ZodObject } : {}),
        ...(def.query ? { query: def.query as unknown as z.ZodObject } : {}),
        ...(def.body ? { body: { content: { 'application/json': { schema: def.body } } } } : {}),
      },
      responses: responses as never,
    });
  }
}
