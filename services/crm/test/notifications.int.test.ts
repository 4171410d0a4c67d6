import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { TestClient } from '../../gateway/test/gateway.helpers';
import { addUser, team, type Session, type Team } from './crm-test-client';
import { startLive, uniqueDigits, type Channels } from './live-test-hub';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are probed freely */

// Stored notifications: an @mention in a private note is written with the note, so a user who
// was offline finds it in GET /notifications; the socket push still goes out, carrying the
// stored id. Each user reads and marks only their own, in their own workspace.

describeDrivers(
  'notifications',
  (set) => startLive(set),
  (hub) => {
    let t: Team;
    let ch: Channels;
    const clients: TestClient[] = [];
    beforeAll(async () => {
      t = await team(hub());
      ch = await hub().channels(t.admin);
    });
    afterAll(() => clients.forEach((c) => c.close()));

    const conversation = async () => {
      const from = uniqueDigits('1415', 11);
      await hub().whatsapp(ch.whatsapp, from, 'hello');
      return hub().conversationOf(t.admin, ch.whatsapp.id, (c) => c.contact.phone === `+${from}`);
    };
    const note = async (conversationId: string, author: Session, text: string) => {
      const res = await hub().api('POST', `/api/v1/conversations/${conversationId}/messages`, author, {
        body: { text, private: true },
      });
      expect(res.status).toBe(202);
      return res.body.message;
    };
    const list = (s: Session | undefined, query = '') => hub().api('GET', `/api/v1/notifications${query}`, s);
    const markRead = (s: Session | undefined, body: unknown) =>
      hub().api('POST', '/api/v1/notifications/read', s, { body });

    it('stores a mention for a user who is offline, and only for the users it should reach', async () => {
      const conv = await conversation();
      await hub().api('POST', `/api/v1/conversations/${conv.id}/assign`, t.supervisor, {
        body: { assigneeId: t.agent.user.id },
      });
      const [offline, outsider] = await Promise.all([
        addUser(hub(), t.admin, 'supervisor', 'Offline'),
        addUser(hub(), t.admin, 'agent', 'Outsider'),
      ]);
      const msg = await note(
        conv.id,
        t.agent,
        `@${offline.user.email} have a look; @${outsider.user.id} and me @${t.agent.user.email}`,
      );

      const res = await list(offline);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [
          {
            id: expect.any(String),
            kind: 'mention',
            conversationId: conv.id,
            messageId: msg.id,
            byUserId: t.agent.user.id,
            text: msg.text,
            createdAt: expect.any(String),
            readAt: null,
          },
        ],
        nextCursor: null,
        unreadCount: 1,
      });
      // The author is not notified of their own mention; an agent who may not see the
      // conversation gets nothing stored either.
      expect((await list(t.agent)).body).toEqual({ items: [], nextCursor: null, unreadCount: 0 });
      expect((await list(outsider)).body).toEqual({ items: [], nextCursor: null, unreadCount: 0 });
    });

    it('still pushes the notification to the user’s sockets, with the stored id', async () => {
      const conv = await conversation();
      const online = await addUser(hub(), t.admin, 'supervisor', 'Online');
      const socket = new TestClient(hub().url, { token: online.accessToken });
      clients.push(socket);
      await socket.ready();
      const msg = await note(conv.id, t.admin, `@${online.user.id} ping`);
      const pushed = await socket.waitFor((e) => e.event === 'notification', 'notification');
      const stored = (await list(online)).body.items;
      expect(stored).toHaveLength(1);
      expect(pushed.payload).toMatchObject({
        id: stored[0].id,
        userId: online.user.id,
        kind: 'mention',
        conversationId: conv.id,
        messageId: msg.id,
        byUserId: t.admin.user.id,
        text: `@${online.user.id} ping`,
      });
    });

    it('lists newest first in pages, filters unread, and marks read by ids or all', async () => {
      const conv = await conversation();
      const reader = await addUser(hub(), t.admin, 'supervisor', 'Reader');
      for (const n of [1, 2, 3]) await note(conv.id, t.admin, `@${reader.user.email} note ${n}`);

      const first = await list(reader, '?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      expect(first.body.unreadCount).toBe(3);
      const second = await list(reader, `?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
      const all = [...first.body.items, ...second.body.items];
      expect(new Set(all.map((n: any) => n.text))).toEqual(
        new Set([1, 2, 3].map((n) => `@${reader.user.email} note ${n}`)),
      );
      const times = all.map((n: any) => Date.parse(n.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));

      const marked = await markRead(reader, { ids: [all[0].id] });
      expect(marked.status).toBe(200);
      expect(marked.body).toEqual({ unreadCount: 2 });
      const unread = await list(reader, '?unread=true');
      expect(unread.body.items.map((n: any) => n.id)).toEqual([all[1].id, all[2].id]);
      expect(unread.body.unreadCount).toBe(2);
      const read = await list(reader, '?unread=false');
      expect(read.body.items.map((n: any) => n.id)).toEqual([all[0].id]);
      expect(read.body.items[0].readAt).toEqual(expect.any(String));
      // Marking again changes nothing.
      expect((await markRead(reader, { ids: [all[0].id] })).body).toEqual({ unreadCount: 2 });

      expect((await markRead(reader, { all: true })).body).toEqual({ unreadCount: 0 });
      expect((await list(reader, '?unread=true')).body).toEqual({ items: [], nextCursor: null, unreadCount: 0 });
      expect((await list(reader)).body.items).toHaveLength(3);
    });

    it('never shows or marks another user’s notifications, nor another workspace’s', async () => {
      const conv = await conversation();
      const [owner, colleague] = await Promise.all([
        addUser(hub(), t.admin, 'supervisor', 'Owner'),
        addUser(hub(), t.admin, 'supervisor', 'Colleague'),
      ]);
      await note(conv.id, t.admin, `@${owner.user.email} yours`);
      const [mine] = (await list(owner)).body.items;
      expect(mine).toBeDefined();

      // A colleague in the same workspace: not listed, and their marking is ignored.
      expect((await list(colleague)).body.items).toEqual([]);
      expect((await markRead(colleague, { ids: [mine.id] })).body).toEqual({ unreadCount: 0 });
      expect((await markRead(colleague, { all: true })).body).toEqual({ unreadCount: 0 });
      // Another workspace's admin: the same.
      const other = await team(hub());
      expect((await list(other.admin)).body.items).toEqual([]);
      expect((await markRead(other.admin, { ids: [mine.id] })).body).toEqual({ unreadCount: 0 });

      const still = await list(owner);
      expect(still.body.unreadCount).toBe(1);
      expect(still.body.items[0]).toMatchObject({ id: mine.id, readAt: null });
    });

    it('is described in the OpenAPI document', async () => {
      const doc = (await hub().api('GET', '/api/openapi.json', undefined)).body;
      expect(doc.paths['/api/v1/notifications'].get.parameters.map((p: any) => p.name)).toEqual(
        expect.arrayContaining(['unread', 'cursor', 'limit']),
      );
      expect(doc.paths['/api/v1/notifications/read'].post).toBeDefined();
      expect(Object.keys(doc.components.schemas.Notification.properties)).toEqual(
        expect.arrayContaining([
          'id',
          'kind',
          'conversationId',
          'messageId',
          'byUserId',
          'text',
          'createdAt',
          'readAt',
        ]),
      );
    });

    describe('bad input', () => {
      const expectField = (res: any, field: string) => {
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
        expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      };

      it('answers 400 naming the field', async () => {
        const s = t.agent;
        expectField(await markRead(s, {}), 'ids');
        expectField(await markRead(s, { ids: [] }), 'ids');
        expectField(await markRead(s, { ids: ['not-a-uuid'] }), 'ids.0');
        expectField(await markRead(s, { all: false }), 'all');
        expectField(await markRead(s, { ids: ['00000000-0000-4000-8000-000000000000'], all: true }), 'ids');
        expectField(await markRead(s, { all: true, extra: 1 }), 'extra');
        expectField(await list(s, '?unread=yes'), 'unread');
        expectField(await list(s, '?limit=0'), 'limit');
        expectField(await list(s, '?cursor=garbage'), 'cursor');
      });

      it('answers 401 without a token', async () => {
        expect((await list(undefined)).status).toBe(401);
        expect((await markRead(undefined, { all: true })).status).toBe(401);
      });
    });
  },
);
