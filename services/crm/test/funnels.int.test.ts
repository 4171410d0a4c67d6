import { afterEach, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { call, manualClock, newPhone, signUp, startCrm, type Crm, type Session } from './crm-test-client';

interface Funnel {
  id: string;
  name: string;
  kind: string;
  stages: { id: string; name: string; position: number }[];
}

async function salesFunnel(svc: Crm, s: Session): Promise<Funnel> {
  return (await call(svc, 'GET', '/api/v1/funnels?kind=sales', { token: s.accessToken })).body.items[0];
}

async function newLead(svc: Crm, s: Session): Promise<{ id: string; stageId: string }> {
  const c = await call(svc, 'POST', '/api/v1/contacts', {
    token: s.accessToken,
    body: { name: 'F', phone: newPhone() },
  });
  return (await call(svc, 'POST', '/api/v1/leads', { token: s.accessToken, body: { contactId: c.body.id } })).body;
}

describeDrivers(
  'funnels',
  (set) => startCrm(set),
  (svc) => {
    const restores: (() => void)[] = [];
    afterEach(() => {
      while (restores.length) restores.pop()!();
      clock = undefined;
    });
    let clock: ReturnType<typeof manualClock> | undefined;
    const startClock = () => {
      clock = manualClock(svc());
      restores.push(() => clock!.restore());
    };
    /** Moves the clock and renews the session (access tokens live 15 minutes). */
    const later = async (s: Session, ms: number): Promise<Session> => {
      if (!clock) startClock();
      clock!.advance(ms);
      const res = await call<Session>(svc(), 'POST', '/api/v1/auth/refresh', {
        body: { refreshToken: s.refreshToken },
      });
      expect(res.status).toBe(200);
      return res.body;
    };
    const move = (s: Session, leadId: string, stageId: string) =>
      call(svc(), 'POST', `/api/v1/leads/${leadId}/move`, { token: s.accessToken, body: { stageId } });

    it('gives every new workspace the default Sales and Support funnels', async () => {
      const s = await signUp(svc());
      const res = await call(svc(), 'GET', '/api/v1/funnels', { token: s.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      expect(
        res.body.items.map((f: Funnel) => ({
          name: f.name,
          kind: f.kind,
          stages: f.stages.map((st) => [st.position, st.name]),
        })),
      ).toEqual([
        {
          name: 'Sales',
          kind: 'sales',
          stages: [
            [0, 'Initial chat'],
            [1, 'Negotiation'],
            [2, 'Debate'],
            [3, 'Closing'],
          ],
        },
        {
          name: 'Support',
          kind: 'support',
          stages: [
            [0, 'First contact'],
            [1, 'In progress'],
            [2, 'Closing'],
          ],
        },
      ]);
    });

    it('moves a lead between stages and keeps the history', async () => {
      startClock();
      let s = await signUp(svc());
      const sales = await salesFunnel(svc(), s);
      const lead = await newLead(svc(), s);
      expect(lead.stageId).toBe(sales.stages[0]!.id);

      s = await later(s, 60 * 60_000);
      const moved = await move(s, lead.id, sales.stages[1]!.id);
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ funnelId: sales.id, stageId: sales.stages[1]!.id });
      s = await later(s, 2 * 60 * 60_000);
      await move(s, lead.id, sales.stages[3]!.id);

      const history = await call(svc(), 'GET', `/api/v1/leads/${lead.id}/history`, { token: s.accessToken });
      expect(history.status).toBe(200);
      const items = history.body.items as {
        stageId: string;
        fromStageId: string | null;
        enteredAt: string;
        leftAt: string | null;
        actorId: string;
      }[];
      expect(items.map((h) => [h.fromStageId, h.stageId])).toEqual([
        [null, sales.stages[0]!.id],
        [sales.stages[0]!.id, sales.stages[1]!.id],
        [sales.stages[1]!.id, sales.stages[3]!.id],
      ]);
      expect(items[2]!.leftAt).toBeNull();
      expect(items[1]!.leftAt).toBe(items[2]!.enteredAt);
      expect(Date.parse(items[1]!.leftAt!) - Date.parse(items[1]!.enteredAt)).toBe(2 * 60 * 60_000);
      expect(items.every((h) => h.actorId === s.user.id)).toBe(true);

      // Moving to the stage it is in changes nothing.
      await move(s, lead.id, sales.stages[3]!.id);
      expect(
        (await call(svc(), 'GET', `/api/v1/leads/${lead.id}/history`, { token: s.accessToken })).body.items,
      ).toHaveLength(3);

      const badStage = await move(s, lead.id, '00000000-0000-4000-8000-000000000000');
      expect(badStage.status).toBe(400);
      expect(badStage.body.error.details[0].field).toBe('stageId');

      const audit = await call(svc(), 'GET', `/api/v1/audit?table=leads&recordId=${lead.id}&action=update`, {
        token: s.accessToken,
      });
      expect(audit.body.items).toHaveLength(2);
      expect(audit.body.items[0].before.stageId).toBe(sales.stages[1]!.id);
      expect(audit.body.items[0].after.stageId).toBe(sales.stages[3]!.id);
    });

    it('moves a lead into another funnel', async () => {
      const s = await signUp(svc());
      const support = (await call(svc(), 'GET', '/api/v1/funnels?kind=support', { token: s.accessToken })).body
        .items[0] as Funnel;
      const lead = await newLead(svc(), s);
      const moved = await move(s, lead.id, support.stages[1]!.id);
      expect(moved.body).toMatchObject({ funnelId: support.id, stageId: support.stages[1]!.id });
    });

    it('reports counts per stage, average time in stage and conversion to the last stage', async () => {
      startClock();
      let s = await signUp(svc());
      const sales = await salesFunnel(svc(), s);
      const [a, b, c] = [await newLead(svc(), s), await newLead(svc(), s), await newLead(svc(), s)];
      s = await later(s, 60 * 60_000); // +1 h
      await move(s, a.id, sales.stages[1]!.id);
      await move(s, b.id, sales.stages[1]!.id);
      s = await later(s, 3 * 60 * 60_000); // +3 h more
      await move(s, a.id, sales.stages[3]!.id);

      const res = await call(svc(), 'GET', `/api/v1/funnels/${sales.id}/stats`, { token: s.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.funnelId).toBe(sales.id);
      const byName = Object.fromEntries(
        res.body.stages.map((st: { name: string; count: number; avgSecondsInStage: number | null }) => [
          st.name,
          [st.count, st.avgSecondsInStage],
        ]),
      );
      expect(byName).toEqual({
        'Initial chat': [1, 3600],
        Negotiation: [1, 3 * 3600],
        Debate: [0, null],
        Closing: [1, null],
      });
      expect(res.body.conversion).toEqual({ entered: 3, reachedLast: 1, rate: 1 / 3 });
      void c;
    });

    it('creates, renames and reorders funnels, and refuses to drop a stage with leads', async () => {
      const s = await signUp(svc());
      const created = await call(svc(), 'POST', '/api/v1/funnels', {
        token: s.accessToken,
        body: { name: 'Wholesale', kind: 'sales', stages: [{ name: 'Lead' }, { name: 'Offer' }, { name: 'Won' }] },
      });
      expect(created.status).toBe(201);
      const f = created.body as Funnel;
      expect(f.stages.map((st) => st.name)).toEqual(['Lead', 'Offer', 'Won']);

      const c = await call(svc(), 'POST', '/api/v1/contacts', { token: s.accessToken, body: { name: 'W' } });
      const lead = await call(svc(), 'POST', '/api/v1/leads', {
        token: s.accessToken,
        body: { contactId: c.body.id, funnelId: f.id },
      });
      expect(lead.body.stageId).toBe(f.stages[0]!.id);

      const [lead0, offer, won] = f.stages;
      const reordered = await call(svc(), 'PATCH', `/api/v1/funnels/${f.id}`, {
        token: s.accessToken,
        body: {
          name: 'Wholesale B2B',
          stages: [{ id: lead0!.id, name: 'Lead' }, { name: 'Call' }, { id: won!.id, name: 'Closed' }],
        },
      });
      expect(reordered.status).toBe(200);
      expect(reordered.body.name).toBe('Wholesale B2B');
      expect(reordered.body.stages.map((st: { name: string; position: number }) => [st.position, st.name])).toEqual([
        [0, 'Lead'],
        [1, 'Call'],
        [2, 'Closed'],
      ]);
      expect(reordered.body.stages.map((st: { id: string }) => st.id)).not.toContain(offer!.id);

      const busy = await call(svc(), 'PATCH', `/api/v1/funnels/${f.id}`, {
        token: s.accessToken,
        body: { stages: [{ id: won!.id, name: 'Closed' }] },
      });
      expect(busy.status).toBe(409);
      expect(busy.body.error.code).toBe('stage_in_use');

      const bad = await call(svc(), 'POST', '/api/v1/funnels', {
        token: s.accessToken,
        body: { name: '', kind: 'other', stages: [] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['kind', 'name', 'stages']);

      expect((await call(svc(), 'DELETE', `/api/v1/funnels/${f.id}`, { token: s.accessToken })).status).toBe(204);
      expect((await call(svc(), 'GET', `/api/v1/funnels/${f.id}`, { token: s.accessToken })).status).toBe(404);
    });
  },
);

describe('funnel defaults', () => {
  it('are the ones the architecture names', async () => {
    const { defaultFunnels } = await import('../src/funnels/funnel.schemas');
    expect(defaultFunnels.map((f) => f.name)).toEqual(['Sales', 'Support']);
  });
});
