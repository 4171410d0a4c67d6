import { expect, it } from 'vitest';
import { describeDrivers, startTestService } from '@hub/shared/testing';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../../../infra/demo/demo';
import { buildHub } from '../src/hub.app';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are probed freely */

// HUB_DEMO=1: the hub starts the fake platforms in-process, creates the demo workspace and its
// three channels, and simulated customers write in on all three — an inbox that is alive at once.

describeDrivers(
  'demo mode',
  (set) => startTestService(set, buildHub, { HUB_DEMO: '1' }),
  (hub) => {
    it('signs the demo admin in and shows customers writing on all three channels', async () => {
      const post = (path: string, body: unknown, token?: string) =>
        fetch(`${hub().url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
      const login = (await (
        await post('/api/v1/auth/login', { email: DEMO_EMAIL, password: DEMO_PASSWORD })
      ).json()) as any;
      expect(login.user).toMatchObject({ email: DEMO_EMAIL, role: 'admin' });
      const get = async (path: string) =>
        (await (
          await fetch(`${hub().url}${path}`, { headers: { authorization: `Bearer ${login.accessToken}` } })
        ).json()) as any;
      const channels = await get('/api/v1/channels');
      expect(channels.items.map((c: any) => c.type).sort()).toEqual(['messenger', 'telegram', 'whatsapp']);
      const deadline = Date.now() + 15_000;
      let types = new Set<string>();
      while (types.size < 3 && Date.now() < deadline) {
        types = new Set((await get('/api/v1/conversations')).items.map((c: any) => c.channel.type));
        if (types.size < 3) await new Promise((r) => setTimeout(r, 100));
      }
      expect([...types].sort()).toEqual(['messenger', 'telegram', 'whatsapp']);

      // A reply reaches the simulated platform and comes back read.
      const conv = (await get('/api/v1/conversations')).items.find((c: any) => c.channel.type === 'whatsapp');
      const sent = (await (
        await post(`/api/v1/conversations/${conv.id}/messages`, { text: 'Welcome!' }, login.accessToken)
      ).json()) as any;
      let status = sent.message.status;
      while (status !== 'read' && Date.now() < deadline + 10_000) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await get(`/api/v1/conversations/${conv.id}/messages`)).items.find(
          (m: any) => m.id === sent.message.id,
        ).status;
      }
      expect(status).toBe('read');
    });
  },
);
