import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { createLeadForNewConversation } from '../src/leads/lead-auto';
import { addUser, call, newPhone, startCrm, team, type Crm, type Team } from './crm-test-client';

async function contact(svc: Crm, token: string, name = 'Lead contact'): Promise<string> {
  const res = await call(svc, 'POST', '/api/v1/contacts', { token, body: { name, phone: newPhone() } });
  return res.body.id;
}

const intake = (svc: Crm, token: string | undefined, body: unknown) =>
  call(svc, 'POST', '/api/v1/leads/intake', {
    body,
    ...(token !== undefined ? { headers: { authorization: `Token ${token}` } } : {}),
  });

describeDrivers(
  'leads',
  async (set) => Object.assign(await startCrm(set), { t: undefined as Team | undefined }),
  (svc) => {
    beforeAll(async () => {
      svc().t = await team(svc());
    });
    const tok = (role: keyof Team = 'admin') => svc().t![role].accessToken;
    const post = (path: string, body: unknown, role: keyof Team = 'admin') =>
      call(svc(), 'POST', path, { token: tok(role), body });

    describe('create and change', () => {
      it('creates a lead in the first stage of the Sales funnel with the defaults', async () => {
        const contactId = await contact(svc(), tok());
        const res = await post('/api/v1/leads', {
          contactId,
          value: 125_000,
          currency: 'eur',
          caseType: 'sale',
          notes: 'hot',
        });
        expect(res.status).toBe(201);
        const funnels = (await call(svc(), 'GET', '/api/v1/funnels?kind=sales', { token: tok() })).body.items;
        expect(res.body).toMatchObject({
          contactId,
          contact: { id: contactId, name: 'Lead contact' },
          conversationId: null,
          source: 'manual',
          caseType: 'sale',
          status: 'new',
          value: 125_000,
          currency: 'EUR',
          assigneeId: null,
          funnelId: funnels[0].id,
          stageId: funnels[0].stages[0].id,
          notes: 'hot',
        });
      });

      it('puts a support case in the Support funnel', async () => {
        const res = await post('/api/v1/leads', { contactId: await contact(svc(), tok()), caseType: 'support' });
        const support = (await call(svc(), 'GET', '/api/v1/funnels?kind=support', { token: tok() })).body.items[0];
        expect(res.body.funnelId).toBe(support.id);
        expect(res.body.stageId).toBe(support.stages[0].id);
      });

      it('names each bad field', async () => {
        const res = await post('/api/v1/leads', {
          contactId: 'x',
          source: 'fax',
          caseType: 'maybe',
          status: 'hot',
          value: 1.5,
        });
        expect(res.status).toBe(400);
        expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(
          ['caseType', 'contactId', 'source', 'status', 'value'].sort(),
        );
        const noCurrency = await post('/api/v1/leads', { contactId: await contact(svc(), tok()), value: 100 });
        expect(noCurrency.status).toBe(400);
        expect(noCurrency.body.error.details).toEqual([{ field: 'currency', message: 'is required with a value' }]);
        const unknownContact = await post('/api/v1/leads', { contactId: randomUUID() });
        expect(unknownContact.status).toBe(400);
        expect(unknownContact.body.error.details[0].field).toBe('contactId');
      });

      it('keeps status, assignment and stage to their own actions', async () => {
        const lead = (await post('/api/v1/leads', { contactId: await contact(svc(), tok()) })).body;
        const patch = await call(svc(), 'PATCH', `/api/v1/leads/${lead.id}`, {
          token: tok(),
          body: { status: 'won', assigneeId: svc().t!.agent.user.id, value: 10, currency: 'USD' },
        });
        expect(patch.status).toBe(400);
        expect(patch.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
          'assigneeId',
          'status',
        ]);
        expect(patch.body.error.details[0].message).toMatch(/POST \/api\/v1\/leads\/:id\//);

        const ok = await call(svc(), 'PATCH', `/api/v1/leads/${lead.id}`, {
          token: tok('agent'),
          body: { value: 10, currency: 'USD' },
        });
        // an unassigned lead is visible to agents by default
        expect(ok.status).toBe(200);
        expect(ok.body).toMatchObject({ value: 10, currency: 'USD', status: 'new' });

        const status = await post(`/api/v1/leads/${lead.id}/status`, { status: 'negotiation' }, 'agent');
        expect(status.status).toBe(200);
        expect(status.body.status).toBe('negotiation');
        expect((await post(`/api/v1/leads/${lead.id}/status`, { status: 'sold' })).body.error.details[0].field).toBe(
          'status',
        );

        expect(
          (await post(`/api/v1/leads/${lead.id}/assign`, { assigneeId: svc().t!.agent.user.id }, 'agent')).status,
        ).toBe(403);
        const assigned = await post(
          `/api/v1/leads/${lead.id}/assign`,
          { assigneeId: svc().t!.agent.user.id },
          'supervisor',
        );
        expect(assigned.status).toBe(200);
        expect(assigned.body.assigneeId).toBe(svc().t!.agent.user.id);
        const nobody = await post(`/api/v1/leads/${lead.id}/assign`, { assigneeId: randomUUID() }, 'supervisor');
        expect(nobody.status).toBe(400);
        expect(nobody.body.error.details[0].field).toBe('assigneeId');
      });

      it('soft-deletes', async () => {
        const lead = (await post('/api/v1/leads', { contactId: await contact(svc(), tok()) })).body;
        expect((await call(svc(), 'DELETE', `/api/v1/leads/${lead.id}`, { token: tok('agent') })).status).toBe(403);
        expect((await call(svc(), 'DELETE', `/api/v1/leads/${lead.id}`, { token: tok('supervisor') })).status).toBe(
          204,
        );
        expect((await call(svc(), 'GET', `/api/v1/leads/${lead.id}`, { token: tok() })).status).toBe(404);
      });
    });

    describe('visibility for agents', () => {
      it('sees its own and unassigned leads, per the workspace setting, everywhere', async () => {
        const t = await team(svc());
        const agent2 = await addUser(svc(), t.admin, 'agent', 'agent two');
        const c = await contact(svc(), t.admin.accessToken);
        const mk = async (assigneeId: string | null) =>
          (
            await call(svc(), 'POST', '/api/v1/leads', {
              token: t.admin.accessToken,
              body: { contactId: c, assigneeId },
            })
          ).body.id as string;
        const mine = await mk(t.agent.user.id);
        const theirs = await mk(agent2.user.id);
        const open = await mk(null);
        const ids = async (token: string) =>
          ((await call(svc(), 'GET', '/api/v1/leads', { token })).body.items as { id: string }[])
            .map((l) => l.id)
            .sort();

        expect(await ids(t.agent.accessToken)).toEqual([mine, open].sort());
        expect(await ids(t.supervisor.accessToken)).toEqual([mine, theirs, open].sort());
        expect((await call(svc(), 'GET', `/api/v1/leads/${theirs}`, { token: t.agent.accessToken })).status).toBe(404);
        expect(
          (
            await call(svc(), 'POST', `/api/v1/leads/${theirs}/status`, {
              token: t.agent.accessToken,
              body: { status: 'won' },
            })
          ).status,
        ).toBe(404);
        const stats = (await call(svc(), 'GET', '/api/v1/leads/stats', { token: t.agent.accessToken })).body;
        expect(stats.total).toBe(2);

        const off = await call(svc(), 'PATCH', '/api/v1/workspace', {
          token: t.admin.accessToken,
          body: { settings: { agentsSeeUnassigned: false } },
        });
        expect(off.status).toBe(200);
        expect(await ids(t.agent.accessToken)).toEqual([mine]);
        expect((await call(svc(), 'GET', `/api/v1/leads/${open}`, { token: t.agent.accessToken })).status).toBe(404);
      });
    });

    describe('filters and statistics', () => {
      it('filters lists and counts by status, source, case type and assignee', async () => {
        const t = await team(svc());
        const token = t.admin.accessToken;
        const c = await contact(svc(), token);
        const mk = (body: object) => call(svc(), 'POST', '/api/v1/leads', { token, body: { contactId: c, ...body } });
        await mk({ source: 'whatsapp', caseType: 'sale', assigneeId: t.agent.user.id });
        await mk({ source: 'whatsapp', caseType: 'support' });
        await mk({ source: 'web', status: 'won', assigneeId: t.agent.user.id });
        const list = async (qs: string) =>
          (await call(svc(), 'GET', `/api/v1/leads${qs}`, { token })).body.items.length;
        expect(await list('?source=whatsapp')).toBe(2);
        expect(await list('?status=won')).toBe(1);
        expect(await list('?assigneeId=none')).toBe(1);
        expect(await list(`?assigneeId=${t.agent.user.id}`)).toBe(2);
        expect(await list('?caseType=support')).toBe(1);

        const stats = await call(svc(), 'GET', '/api/v1/leads/stats', { token: t.supervisor.accessToken });
        expect(stats.status).toBe(200);
        expect(stats.body).toEqual({
          total: 3,
          byStatus: { new: 2, contacted: 0, quoted: 0, negotiation: 0, won: 1, lost: 0, discarded: 0 },
          bySource: { web: 1, whatsapp: 2, messenger: 0, telegram: 0, instagram: 0, manual: 0, api: 0 },
          byCaseType: { sale: 1, no_interest: 0, future_contact: 0, support: 1, recovery: 0, none: 1 },
          byAssignee: [
            { assigneeId: t.agent.user.id, count: 2 },
            { assigneeId: null, count: 1 },
          ],
        });
        const future = await call(
          svc(),
          'GET',
          `/api/v1/leads/stats?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`,
          {
            token,
          },
        );
        expect(future.body.total).toBe(0);
      });
    });

    describe('public intake with an API token', () => {
      it('creates the lead with a good token, reuses the contact, and refuses bad and revoked tokens', async () => {
        const t = await team(svc());
        const created = await call(svc(), 'POST', '/api/v1/api-tokens', {
          token: t.admin.accessToken,
          body: { name: 'Web form' },
        });
        expect(created.status).toBe(201);
        expect(created.body).toEqual({
          id: expect.any(String),
          name: 'Web form',
          token: expect.stringMatching(/^hub_/),
        });
        const apiToken = created.body.token as string;

        const phone = newPhone();
        const first = await intake(svc(), apiToken, {
          name: 'Form person',
          phone,
          email: 'form@x.example',
          source: 'web',
        });
        expect(first.status).toBe(201);
        expect(first.body).toEqual({ leadId: expect.any(String), contactId: expect.any(String) });
        const spaced = `${phone.slice(0, 3)} ${phone.slice(3)}`;
        const second = await intake(svc(), apiToken, { name: 'Same person', phone: spaced, source: 'instagram' });
        expect(second.status).toBe(201);
        expect(second.body.contactId).toBe(first.body.contactId);
        expect(second.body.leadId).not.toBe(first.body.leadId);

        const lead = await call(svc(), 'GET', `/api/v1/leads/${second.body.leadId}`, { token: t.admin.accessToken });
        expect(lead.body).toMatchObject({ source: 'instagram', status: 'new', contactId: first.body.contactId });
        const audit = await call(svc(), 'GET', `/api/v1/audit?table=leads&recordId=${first.body.leadId}`, {
          token: t.admin.accessToken,
        });
        expect(audit.body.items[0]).toMatchObject({ action: 'create', actorId: null });

        const invalid = await intake(svc(), apiToken, { name: 'No phone', phone: 'abc' });
        expect(invalid.status).toBe(400);
        expect(invalid.body.error.details[0].field).toBe('phone');

        const bad = await intake(svc(), 'hub_not-a-token', { name: 'X', phone: newPhone() });
        expect(bad.status).toBe(401);
        expect(bad.body.error.code).toBe('invalid_api_token');
        expect((await intake(svc(), undefined, { name: 'X', phone: newPhone() })).status).toBe(401);
        // A user's access token is not an API token.
        const bearer = await call(svc(), 'POST', '/api/v1/leads/intake', {
          token: t.admin.accessToken,
          body: { name: 'X', phone: newPhone() },
        });
        expect(bearer.status).toBe(401);

        const listed = await call(svc(), 'GET', '/api/v1/api-tokens', { token: t.admin.accessToken });
        expect(listed.body.items[0]).toMatchObject({ id: created.body.id, name: 'Web form', revokedAt: null });
        expect(listed.body.items[0].lastUsedAt).not.toBeNull();
        expect(JSON.stringify(listed.body)).not.toContain(apiToken);

        expect(
          (await call(svc(), 'DELETE', `/api/v1/api-tokens/${created.body.id}`, { token: t.supervisor.accessToken }))
            .status,
        ).toBe(403);
        expect(
          (await call(svc(), 'DELETE', `/api/v1/api-tokens/${created.body.id}`, { token: t.admin.accessToken })).status,
        ).toBe(204);
        const revoked = await intake(svc(), apiToken, { name: 'Late', phone: newPhone() });
        expect(revoked.status).toBe(401);
        expect(revoked.body.error.code).toBe('invalid_api_token');

        // The token's workspace is the only one it writes to.
        const other = await team(svc());
        const otherLeads = await call(svc(), 'GET', '/api/v1/leads', { token: other.admin.accessToken });
        expect(otherLeads.body.items).toEqual([]);
      });
    });

    describe('createLeadForNewConversation (inbound worker hook)', () => {
      it('does nothing while autoCreateLead is off, then creates one lead per conversation', async () => {
        const t = await team(svc());
        const ws = t.admin.user.workspaceId;
        const db = svc().rt.database.db;
        const c = await contact(svc(), t.admin.accessToken);
        const channel = await db
          .insertInto('channels')
          .values({
            workspace_id: ws,
            type: 'whatsapp',
            name: 'wa',
            credentials: 'x',
            external_id: `pn-${randomUUID()}`,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const conv = await db
          .insertInto('conversations')
          .values({ workspace_id: ws, channel_id: channel.id, contact_id: c, last_activity_at: new Date() })
          .returning('id')
          .executeTakeFirstOrThrow();
        const input = { workspaceId: ws, conversationId: conv.id, contactId: c, channelType: 'whatsapp' };

        expect(await db.transaction().execute((trx) => createLeadForNewConversation(trx, input))).toBeNull();
        await call(svc(), 'PATCH', '/api/v1/workspace', {
          token: t.admin.accessToken,
          body: { settings: { autoCreateLead: true } },
        });
        const lead = await db.transaction().execute((trx) => createLeadForNewConversation(trx, input));
        expect(lead).toMatchObject({ conversationId: conv.id, contactId: c, source: 'whatsapp', status: 'new' });
        expect(lead!.stageId).toBeTruthy();
        // A retried job does not create a second one.
        expect(await db.transaction().execute((trx) => createLeadForNewConversation(trx, input))).toBeNull();
        const leads = await call(svc(), 'GET', `/api/v1/leads?conversationId=${conv.id}`, {
          token: t.admin.accessToken,
        });
        expect(leads.body.items).toHaveLength(1);
        // And the API refuses a second lead for the conversation with a clear 409.
        const dup = await call(svc(), 'POST', '/api/v1/leads', {
          token: t.admin.accessToken,
          body: { contactId: c, conversationId: conv.id },
        });
        expect(dup.status).toBe(409);
        expect(dup.body.error.code).toBe('conversation_has_lead');
      });
    });
  },
);
