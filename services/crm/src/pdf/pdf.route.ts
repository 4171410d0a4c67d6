import { z } from 'zod';
import { rolesFor, type Resource } from '@hub/shared/auth';
import { access, type ApiRouter, type RouteContext } from '../http/route';
import { ErrorBody, registerApiPath, toOpenApiPath } from '../openapi/registry';

// GET routes that answer a PDF instead of JSON. Declared through ApiRouter like every other
// route (auth, the permission matrix, uuid params, the route catalog the permission tests
// walk); the handler writes the bytes itself. The OpenAPI operation is registered here first,
// with an application/pdf body — the registry keeps the first registration of a path.

/** Where ApiRouter is mounted (crm.app.ts), for the OpenAPI path. */
const BASE = '/api/v1';

export interface PdfFile {
  fileName: string;
  bytes: Buffer;
}

export function pdfRoute<P extends z.ZodType<Record<string, unknown>> = z.ZodObject<Record<string, z.ZodString>>>(
  api: ApiRouter,
  def: {
    path: string;
    resource: Resource;
    summary: string;
    description?: string;
    tags: string[];
    params?: P;
    render: (c: RouteContext<z.output<P>, Record<string, never>, unknown>) => Promise<PdfFile>;
  },
): void {
  const err = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
  const names = [...def.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const params = def.params ?? z.object(Object.fromEntries(names.map((n) => [n, z.uuid()])));
  registerApiPath({
    method: 'get',
    path: toOpenApiPath(`${BASE}${def.path}`),
    summary: def.summary,
    description: [def.description, `Roles: ${rolesFor(def.resource, 'read').join(', ')}.`].filter(Boolean).join('\n\n'),
    tags: def.tags,
    security: [{ bearerAuth: [] }],
    request: { params: params as z.ZodObject },
    responses: {
      200: {
        description: 'The PDF (Content-Disposition: inline; filename=…)',
        content: { 'application/pdf': { schema: z.string().meta({ format: 'binary' }) } },
      },
      401: err('Missing, invalid or expired credentials.'),
      403: err('Not allowed for the caller’s role.'),
      404: err('No such record in the caller’s workspace.'),
    },
  });
  api.route({
    method: 'get',
    path: def.path,
    access: access.can(def.resource, 'read'),
    summary: def.summary,
    tags: def.tags,
    ...(def.params ? { params: def.params } : {}),
    handler: async (c) => {
      const file = await def.render(c as never);
      c.res
        .status(200)
        .type('application/pdf')
        .setHeader('Content-Disposition', `inline; filename="${file.fileName.replace(/[^\w.-]/g, '_')}"`)
        .setHeader('Cache-Control', 'private, no-store')
        .end(file.bytes);
    },
  });
}
