import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { whatsappMessageWebhook, whatsappTextWebhook } from '../../../infra/fake-platforms';
import { call, team, type Session, type Team } from './crm-test-client';
import { META_SECRET, startInbox, type Inbox } from './inbox-test-hub';

// GET /api/v1/conversations and /conversations/:id/messages with the contract's shapes, fed by
// signed webhooks: order by platform time, paging both ways, filters, isolation between
// workspaces, media served only to the right workspace, a resolved conversation reopened.

const newId = () => `1${Math.floor(Math.random() * 1e14)}`;

async function channelOf(hub: Inbox, admin: Session) {
  const phoneNumberId = newId();
  const res = await call(hub, 'POST', '/api/v1/channels', {
    token: admin.accessToken,
    body: {
      type: 'whatsapp',
      name: 'Main',
      config: { phoneNumberId, accessToken: 'wa-token', appSecret: META_SECRET, verifyToken: 'v' },
    },
  });
  if (res.status !== 201) throw new Error(`channel: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, phoneNumberId };
}

const MESSAGE_KEYS = [
  'conversationId',
  'createdAt',
  'details',
  'direction',
  'editedAt',
  'error',
  'id',
  'media',
  'providerMessageId',
  'replyToProviderMessageId',
  'status',
  'text',
  'type',
];
const CONVERSATION_KEYS = [
  'assigneeId',
  'channel',
  'contact',
  'createdAt',
  'id',
  'lastActivityAt',
  'lastMessage',
  'status',
  'unreadCount',
];

describeDrivers('conversations API', startInbox, (hub) => {
  let t: Team;
  let other: Team;
  let ch: { id: string; phoneNumberId: string };
  beforeAll(async () => {
    [t, other] = await Promise.all([team(hub()), team(hub())]);
    ch = await channelOf(hub(), t.admin);
  });
  const as = (s: Session) => ({ token: s.accessToken });
  const text = (from: string, body: string, ts: number, name = 'Customer') =>
    hub().meta(
      'whatsapp',
      ch.id,
      whatsappTextWebhook({ phoneNumberId: ch.phoneNumberId, from, name, text: body, timestamp: ts }),
    );
  const conversationWith = async (phone: string) => {
    const res = await call(hub(), 'GET', `/api/v1/conversations?channelId=${ch.id}&limit=200`, as(t.admin));
    return (res.body.items as { id: string; contact: { phone: string } }[]).find((c) => c.contact.phone === phone)!;
  };

  it('lists conversations with the contract shape, most recent activity first', async () => {
    await text('14155550101', 'older chat', 1_760_000_000, 'Alice');
    await text('14155550102', 'newer chat', 1_760_000_100, 'Bob');
    await hub().settle();
    const res = await call(hub(), 'GET', `/api/v1/conversations?channelId=${ch.id}`, as(t.agent));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
    const [first, second] = res.body.items;
    expect(Object.keys(first).sort()).toEqual(CONVERSATION_KEYS);
    expect(first).toMatchObject({
      status: 'open',
      channel: { id: ch.id, type: 'whatsapp' },
      contact: { name: 'Bob', phone: '+14155550102' },
      assigneeId: null,
      unreadCount: 1,
      lastActivityAt: new Date(1_760_000_100_000).toISOString(),
    });
    expect(Object.keys(first.contact).sort()).toEqual(['id', 'name', 'phone']);
    expect(Object.keys(first.lastMessage).sort()).toEqual(MESSAGE_KEYS);
    expect(first.lastMessage).toMatchObject({
      direction: 'in',
      type: 'text',
      text: 'newer chat',
      status: 'received',
      error: null,
      media: null,
    });
    expect(second.contact.name).toBe('Alice');
  });

  it('pages conversations with a cursor and filters by status and assignee', async () => {
    const base = 1_761_000_000;
    for (let i = 0; i < 3; i++) await text(`1415555020${i}`, `p${i}`, base + i);
    await hub().settle();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await call(
        hub(),
        'GET',
        `/api/v1/conversations?channelId=${ch.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        as(t.admin),
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((c) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);

    const conv = await conversationWith('+14155550200');
    const patched = await call(hub(), 'PATCH', `/api/v1/conversations/${conv.id}`, {
      ...as(t.supervisor),
      body: { status: 'pending', assigneeId: t.agent.user.id },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: conv.id, status: 'pending', assigneeId: t.agent.user.id });
    const pending = await call(hub(), 'GET', `/api/v1/conversations?status=pending&channelId=${ch.id}`, as(t.admin));
    expect(pending.body.items.map((c: { id: string }) => c.id)).toEqual([conv.id]);
    const mine = await call(hub(), 'GET', `/api/v1/conversations?assigneeId=${t.agent.user.id}`, as(t.admin));
    expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([conv.id]);
    const unassigned = await call(
      hub(),
      'GET',
      `/api/v1/conversations?assigneeId=none&channelId=${ch.id}`,
      as(t.admin),
    );
    expect(unassigned.body.items.map((c: { id: string }) => c.id)).not.toContain(conv.id);

    const badCursor = await call(hub(), 'GET', '/api/v1/conversations?cursor=not-a-cursor', as(t.admin));
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.details[0].field).toBe('cursor');
    const badStatus = await call(hub(), 'GET', '/api/v1/conversations?status=closed', as(t.admin));
    expect(badStatus.status).toBe(400);
    const badAssignee = await call(hub(), 'PATCH', `/api/v1/conversations/${conv.id}`, {
      ...as(t.admin),
      body: { assigneeId: other.admin.user.id },
    });
    expect(badAssignee.status).toBe(400);
    expect(badAssignee.body.error.details[0].field).toBe('assigneeId');
  });

  it('pages messages newest page first, oldest first within a page, by platform time', async () => {
    const from = '14155550300';
    const base = 1_762_000_000;
    // Delivered in reverse: the order must come from the platform's timestamps.
    for (const i of [4, 3, 2, 1, 0]) await text(from, `m${i}`, base + i * 10);
    await hub().settle();
    const conv = await conversationWith('+14155550300');
    const page1 = await call(hub(), 'GET', `/api/v1/conversations/${conv.id}/messages?limit=2`, as(t.agent));
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((m: { text: string }) => m.text)).toEqual(['m3', 'm4']);
    expect(page1.body.items[0]).toMatchObject({
      conversationId: conv.id,
      createdAt: new Date((base + 30) * 1000).toISOString(),
    });
    const page2 = await call(
      hub(),
      'GET',
      `/api/v1/conversations/${conv.id}/messages?limit=2&before=${page1.body.nextCursor}`,
      as(t.agent),
    );
    expect(page2.body.items.map((m: { text: string }) => m.text)).toEqual(['m1', 'm2']);
    const page3 = await call(
      hub(),
      'GET',
      `/api/v1/conversations/${conv.id}/messages?limit=2&before=${page2.body.nextCursor}`,
      as(t.agent),
    );
    expect(page3.body).toEqual({ items: [expect.objectContaining({ text: 'm0' })], nextCursor: null });
    const all = await call(hub(), 'GET', `/api/v1/conversations/${conv.id}/messages`, as(t.agent));
    expect(all.body.items.map((m: { text: string }) => m.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect((await call(hub(), 'GET', `/api/v1/conversations/${conv.id}/messages?before=zzz`, as(t.agent))).status).toBe(
      400,
    );
  });

  it('reopens a resolved conversation when the customer writes again', async () => {
    await text('14155550400', 'help', 1_763_000_000);
    await hub().settle();
    const conv = await conversationWith('+14155550400');
    const resolved = await call(hub(), 'PATCH', `/api/v1/conversations/${conv.id}`, {
      ...as(t.agent),
      body: { status: 'resolved' },
    });
    expect(resolved.body.status).toBe('resolved');
    const read = await call(hub(), 'POST', `/api/v1/conversations/${conv.id}/read`, as(t.agent));
    expect(read.body.unreadCount).toBe(0);
    await text('14155550400', 'still broken', 1_763_000_500);
    await hub().settle();
    const again = await call(hub(), 'GET', `/api/v1/conversations/${conv.id}`, as(t.agent));
    expect(again.body).toMatchObject({ status: 'open', unreadCount: 1, lastMessage: { text: 'still broken' } });
  });

  it('answers 404 for another workspace’s conversation, its messages and its media', async () => {
    hub().fake.putMedia('img-iso-1', { data: Buffer.from('PNGDATA'), mimeType: 'image/png' });
    await hub().meta(
      'whatsapp',
      ch.id,
      whatsappMessageWebhook({
        phoneNumberId: ch.phoneNumberId,
        from: '14155550500',
        message: { type: 'image', image: { id: 'img-iso-1', mime_type: 'image/png' } },
      }),
    );
    await hub().settle();
    const conv = await conversationWith('+14155550500');
    const msgs = await call(hub(), 'GET', `/api/v1/conversations/${conv.id}/messages`, as(t.agent));
    const media = msgs.body.items[0].media as { url: string; mimeType: string };
    expect(media).toMatchObject({ mimeType: 'image/png', url: expect.stringMatching(/^\/api\/v1\/media\//) });

    const own = await fetch(`${hub().url}${media.url}`, {
      headers: { authorization: `Bearer ${t.agent.accessToken}` },
    });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await own.arrayBuffer()).toString()).toBe('PNGDATA');

    const theirs = await fetch(`${hub().url}${media.url}`, {
      headers: { authorization: `Bearer ${other.admin.accessToken}` },
    });
    expect(theirs.status).toBe(404);
    expect(((await theirs.json()) as { error: { code: string } }).error.code).toBe('media_not_found');
    expect((await fetch(`${hub().url}${media.url}`)).status).toBe(401);
    for (const path of [`/api/v1/conversations/${conv.id}`, `/api/v1/conversations/${conv.id}/messages`]) {
      expect((await call(hub(), 'GET', path, as(other.admin))).status).toBe(404);
    }
    expect(
      (
        await call(hub(), 'PATCH', `/api/v1/conversations/${conv.id}`, {
          ...as(other.admin),
          body: { status: 'resolved' },
        })
      ).status,
    ).toBe(404);
    expect((await call(hub(), 'GET', '/api/v1/conversations', as(other.admin))).body.items).toEqual([]);
    expect((await call(hub(), 'GET', `/api/v1/conversations/${randomUUID()}`, as(t.admin))).status).toBe(404);
  });

  it('shows an agent its own and unassigned conversations, not a colleague’s', async () => {
    await text('14155550600', 'for the supervisor', 1_764_000_000);
    await hub().settle();
    const conv = await conversationWith('+14155550600');
    await call(hub(), 'PATCH', `/api/v1/conversations/${conv.id}`, {
      ...as(t.admin),
      body: { assigneeId: t.supervisor.user.id },
    });
    expect((await call(hub(), 'GET', `/api/v1/conversations/${conv.id}`, as(t.agent))).status).toBe(404);
    expect((await call(hub(), 'GET', `/api/v1/conversations/${conv.id}`, as(t.supervisor))).status).toBe(200);
    const agentList = await call(hub(), 'GET', '/api/v1/conversations?limit=200', as(t.agent));
    expect(agentList.body.items.map((c: { id: string }) => c.id)).not.toContain(conv.id);
    expect((await call(hub(), 'GET', '/api/v1/conversations', as(t.marketer))).status).toBe(403);
  });
});
