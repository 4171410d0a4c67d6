import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAllowed, permissions, roles, type Action, type Resource, type Role } from '@hub/shared/auth';
import { describeDrivers } from '@hub/shared/testing';
import { routeCatalog, type RouteMeta } from '../src/http/route';
import { call, startCrm, team, type Team } from './crm-test-client';

// The permission matrix, role by role over every declared route: a role the matrix does not
// list for (resource, action) gets 403 before anything else happens; a role it lists never
// does. Routes are read from the route catalog, so new routes are covered as they are added.

const fill = (path: string) => path.replace(/:(\w+)/g, () => randomUUID());

describeDrivers(
  'permission matrix',
  async (set) => {
    const svc = await startCrm(set);
    return Object.assign(svc, { team: undefined as Team | undefined });
  },
  (svc) => {
    beforeAll(async () => {
      svc().team = await team(svc());
    });

    it('covers every route family of the matrix', () => {
      const families = new Set(
        [...routeCatalog.values()].flatMap((r) => (r.access.kind === 'permission' ? [r.access.resource] : [])),
      );
      for (const f of ['workspace', 'users', 'apiTokens', 'audit', 'contacts', 'leads', 'funnels'] as const) {
        expect(families).toContain(f);
      }
    });

    it('answers 403 exactly where the matrix says, for every role and route', async () => {
      const routes = [...routeCatalog.values()].filter(
        (r): r is RouteMeta & { access: { kind: 'permission' } } => r.access.kind === 'permission',
      );
      expect(routes.length).toBeGreaterThan(25);
      const mismatches: string[] = [];
      for (const route of routes) {
        const { resource, action } = route.access as { resource: Resource; action: Action };
        for (const role of roles) {
          const session = svc().team![role as Role];
          const res = await call(svc(), route.method.toUpperCase(), fill(route.path), {
            token: session.accessToken,
            ...(route.method === 'get' || route.method === 'delete' ? {} : { body: {} }),
          });
          const allowed = isAllowed(role, resource, action);
          const forbidden = res.status === 403;
          if (allowed === forbidden || res.status === 401 || res.status >= 500) {
            mismatches.push(
              `${role} ${route.method.toUpperCase()} ${route.path} → ${res.status} (matrix: ${allowed ? 'allowed' : 'denied'})`,
            );
          }
          if (forbidden) expect(res.body.error.code).toBe('forbidden');
        }
      }
      expect(mismatches).toEqual([]);
    });

    it('answers 401 without a token on every non-public route', async () => {
      const failures: string[] = [];
      for (const route of routeCatalog.values()) {
        if (route.access.kind === 'public') continue;
        const res = await call(svc(), route.method.toUpperCase(), fill(route.path), { body: {} });
        if (res.status !== 401) failures.push(`${route.method} ${route.path} → ${res.status}`);
      }
      expect(failures).toEqual([]);
    });

    describe('row-level rules on top of the matrix', () => {
      it('agents may create leads only for themselves', async () => {
        const t = svc().team!;
        const contact = await call(svc(), 'POST', '/api/v1/contacts', {
          token: t.agent.accessToken,
          body: { name: 'Row' },
        });
        const forOther = await call(svc(), 'POST', '/api/v1/leads', {
          token: t.agent.accessToken,
          body: { contactId: contact.body.id, assigneeId: t.supervisor.user.id },
        });
        expect(forOther.status).toBe(403);
        const own = await call(svc(), 'POST', '/api/v1/leads', {
          token: t.agent.accessToken,
          body: { contactId: contact.body.id },
        });
        expect(own.status).toBe(201);
        expect(own.body.assigneeId).toBe(t.agent.user.id);
      });
    });
  },
);

describe('permission matrix (data)', () => {
  it('gives admins everything the matrix defines and names only known roles', () => {
    for (const [resource, byAction] of Object.entries(permissions)) {
      for (const [action, allowed] of Object.entries(byAction)) {
        expect(allowed, `${resource}.${action}`).toContain('admin');
        for (const r of allowed as readonly string[]) expect(roles).toContain(r);
      }
    }
  });

  it('keeps the documented separations of duty', () => {
    expect(isAllowed('agent', 'audit', 'read')).toBe(false);
    expect(isAllowed('supervisor', 'audit', 'read')).toBe(true);
    expect(isAllowed('marketer', 'campaigns', 'create')).toBe(true);
    expect(isAllowed('manager', 'campaigns', 'create')).toBe(false);
    expect(isAllowed('manager', 'invoices', 'create')).toBe(true);
    expect(isAllowed('marketer', 'invoices', 'read')).toBe(false);
    expect(isAllowed('agent', 'users', 'create')).toBe(false);
    expect(isAllowed('supervisor', 'apiTokens', 'create')).toBe(false);
  });
});
