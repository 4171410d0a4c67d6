import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../src/lib/api/schemas';
import { matchesFilter, upsertConversation, appendPage, type InboxFilter } from '../../src/lib/inbox/conversations';
import {
  confirmLocal,
  locationOf,
  localMessage,
  mergeMessage,
  prependPage,
  reactionsByTarget,
  type ThreadMessage,
} from '../../src/lib/inbox/messages';
import { latestIso, serviceWindow, SERVICE_WINDOW_MS } from '../../src/lib/inbox/service-window';
import { shortcutFor } from '../../src/lib/inbox/shortcuts';
import { fillTemplate, searchTemplates } from '../../src/lib/inbox/template-vars';
import { scrollToRow, virtualRange } from '../../src/lib/inbox/virtual';
import { contactPatch } from '../../src/lib/inbox/contact-form';

const msg = (over: Partial<Message>): Message => ({
  id: 'm1',
  conversationId: 'c1',
  direction: 'out',
  type: 'text',
  text: 'hola',
  media: null,
  status: 'queued',
  providerMessageId: null,
  error: null,
  createdAt: '2025-01-01T10:00:00.000Z',
  ...over,
});

const conv = (over: Partial<Conversation>): Conversation => ({
  id: 'c1',
  status: 'open',
  channel: { id: 'ch1', type: 'whatsapp' },
  contact: { id: 'k1', name: 'Lucía Pérez', phone: '+34600000001' },
  assigneeId: null,
  unreadCount: 0,
  lastMessage: null,
  lastActivityAt: '2025-01-01T10:00:00.000Z',
  ...over,
});

describe('thread messages', () => {
  describe('mergeMessage', () => {
    it('replaces the optimistic bubble whose idempotency key the server echoes', () => {
      const local = localMessage('c1', 'key-1', { text: 'hola' }, new Date('2025-01-01T10:00:05Z'));
      const next = mergeMessage([local], msg({ id: 'srv-1', idempotencyKey: 'key-1' }));
      expect(next.map((m) => m.id)).toEqual(['srv-1']);
      expect(next[0]!.local).toBeUndefined();
    });

    it('without an echoed key, takes the oldest pending bubble with the same text', () => {
      const a = localMessage('c1', 'a', { text: 'hola' }, new Date('2025-01-01T10:00:05Z'));
      const b = localMessage('c1', 'b', { text: 'adiós' }, new Date('2025-01-01T10:00:06Z'));
      const next = mergeMessage([a, b], msg({ id: 'srv-1', text: 'hola' }));
      expect(next.map((m) => m.id)).toEqual(['srv-1', 'local:b']);
    });

    it('never lets an older snapshot move a status back (queued after sent)', () => {
      const sent = mergeMessage([], msg({ id: 'srv-1', status: 'sent', providerMessageId: 'wamid.1' }));
      const next = mergeMessage(sent, msg({ id: 'srv-1', status: 'queued' }));
      expect(next).toHaveLength(1);
      expect(next[0]!.status).toBe('sent');
    });

    it('takes failed after sent (WhatsApp reports undeliverable later) but not after delivered', () => {
      const sent = mergeMessage([], msg({ id: 's', status: 'sent' }));
      const failed = mergeMessage(
        sent,
        msg({ id: 's', status: 'failed', error: { code: '131026', message: 'undeliverable' } }),
      );
      expect(failed[0]!.status).toBe('failed');
      const delivered = mergeMessage([], msg({ id: 's', status: 'delivered' }));
      expect(mergeMessage(delivered, msg({ id: 's', status: 'failed' }))[0]!.status).toBe('delivered');
    });

    it('inserts in time order and keeps optimistic bubbles last', () => {
      const local = localMessage('c1', 'k', { text: 'x' }, new Date('2025-01-01T09:00:00Z'));
      let list: ThreadMessage[] = [msg({ id: 'a', createdAt: '2025-01-01T10:00:00Z' }), local];
      list = mergeMessage(list, msg({ id: 'b', direction: 'in', createdAt: '2025-01-01T09:30:00Z' }));
      list = mergeMessage(list, msg({ id: 'c', direction: 'in', createdAt: '2025-01-01T11:00:00Z' }));
      expect(list.map((m) => m.id)).toEqual(['b', 'a', 'c', 'local:k']);
    });
  });

  describe('confirmLocal', () => {
    it('gives one bubble whether the POST answer or the socket echo comes first', () => {
      const local = localMessage('c1', 'k', { text: 'hola' }, new Date());
      const server = msg({ id: 'srv', status: 'queued' });
      const echoFirst = confirmLocal(mergeMessage([local], { ...server, status: 'sent' }), 'k', server);
      expect(echoFirst.map((m) => [m.id, m.status])).toEqual([['srv', 'sent']]);
      const postFirst = mergeMessage(confirmLocal([local], 'k', server), { ...server, status: 'sent' });
      expect(postFirst.map((m) => [m.id, m.status])).toEqual([['srv', 'sent']]);
    });
  });

  it('prepends an older page without duplicates', () => {
    const list = [msg({ id: 'b' }), msg({ id: 'c' })];
    expect(prependPage(list, [msg({ id: 'a' }), msg({ id: 'b' })]).map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('groups reactions on their target; a reaction without emoji removes it', () => {
    const r = (id: string, emoji: string | null, direction: 'in' | 'out' = 'in') =>
      msg({ id, type: 'reaction', direction, text: emoji, details: { emoji, targetProviderMessageId: 'wamid.T' } });
    expect(reactionsByTarget([r('1', '👍'), r('2', '❤️', 'out')]).get('wamid.T')).toEqual(['👍', '❤️']);
    expect(reactionsByTarget([r('1', '👍'), r('2', null)]).get('wamid.T')).toBeUndefined();
  });

  it('reads a location from details', () => {
    const m = msg({ type: 'location', details: { latitude: 19.43, longitude: -99.13, name: 'Zócalo', address: null } });
    expect(locationOf(m)).toEqual({ latitude: 19.43, longitude: -99.13, name: 'Zócalo', address: null });
    expect(locationOf(msg({ type: 'location', details: {} }))).toBeNull();
  });
});

describe('conversation list', () => {
  const all: InboxFilter = { view: 'all', channelId: '', status: '', q: '' };

  it('filters by view, channel, status and search', () => {
    const c = conv({ assigneeId: 'u1' });
    expect(matchesFilter(c, { ...all, view: 'mine' }, 'u1')).toBe(true);
    expect(matchesFilter(c, { ...all, view: 'mine' }, 'u2')).toBe(false);
    expect(matchesFilter(c, { ...all, view: 'unassigned' }, 'u1')).toBe(false);
    expect(matchesFilter(c, { ...all, channelId: 'other' }, 'u1')).toBe(false);
    expect(matchesFilter(c, { ...all, status: 'resolved' }, 'u1')).toBe(false);
    expect(matchesFilter(c, { ...all, q: 'lucía' }, 'u1')).toBe(true);
    expect(matchesFilter(c, { ...all, q: '600000001' }, 'u1')).toBe(true);
    expect(matchesFilter(c, { ...all, q: 'mario' }, 'u1')).toBe(false);
  });

  it('moves an updated conversation to its place and drops it when it stops matching', () => {
    const list = [
      conv({ id: 'a', lastActivityAt: '2025-01-01T12:00:00Z' }),
      conv({ id: 'b', lastActivityAt: '2025-01-01T11:00:00Z' }),
      conv({ id: 'c', lastActivityAt: '2025-01-01T10:00:00Z' }),
    ];
    const moved = upsertConversation(list, conv({ id: 'c', lastActivityAt: '2025-01-01T13:00:00Z' }), true);
    expect(moved.map((c) => c.id)).toEqual(['c', 'a', 'b']);
    expect(upsertConversation(moved, conv({ id: 'a' }), false).map((c) => c.id)).toEqual(['c', 'b']);
  });

  it('keeps 10,000 rows ordered under a stream of updates', () => {
    let list: Conversation[] = [];
    for (let i = 0; i < 10_000; i++) {
      list.push(conv({ id: `c${i}`, lastActivityAt: new Date(Date.UTC(2025, 0, 1) - i * 1000).toISOString() }));
    }
    for (let i = 0; i < 200; i++) {
      const id = `c${(i * 7919) % 10_000}`;
      list = upsertConversation(
        list,
        conv({ id, lastActivityAt: new Date(Date.UTC(2025, 0, 2) + i * 1000).toISOString() }),
        true,
      );
    }
    expect(list).toHaveLength(10_000);
    for (let i = 1; i < list.length; i++) expect(list[i - 1]!.lastActivityAt >= list[i]!.lastActivityAt).toBe(true);
  });

  it('appends a page without the rows live events already brought', () => {
    expect(appendPage([conv({ id: 'a' })], [conv({ id: 'a' }), conv({ id: 'b' })]).map((c) => c.id)).toEqual([
      'a',
      'b',
    ]);
  });
});

describe('WhatsApp 24-hour window', () => {
  const last = '2025-01-01T10:00:00.000Z';
  const t0 = Date.parse(last);

  it('is open for 24 hours after the customer’s last message, then closed', () => {
    expect(serviceWindow(last, t0 + 1000)).toMatchObject({ state: 'open', remainingMs: SERVICE_WINDOW_MS - 1000 });
    expect(serviceWindow(last, t0 + SERVICE_WINDOW_MS)).toEqual({ state: 'closed' });
    expect(serviceWindow(null, t0)).toEqual({ state: 'closed' });
    // A message newer than the clock tick: the whole window, not more (it read "1 d")
    expect(serviceWindow(last, t0 - 5000)).toMatchObject({ state: 'open', remainingMs: SERVICE_WINDOW_MS });
  });

  it('runs from the latest inbound time known', () => {
    expect(latestIso('2025-01-01T10:00:00Z', '2025-01-01T09:00:00Z')).toBe('2025-01-01T10:00:00Z');
    expect(latestIso(null, '2025-01-01T09:00:00Z')).toBe('2025-01-01T09:00:00Z');
    expect(latestIso(undefined, null)).toBeNull();
  });
});

describe('composer helpers', () => {
  it('fills known template variables and leaves the others for the agent', () => {
    expect(
      fillTemplate('Hola {{contact.name}}, soy {{ agent.name }}. {{order.id}}', {
        'contact.name': 'Lucía',
        'agent.name': 'Ana',
      }),
    ).toBe('Hola Lucía, soy Ana. {{order.id}}');
  });

  it('searches templates by shortcut first, then by text', () => {
    const all = [
      { shortcut: 'precios', body: 'Nuestros precios…' },
      { shortcut: 'hola', body: 'Hola, ¿en qué te ayudo?' },
      { shortcut: 'envio', body: 'Enviamos en 24 h; precios de envío aparte' },
    ];
    expect(searchTemplates(all, 'pre').map((x) => x.shortcut)).toEqual(['precios', 'envio']);
    expect(searchTemplates(all, '')).toHaveLength(3);
  });

  it('maps keys to shortcuts, but not while typing in a field', () => {
    const key = (k: string, inField = false) =>
      shortcutFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, inField });
    expect(['j', 'k', 'r', 'e', '/', '?'].map((k) => key(k))).toEqual([
      'next',
      'prev',
      'reply',
      'resolve',
      'search',
      'help',
    ]);
    expect(key('j', true)).toBeNull();
    expect(key('Escape', true)).toBe('escape');
    expect(shortcutFor({ key: 'r', ctrlKey: true, metaKey: false, altKey: false, inField: false })).toBeNull();
  });

  it('builds a contact PATCH that clears empty optional fields but never the required ones', () => {
    expect(
      contactPatch({ name: ' ', phone: '', email: 'a@b.c', category: 'vip', status: '', country: 'es', notes: '' }),
    ).toEqual({ phone: null, email: 'a@b.c', category: 'vip', country: 'ES', notes: null });
  });
});

describe('virtual scrolling', () => {
  it('renders the rows in view plus a few, whatever the list length', () => {
    const r = virtualRange(10_000, 76, 76 * 5000, 800);
    expect(r.start).toBe(5000 - 6);
    expect(r.end - r.start).toBeLessThan(30);
    expect(r.padTop + (r.end - r.start) * 76 + r.padBottom).toBe(10_000 * 76);
    expect(virtualRange(0, 76, 0, 800)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });

  it('scrolls just enough to show a row', () => {
    expect(scrollToRow(0, 76, 500, 800)).toBe(0);
    expect(scrollToRow(20, 76, 0, 800)).toBe(21 * 76 - 800);
    expect(scrollToRow(3, 76, 0, 800)).toBe(0);
  });
});
