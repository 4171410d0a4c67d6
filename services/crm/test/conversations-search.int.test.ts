import { beforeAll, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { whatsappTextWebhook } from '../../../infra/fake-platforms';
import { call, team, type Session, type Team } from './crm-test-client';
import { META_SECRET, startInbox } from './inbox-test-hub';

// GET /api/v1/conversations?q=&label= : search by the contact's name and phone and by message
// text, the label filter, both composed with the other filters, the cursor and visibility.

const newId = () => `1${Math.floor(Math.random() * 1e14)}`;

interface Item {
  id: string;
  contact: { name: string; phone: string | null };
}

describeDrivers('conversations search', startInbox, (hub) => {
  let t: Team;
  let other: Team;
  let channelId: string;
  const ids: Record<string, string> = {};
  const as = (s: Session) => ({ token: s.accessToken });
  const list = (s: Session, query: string) => call(hub(), 'GET', `/api/v1/conversations?${query}`, as(s));
  const names = async (s: Session, query: string) => {
    const res = await list(s, query);
    expect(res.status).toBe(200);
    return (res.body.items as Item[]).map((c) => c.contact.name);
  };

  beforeAll(async () => {
    [t, other] = await Promise.all([team(hub()), team(hub())]);
    const phoneNumberId = newId();
    const ch = await call(hub(), 'POST', '/api/v1/channels', {
      ...as(t.admin),
      body: {
        type: 'whatsapp',
        name: 'Main',
        config: { phoneNumberId, accessToken: 'wa-token', appSecret: META_SECRET, verifyToken: 'v' },
      },
    });
    channelId = ch.body.id;
    const chats: [string, string, string][] = [
      ['14155551001', 'José Martínez', 'hola, buenas'],
      ['14155551002', 'Ana', 'Necesito la FACTURA de marzo'],
      ['14155551003', 'Bob', 'la canción de espera'],
    ];
    for (let i = 0; i < 5; i++) chats.push([`1415555110${i}`, `Filler ${i}`, 'nothing to see']);
    // Oldest first: the fillers are the newest, so José, Ana and Bob sit past a first page of 5.
    let ts = 1_765_000_000;
    for (const [from, name, text] of chats) {
      await hub().meta(
        'whatsapp',
        channelId,
        whatsappTextWebhook({ phoneNumberId, from, name, text, timestamp: ts++ }),
      );
    }
    await hub().settle();
    const all = await list(t.admin, `channelId=${channelId}&limit=200`);
    for (const c of all.body.items as Item[]) ids[c.contact.name] = c.id;
    for (const name of ['José Martínez', 'Bob']) {
      const res = await call(hub(), 'PUT', `/api/v1/conversations/${ids[name]}/labels`, {
        ...as(t.admin),
        body: { labels: ['VIP'] },
      });
      expect(res.status).toBe(200);
    }
  });

  describe('q', () => {
    it('finds a conversation by the contact’s name, ignoring case and accents, beyond the first page', async () => {
      expect(await names(t.admin, 'limit=5')).not.toContain('José Martínez');
      expect(await names(t.admin, 'q=jose&limit=5')).toEqual(['José Martínez']);
      expect(await names(t.admin, `q=${encodeURIComponent('MARTÍNEZ')}`)).toEqual(['José Martínez']);
      expect(await names(t.admin, `q=${encodeURIComponent('josé mart')}`)).toEqual(['José Martínez']);
    });

    it('finds a conversation by phone digits, however they are written', async () => {
      expect(await names(t.admin, `q=${encodeURIComponent('+1 415-555-1002')}`)).toEqual(['Ana']);
      expect(await names(t.admin, 'q=5551003')).toEqual(['Bob']);
    });

    it('finds a conversation by the text of its messages', async () => {
      expect(await names(t.admin, 'q=factura')).toEqual(['Ana']);
      expect(await names(t.admin, 'q=cancion')).toEqual(['Bob']);
      expect(await names(t.admin, `q=${encodeURIComponent('(marzo')}`)).toEqual([]);
      expect(await names(t.admin, 'q=nobody-says-this')).toEqual([]);
    });

    it('pages the matches with the cursor, the filter kept', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await list(t.admin, `q=filler&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...(res.body.items as Item[]).map((c) => c.contact.name));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(['Filler 4', 'Filler 3', 'Filler 2', 'Filler 1', 'Filler 0']);
    });

    it('composes with the other filters', async () => {
      expect(await names(t.admin, `q=jose&channelId=${channelId}&status=open`)).toEqual(['José Martínez']);
      expect(await names(t.admin, 'q=jose&status=resolved')).toEqual([]);
      expect(await names(t.admin, 'q=jose&assigneeId=none')).toEqual(['José Martínez']);
    });

    it('never finds a conversation in another workspace', async () => {
      expect(await names(other.admin, 'q=jose')).toEqual([]);
      expect(await names(other.admin, 'label=VIP')).toEqual([]);
    });
  });

  describe('label', () => {
    it('lists the conversations carrying the label, alone and with q', async () => {
      expect((await names(t.admin, 'label=VIP')).sort()).toEqual(['Bob', 'José Martínez']);
      expect(await names(t.admin, 'label=VIP&q=bob')).toEqual(['Bob']);
      expect(await names(t.admin, 'label=VIP&limit=1')).toHaveLength(1);
      expect(await names(t.admin, 'label=Other')).toEqual([]);
    });
  });

  describe('visibility', () => {
    it('lets an agent find only conversations they may see', async () => {
      const res = await call(hub(), 'POST', `/api/v1/conversations/${ids['José Martínez']}/assign`, {
        ...as(t.admin),
        body: { assigneeId: t.supervisor.user.id },
      });
      expect(res.status).toBe(200);
      expect(await names(t.agent, 'q=jose')).toEqual([]);
      expect(await names(t.agent, 'label=VIP')).toEqual(['Bob']);
      expect(await names(t.supervisor, 'q=jose')).toEqual(['José Martínez']);
      expect(await names(t.agent, 'q=factura')).toEqual(['Ana']);
    });
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await call(hub(), 'GET', '/api/openapi.json')).body;
    const params = doc.paths['/api/v1/conversations'].get.parameters as { name: string; description?: string }[];
    for (const name of ['status', 'channelId', 'assigneeId', 'q', 'label', 'cursor', 'limit']) {
      expect(params.map((p) => p.name)).toContain(name);
    }
    expect(params.find((p) => p.name === 'q')?.description).toMatch(/message/);
    expect(params.find((p) => p.name === 'label')?.description).toMatch(/label/);
  });

  describe('bad input', () => {
    const cases: [string, string][] = [
      ['q=', 'q'],
      ['q=%20%20', 'q'],
      [`q=${'x'.repeat(101)}`, 'q'],
      ['q=a&q=b', 'q'],
      ['label=', 'label'],
      ['label=a,b', 'label'],
      [`label=${'x'.repeat(51)}`, 'label'],
    ];
    it.each(cases)('answers 400 naming the field for %s', async (query, field) => {
      const res = await list(t.admin, query);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
    });
  });
});
