import { expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { routeCatalog } from '../src/http/route';
import { toOpenApiPath } from '../src/openapi/registry';
import { call, startCrm } from './crm-test-client';

const CORE = /^\w+ \/api\/v1\/(auth|workspaces?|users|api-tokens|contacts|leads|funnels|audit)\b/;

describeDrivers(
  'OpenAPI',
  (set) => startCrm(set),
  (svc) => {
    it('serves an OpenAPI 3.1 document describing every declared route', async () => {
      const res = await call(svc(), 'GET', '/api/openapi.json');
      expect(res.status).toBe(200);
      const doc = res.body;
      expect(doc.openapi).toBe('3.1.0');
      const undocumented = new Set<string>(doc['x-undocumented'] ?? []);
      const missing = [...routeCatalog.values()]
        .map((r) => [r.method, toOpenApiPath(r.path)] as const)
        .filter(([method, path]) => !doc.paths[path]?.[method])
        .map(([method, path]) => `${method.toUpperCase()} ${path}`);
      // A route the generator cannot express is named in x-undocumented instead of breaking the
      // whole document; the CRM core's own routes must all be there.
      expect(missing.filter((r) => !undocumented.has(r))).toEqual([]);
      expect(missing.filter((r) => CORE.test(r))).toEqual([]);
      if (missing.length) console.warn(`[openapi] routes left out of the document: ${missing.join(', ')}`);
      expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiToken', 'bearerAuth']);
    });

    it('describes the contract fields and the error shape', async () => {
      const doc = (await call(svc(), 'GET', '/api/openapi.json')).body;
      const schemas = doc.components.schemas;
      expect(Object.keys(schemas.Contact.properties)).toEqual(
        expect.arrayContaining(['name', 'phone', 'email', 'category', 'status', 'country']),
      );
      expect(schemas.Contact.properties.category.anyOf ?? schemas.Contact.properties.category.enum).toBeTruthy();
      expect(Object.keys(schemas.Lead.properties)).toEqual(
        expect.arrayContaining([
          'contactId',
          'conversationId',
          'source',
          'caseType',
          'status',
          'value',
          'currency',
          'assigneeId',
          'funnelId',
          'stageId',
        ]),
      );
      expect(Object.keys(schemas.Funnel.properties)).toEqual(expect.arrayContaining(['name', 'kind', 'stages']));
      expect(Object.keys(schemas.AuditRecord.properties)).toEqual(
        expect.arrayContaining(['table', 'recordId', 'action', 'before', 'after', 'actorId', 'at']),
      );
      expect(schemas.Error.properties.error.properties.code).toBeTruthy();

      const create = doc.paths['/api/v1/contacts'].post;
      expect(create.responses['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/Contact');
      expect(create.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
      expect(create.responses['409']).toBeTruthy();
      expect(create.security).toEqual([{ bearerAuth: [] }]);
      expect(create.description).toMatch(/Roles: admin/);
      expect(doc.paths['/api/v1/leads/intake'].post.security).toEqual([{ apiToken: [] }]);
      expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
      const params = doc.paths['/api/v1/leads/{id}'].get.parameters;
      expect(params).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
      const listParams = doc.paths['/api/v1/contacts'].get.parameters.map((p: { name: string }) => p.name);
      expect(listParams).toEqual(expect.arrayContaining(['status', 'category', 'tag', 'q', 'cursor', 'limit']));
    });

    it('serves the interactive reference at /api/docs', async () => {
      const res = await fetch(`${svc().url}/api/docs`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toContain('swagger-ui');
      // The page's assets are served locally (no CDN) and point at our document.
      const init = await fetch(`${svc().url}/api/docs/swagger-ui-init.js`);
      expect(init.status).toBe(200);
      expect(await init.text()).toContain('/api/openapi.json');
    });
  },
);
