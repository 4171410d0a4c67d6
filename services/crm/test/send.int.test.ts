import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { TestClient } from '../../gateway/test/gateway.helpers';
import { addUser, team, type Session, type Team } from './crm-test-client';
import { PUBLIC_URL, startLive, uniqueDigits, type Channels } from './live-test-hub';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are probed freely */

// Sending from the inbox beyond the dispatcher's own suite: private notes with @mentions
// (stored, never sent, mentioned users notified on their sockets only if they may see the
// conversation), the socket's message:send with its ack (the same service as REST, same
// idempotency), multipart uploads, reply templates, and the quote hand-off to the dispatcher.

describeDrivers(
  'sending from the inbox',
  (set) => startLive(set),
  (hub) => {
    let t: Team;
    let ch: Channels;
    let colleague: Session;
    let outsider: Session;
    const clients: TestClient[] = [];
    beforeAll(async () => {
      t = await team(hub());
      ch = await hub().channels(t.admin);
      [colleague, outsider] = await Promise.all([
        addUser(hub(), t.admin, 'agent', 'Colleague'),
        addUser(hub(), t.admin, 'agent', 'Outsider'),
      ]);
    });
    afterAll(() => clients.forEach((c) => c.close()));

    const socketOf = async (s: Session) => {
      const c = new TestClient(hub().url, { token: s.accessToken });
      clients.push(c);
      await c.ready();
      return c;
    };
    const customer = async (text = 'hello') => {
      const from = uniqueDigits('1415', 11);
      await hub().whatsapp(ch.whatsapp, from, text);
      return { from, conv: await hub().conversationOf(t.admin, ch.whatsapp.id, (c) => c.contact.phone === `+${from}`) };
    };

    describe('private notes', () => {
      it('notifies the users it mentions who may see the conversation, and sends nothing', async () => {
        const { conv } = await customer();
        // Assigned to the agent: the outsider (another agent) may not see it.
        await hub().api('POST', `/api/v1/conversations/${conv.id}/assign`, t.supervisor, {
          body: { assigneeId: t.agent.user.id },
        });
        const [sup, out] = await Promise.all([socketOf(t.supervisor), socketOf(outsider)]);
        const before = hub().sendsFor(ch.whatsapp.token).length;
        const res = await hub().api('POST', `/api/v1/conversations/${conv.id}/messages`, t.agent, {
          body: {
            text: `@${t.supervisor.user.email} please check, and @${outsider.user.id} too. Me: @${t.agent.user.email}`,
            private: true,
          },
        });
        expect(res.status).toBe(202);
        expect(res.body.message.details.private).toBe(true);
        expect(new Set(res.body.message.details.mentions)).toEqual(
          new Set([t.supervisor.user.id, outsider.user.id, t.agent.user.id]),
        );
        const note = await sup.waitFor((e) => e.event === 'notification', 'notification');
        expect(note.payload).toMatchObject({
          userId: t.supervisor.user.id,
          kind: 'mention',
          conversationId: conv.id,
          messageId: res.body.message.id,
          byUserId: t.agent.user.id,
        });
        await hub().sent();
        expect(hub().sendsFor(ch.whatsapp.token).length).toBe(before);
        // The outsider cannot see the conversation: no notification, nor the note itself (a
        // sync from its first seq replays what it may see, and its ack comes after all of it).
        await out.flush((await out.ready()).seq);
        expect(out.events.some((e) => e.event === 'notification')).toBe(false);
        expect(out.labels().some((l) => l.includes(conv.id))).toBe(false);
        // The conversation's preview is still the customer's message.
        const after = await hub().api('GET', `/api/v1/conversations/${conv.id}`, t.agent);
        expect(after.body.lastMessage.direction).toBe('in');
      });
    });

    describe('socket message:send', () => {
      it('sends with an ack, once per idempotency key, and acks errors in the API’s shape', async () => {
        const { from, conv } = await customer();
        const agent = await socketOf(colleague);
        const before = hub().sendsFor(ch.whatsapp.token).length;
        const key = `sock-${randomUUID()}`;
        const ack1 = await agent.socket
          .timeout(10_000)
          .emitWithAck('message:send', { conversationId: conv.id, idempotencyKey: key, text: 'via socket' });
        const ack2 = await agent.socket
          .timeout(10_000)
          .emitWithAck('message:send', { conversationId: conv.id, idempotencyKey: key, text: 'via socket' });
        expect(ack1).toMatchObject({ ok: true, message: { text: 'via socket', status: 'queued', direction: 'out' } });
        expect(ack2.message.id).toBe(ack1.message.id);
        await hub().sent();
        const sends = hub().sendsFor(ch.whatsapp.token).slice(before);
        expect(sends).toHaveLength(1);
        expect(sends[0]!.body).toMatchObject({ to: from, text: { body: 'via socket' } });
        // Same key over REST: the same message again.
        const rest = await hub().api('POST', `/api/v1/conversations/${conv.id}/messages`, colleague, {
          body: { text: 'via socket' },
          headers: { 'Idempotency-Key': key },
        });
        expect(rest.body.message.id).toBe(ack1.message.id);

        const invalid = await agent.socket
          .timeout(10_000)
          .emitWithAck('message:send', { conversationId: conv.id, text: '' });
        expect(invalid).toMatchObject({
          ok: false,
          error: { code: 'validation_failed', details: [{ field: 'text' }] },
        });
        const noConv = await agent.socket.timeout(10_000).emitWithAck('message:send', { text: 'x' });
        expect(noConv).toMatchObject({
          ok: false,
          error: { code: 'validation_failed', details: [{ field: 'conversationId' }] },
        });
        const unknown = await agent.socket
          .timeout(10_000)
          .emitWithAck('message:send', { conversationId: randomUUID(), text: 'x' });
        expect(unknown).toMatchObject({ ok: false, error: { code: 'conversation_not_found' } });
        // The socket obeys the permission matrix like the route: marketers do not send.
        const marketer = await socketOf(t.marketer);
        const refused = await marketer.socket
          .timeout(10_000)
          .emitWithAck('message:send', { conversationId: conv.id, text: 'buy now' });
        expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      });
    });

    describe('uploads', () => {
      it('takes multipart/form-data and sends the file as a WhatsApp document', async () => {
        const { from, conv } = await customer();
        const form = new FormData();
        form.append('file', new Blob([Buffer.from('%PDF-1.4 terms')], { type: 'application/pdf' }), 'terms.pdf');
        const up = await fetch(`${hub().url}/api/v1/media`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.agent.accessToken}` },
          body: form,
        });
        expect(up.status).toBe(201);
        const file = (await up.json()) as any;
        expect(file).toMatchObject({ mimeType: 'application/pdf', fileName: 'terms.pdf', size: 14 });
        const noPart = new FormData();
        noPart.append('other', 'x');
        const missing = await fetch(`${hub().url}/api/v1/media`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.agent.accessToken}` },
          body: noPart,
        });
        expect(missing.status).toBe(400);
        expect(((await missing.json()) as any).error.details[0].field).toBe('file');

        const before = hub().sendsFor(ch.whatsapp.token).length;
        const res = await hub().api('POST', `/api/v1/conversations/${conv.id}/messages`, t.agent, {
          body: { type: 'document', mediaId: file.id, caption: 'Our terms' },
        });
        expect(res.status).toBe(202);
        await hub().sent();
        const sent = hub().sendsFor(ch.whatsapp.token).slice(before)[0]!.body as any;
        expect(sent).toMatchObject({
          to: from,
          type: 'document',
          document: { filename: 'terms.pdf', caption: 'Our terms' },
        });
        expect(sent.document.link.startsWith(`${PUBLIC_URL}/api/v1/media/public/`)).toBe(true);
        // The team sees it through the authenticated media route too.
        const own = await fetch(`${hub().url}${res.body.message.media.url}`, {
          headers: { authorization: `Bearer ${t.agent.accessToken}` },
        });
        expect(own.status).toBe(200);

        const foreign = await hub().api('POST', `/api/v1/conversations/${conv.id}/messages`, t.agent, {
          body: { type: 'document', mediaId: randomUUID() },
        });
        expect(foreign.status).toBe(400);
        expect(foreign.body.error.details[0].field).toBe('mediaId');
      });
    });

    describe('reply templates', () => {
      it('are CRUD like every resource, with their variables listed', async () => {
        const created = await hub().api('POST', '/api/v1/reply-templates', t.supervisor, {
          body: {
            name: 'Greeting',
            shortcut: 'hi',
            body: 'Hello {{contact.name}}, I am {{agent.name}}.',
            platforms: ['whatsapp'],
          },
        });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({
          shortcut: 'hi',
          variables: ['contact.name', 'agent.name'],
          category: null,
        });
        const dup = await hub().api('POST', '/api/v1/reply-templates', t.admin, {
          body: { name: 'Other', shortcut: 'HI', body: 'x' },
        });
        expect(dup.status).toBe(409);
        expect(dup.body.error.code).toBe('shortcut_taken');
        const list = await hub().api('GET', '/api/v1/reply-templates?platform=whatsapp', t.agent);
        expect(list.body.items.map((x: any) => x.id)).toContain(created.body.id);
        const tg = await hub().api('GET', '/api/v1/reply-templates?platform=telegram', t.agent);
        expect(tg.body.items.map((x: any) => x.id)).not.toContain(created.body.id);
        const patched = await hub().api('PATCH', `/api/v1/reply-templates/${created.body.id}`, t.supervisor, {
          body: { category: 'sales' },
        });
        expect(patched.body.category).toBe('sales');
        expect(
          (
            await hub().api('POST', '/api/v1/reply-templates', t.agent, {
              body: { name: 'x', shortcut: 'x', body: 'x' },
            })
          ).status,
        ).toBe(403);
        const bad = await hub().api('POST', '/api/v1/reply-templates', t.admin, {
          body: { name: 'x', shortcut: 'has space', body: 'x' },
        });
        expect(bad.status).toBe(400);
        expect(bad.body.error.details[0].field).toBe('shortcut');
        expect((await hub().api('DELETE', `/api/v1/reply-templates/${created.body.id}`, t.admin)).status).toBe(204);
        expect((await hub().api('GET', `/api/v1/reply-templates/${created.body.id}`, t.agent)).status).toBe(404);
      });
    });

    describe('documents from the CRM', () => {
      it('hands a quote sent to the conversation to the dispatcher, which sends the PDF', async () => {
        const { from, conv } = await customer('send me a quote');
        const q = await hub().api('POST', '/api/v1/quotes', t.manager, {
          body: {
            contactId: conv.contact.id,
            currency: 'EUR',
            lines: [{ description: 'Plan', quantity: 1, unitPrice: 9900 }],
          },
        });
        expect(q.status).toBe(201);
        const before = hub().sendsFor(ch.whatsapp.token).length;
        const res = await hub().api('POST', `/api/v1/quotes/${q.body.id}/send-to-conversation`, t.manager, {
          body: { conversationId: conv.id, caption: 'Your quote' },
        });
        expect(res.status).toBe(202);
        await hub().sent();
        const sends = hub().sendsFor(ch.whatsapp.token).slice(before);
        expect(sends).toHaveLength(1);
        expect(sends[0]!.body).toMatchObject({
          to: from,
          type: 'document',
          document: { filename: `${q.body.reference}.pdf`, caption: 'Your quote' },
        });
        const msgs = await hub().messages(t.admin, conv.id);
        expect(msgs.find((m: any) => m.id === res.body.message.id).status).toBe('sent');
      });
    });
  },
);
