import type { Express } from 'express';
import { beforeAll, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from '@hub/shared/db';
import { describeDrivers } from '@hub/shared/testing';
import { listRoutes, type IntrospectedRoute } from '../src/http/route-introspection';
import { call, newPhone, startCrm, team, type Crm, type Team } from './crm-test-client';

// The workspace-isolation guard. It walks EVERY route the CRM app registers (introspecting the
// Express router, so routes added later by anyone are covered without being listed here) and
// proves that a user of workspace B, even an admin:
//   - gets 404 for each route with a path parameter, given ids of A's records of every table;
//   - never sees any of A's ids in the answer of a list route (no path parameter).
// For GET routes it also checks that A's own user does get an answer for some A id, so a route
// is not "passing" only because nothing was seeded for it.

/** Public routes with path parameters (none of them may reveal a workspace's data). */
const PUBLIC_ALLOWED: string[] = [];

/** GET routes whose records this test does not seed, with the reason. */
const NOT_SEEDED: Record<string, string> = {
  'GET /api/v1/media/:id': 'media files need a stored download; media isolation is covered by the conversation tests',
};

/** The routes of the CRM core (this suite seeds their records). */
const CORE_ROUTES =
  /^GET \/api\/v1\/(contacts|leads|funnels|users|api-tokens|audit|workspace|channels|conversations)\b/;

/** Bodies that pass validation, so the answer comes from the record lookup. */
function sampleBody(method: string, path: string, a: Seed): unknown {
  const key = `${method} ${path}`;
  const bodies: Record<string, unknown> = {
    'POST /api/v1/leads/:id/status': { status: 'won' },
    'POST /api/v1/leads/:id/assign': { assigneeId: null },
    'POST /api/v1/leads/:id/move': { stageId: a.stageId },
    'POST /api/v1/contacts/:id/merge': { otherId: a.otherContactId },
    'POST /api/v1/users/:id/password': { password: 'not going to happen' },
  };
  return bodies[key] ?? (method === 'GET' ? undefined : {});
}

interface Seed {
  ids: Map<string, string>; // table → one id of workspace A
  allIds: string[];
  stageId: string;
  otherContactId: string;
}

async function seedWorkspaceA(svc: Crm, a: Team): Promise<Seed> {
  const token = a.admin.accessToken;
  const c1 = await call(svc, 'POST', '/api/v1/contacts', {
    token,
    body: { name: 'A one', phone: newPhone(), tags: ['vip'] },
  });
  const c2 = await call(svc, 'POST', '/api/v1/contacts', { token, body: { name: 'A two', email: 'two@a.example' } });
  const funnels = await call(svc, 'GET', '/api/v1/funnels', { token });
  const sales = funnels.body.items.find((f: { kind: string }) => f.kind === 'sales');
  const lead = await call(svc, 'POST', '/api/v1/leads', {
    token,
    body: { contactId: c1.body.id, value: 1000, currency: 'EUR' },
  });
  await call(svc, 'POST', `/api/v1/leads/${lead.body.id}/move`, { token, body: { stageId: sales.stages[1].id } });
  await call(svc, 'POST', '/api/v1/api-tokens', { token, body: { name: 'A form' } });
  await call(svc, 'POST', '/api/v1/funnels', {
    token,
    body: { name: 'A custom', kind: 'sales', stages: [{ name: 'One' }] },
  });

  // The inbox's records come from webhooks; write a channel, a conversation and a message
  // straight into the database for A.
  const db = svc.rt.database.db;
  const ws = a.admin.user.workspaceId;
  const channel = await db
    .insertInto('channels')
    .values({ workspace_id: ws, type: 'telegram', name: 'A bot', credentials: 'x', external_id: `bot-${randomUUID()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const conversation = await db
    .insertInto('conversations')
    .values({ workspace_id: ws, channel_id: channel.id, contact_id: c1.body.id, last_activity_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('messages')
    .values({
      workspace_id: ws,
      conversation_id: conversation.id,
      channel_id: channel.id,
      direction: 'in',
      type: 'text',
      text: 'secret of A',
      status: 'received',
      provider_message_id: `${randomUUID()}`,
      sent_at: new Date(),
    } as never)
    .execute();

  // One id per table that has (id, workspace_id): whatever tables exist now or later.
  const tables = await sql<{ table_name: string }>`
    select c.table_name from information_schema.columns c
    where c.table_schema = 'public' and c.column_name = 'workspace_id'
      and exists (select 1 from information_schema.columns i
                  where i.table_schema = 'public' and i.table_name = c.table_name and i.column_name = 'id')
    order by c.table_name`.execute(db);
  const ids = new Map<string, string>([['workspaces', ws]]);
  const allIds: string[] = [ws];
  for (const { table_name } of tables.rows) {
    const rows = await sql<{
      id: string;
    }>`select id::text as id from ${sql.table(table_name)} where workspace_id = ${ws}`.execute(db);
    if (rows.rows[0]) ids.set(table_name, rows.rows[0].id);
    allIds.push(...rows.rows.map((r) => r.id));
  }
  return { ids, allIds, stageId: sales.stages[2].id, otherContactId: c2.body.id };
}

describeDrivers(
  'workspace isolation guard',
  async (set) =>
    Object.assign(await startCrm(set), {
      a: undefined as Team | undefined,
      b: undefined as Team | undefined,
      seed: undefined as Seed | undefined,
    }),
  (svc) => {
    let routes: IntrospectedRoute[] = [];

    beforeAll(async () => {
      svc().a = await team(svc());
      svc().b = await team(svc());
      svc().seed = await seedWorkspaceA(svc(), svc().a!);
      // The routes of the running app itself (the request listener of its HTTP server).
      const app = svc().server.listeners('request')[0] as Express;
      routes = listRoutes(app).filter((r) => r.path.startsWith('/api/v1/'));
    });

    it('finds the routes to check', () => {
      const paths = routes.map((r) => `${r.method} ${r.path}`);
      expect(paths).toContain('GET /api/v1/contacts/:id');
      expect(paths).toContain('POST /api/v1/leads/:id/move');
      expect(routes.filter((r) => r.path.includes(':')).length).toBeGreaterThan(15);
      expect(svc().seed!.ids.size).toBeGreaterThan(10);
    });

    it('answers 404 to workspace B for every A record on every route with an id', async () => {
      const { b, seed } = { b: svc().b!, seed: svc().seed! };
      const failures: string[] = [];
      for (const route of routes.filter((r) => r.path.includes(':'))) {
        const key = `${route.method} ${route.path}`;
        if (PUBLIC_ALLOWED.includes(key)) continue;
        const body = sampleBody(route.method, route.path, seed);
        const unknown = await call(svc(), route.method, route.path.replace(/:\w+/g, randomUUID()), {
          token: b.admin.accessToken,
          body,
        });
        for (const [table, id] of seed.ids) {
          const res = await call(svc(), route.method, route.path.replace(/:\w+/g, id), {
            token: b.admin.accessToken,
            body,
          });
          // 404 is the rule. A route that rejects the body before looking anything up answers
          // exactly as for an id that exists nowhere: that reveals nothing either.
          const ok = res.status === 404 || (res.status === 400 && unknown.status === 400);
          if (!ok) failures.push(`${key} with ${table} id → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it("never shows workspace B any of A's ids in a list", async () => {
      const { b, seed } = { b: svc().b!, seed: svc().seed! };
      const leaks: string[] = [];
      for (const route of routes.filter((r) => r.method === 'GET' && !r.path.includes(':'))) {
        const res = await call(svc(), 'GET', route.path, { token: b.admin.accessToken });
        const text = JSON.stringify(res.body ?? '');
        const seen = seed.allIds.filter((id) => text.includes(id));
        if (seen.length) leaks.push(`GET ${route.path} shows ${seen.length} id(s) of A`);
        if (res.status >= 500) leaks.push(`GET ${route.path} → ${res.status}`);
      }
      expect(leaks).toEqual([]);
    });

    it("still answers workspace A's own user on every GET route with an id (the check above is not vacuous)", async () => {
      const { a, seed } = { a: svc().a!, seed: svc().seed! };
      const unseeded: string[] = [];
      for (const route of routes.filter((r) => r.method === 'GET' && r.path.includes(':'))) {
        const key = `GET ${route.path}`;
        if (NOT_SEEDED[key] || PUBLIC_ALLOWED.includes(key)) continue;
        let found = false;
        for (const id of seed.ids.values()) {
          const res = await call(svc(), 'GET', route.path.replace(/:\w+/g, id), { token: a.admin.accessToken });
          if (res.status === 200) {
            found = true;
            break;
          }
        }
        if (!found) unseeded.push(key);
      }
      // Strict for the CRM core's own routes; for others, a loud reminder to seed their records
      // (in seedWorkspaceA) so the 404 check above is exercised with their own ids.
      const core = unseeded.filter((k) => CORE_ROUTES.test(k));
      const others = unseeded.filter((k) => !CORE_ROUTES.test(k));
      if (others.length) console.warn(`[isolation guard] no record of A seeded for: ${others.join(', ')}`);
      expect(core, 'seed a record for these routes (or list them in NOT_SEEDED with a reason)').toEqual([]);
    });
  },
);
