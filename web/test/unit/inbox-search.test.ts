import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/lib/api/schemas';
import { foldText, matchesFilter, type InboxFilter } from '../../src/lib/inbox/conversations';

// The inbox search runs on the server; the list checks `q` and `label` itself only for
// conversations that arrive live and were not in the server's answer.

const conv = (over: Partial<Conversation>): Conversation => ({
  id: 'c1',
  status: 'open',
  channel: { id: 'ch1', type: 'whatsapp' },
  contact: { id: 'k1', name: 'José Martínez', phone: '+34600000001' },
  assigneeId: null,
  unreadCount: 0,
  lastMessage: null,
  lastActivityAt: '2025-01-01T10:00:00.000Z',
  ...over,
});

const all: InboxFilter = { view: 'all', channelId: '', status: '', q: '', label: '' };

describe('inbox search', () => {
  it('folds case and accents', () => {
    expect(foldText('José MARTÍNEZ')).toBe('jose martinez');
  });

  it('matches a live conversation by name without accents, phone digits or the last message', () => {
    expect(matchesFilter(conv({}), { ...all, q: 'jose' }, 'u1')).toBe(true);
    expect(matchesFilter(conv({}), { ...all, q: '600 000 001' }, 'u1')).toBe(true);
    const withText = conv({
      lastMessage: { text: 'la Factura', type: 'text', direction: 'in', status: 'received', createdAt: '' },
    } as Partial<Conversation>);
    expect(matchesFilter(withText, { ...all, q: 'factura' }, 'u1')).toBe(true);
    expect(matchesFilter(conv({}), { ...all, q: 'factura' }, 'u1')).toBe(false);
  });

  it('matches a label only when the row carries it', () => {
    expect(matchesFilter(conv({ labels: ['VIP'] }), { ...all, label: 'VIP' }, 'u1')).toBe(true);
    expect(matchesFilter(conv({}), { ...all, label: 'VIP' }, 'u1')).toBe(false);
  });

  it('trusts the server for q and label on rows it returned, still checking the other filters', () => {
    const f: InboxFilter = { ...all, q: 'factura', label: 'VIP' };
    expect(matchesFilter(conv({}), f, 'u1', { searched: true })).toBe(true);
    expect(matchesFilter(conv({ status: 'resolved' }), { ...f, status: 'open' }, 'u1', { searched: true })).toBe(false);
  });
});
