import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { enqueueOutbound, OUTBOUND_QUEUE, type OutboundJob } from '@hub/shared/domain';
import { describeDrivers } from '@hub/shared/testing';
import { platformErrors, whatsappStatusWebhook } from '../../../infra/fake-platforms';
import { team, type Team } from '../../crm/test/crm-test-client';
import { PUBLIC_URL, startLive, uniqueDigits, type Channels, type LiveHub } from '../../crm/test/live-test-hub';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are probed freely */

// The outbound dispatcher against the fake platforms: what reaches the platform (exactly one
// request, the right shape and token), what the message becomes (provider id + sent, receipts,
// failed with the platform's code), retries on 429/5xx with the attempt counts, the agent's
// retry, the never-twice rule, and the window rules that refuse a send before anything goes out.

const HOUR = 3_600_000;

describeDrivers(
  'outbound dispatcher',
  (set) => startLive(set),
  (hub) => {
    let t: Team;
    let ch: Channels;
    beforeAll(async () => {
      t = await team(hub());
      ch = await hub().channels(t.admin);
    });

    const waCustomer = async (text = 'hello', at?: Date) => {
      const from = uniqueDigits('1415', 11);
      await hub().whatsapp(ch.whatsapp, from, text, at);
      const conv = await hub().conversationOf(t.admin, ch.whatsapp.id, (c) => c.contact.phone === `+${from}`);
      return { from, conv };
    };
    const send = (conversationId: string, body: unknown, headers: Record<string, string> = {}) =>
      hub().api('POST', `/api/v1/conversations/${conversationId}/messages`, t.agent, { body, headers });
    const messageById = async (conversationId: string, id: string) =>
      (await hub().messages(t.admin, conversationId)).find((m: any) => m.id === id);
    const waSends = () => hub().sendsFor(ch.whatsapp.token);

    describe('a reply', () => {
      it('reaches WhatsApp once, with the number’s token and the documented body, and becomes sent', async () => {
        const { from, conv } = await waCustomer('Do you ship to Spain?');
        const before = waSends().length;
        const res = await send(conv.id, { text: 'Yes, in 48 hours.' });
        expect(res.status).toBe(202);
        expect(res.body.message).toMatchObject({
          direction: 'out',
          type: 'text',
          text: 'Yes, in 48 hours.',
          status: 'queued',
        });
        await hub().sent();
        const sends = waSends().slice(before);
        expect(sends).toHaveLength(1);
        expect(sends[0]).toMatchObject({
          method: 'POST',
          path: `/v21.0/${ch.whatsapp.phoneNumberId}/messages`,
          status: 200,
          body: {
            messaging_product: 'whatsapp',
            recipient_type: 'individual',
            to: from,
            type: 'text',
            text: { body: 'Yes, in 48 hours.', preview_url: false },
          },
        });
        expect(sends[0]!.headers['authorization']).toBe(`Bearer ${ch.whatsapp.token}`);
        const wamid = (sends[0]!.response as any).messages[0].id;
        const msg = await messageById(conv.id, res.body.message.id);
        expect(msg).toMatchObject({ status: 'sent', providerMessageId: wamid, error: null });
      });

      it('moves forward with delivered and read receipts, never back', async () => {
        const { from, conv } = await waCustomer();
        const res = await send(conv.id, { text: 'Receipt me' });
        await hub().sent();
        const wamid = (await messageById(conv.id, res.body.message.id)).providerMessageId;
        const receipt = (status: 'delivered' | 'read') =>
          hub().meta(
            'whatsapp',
            ch.whatsapp.id,
            whatsappStatusWebhook({ phoneNumberId: ch.whatsapp.phoneNumberId, id: wamid, status, recipientId: from }),
          );
        await receipt('read');
        await receipt('delivered');
        await hub().settle();
        expect((await messageById(conv.id, res.body.message.id)).status).toBe('read');
      });

      it('keeps a receipt that arrives before the platform’s answer to the send', async () => {
        const { from, conv } = await waCustomer();
        const wamid = `wamid.EARLY${randomUUID().replace(/-/g, '').toUpperCase()}`;
        // The receipt for the id the platform is about to give us comes first…
        await hub().meta(
          'whatsapp',
          ch.whatsapp.id,
          whatsappStatusWebhook({
            phoneNumberId: ch.whatsapp.phoneNumberId,
            id: wamid,
            status: 'delivered',
            recipientId: from,
          }),
        );
        await hub().settle();
        // …then the send answers with that id.
        hub().fake.failNext('whatsapp', 1, {
          status: 200,
          body: { messaging_product: 'whatsapp', contacts: [{ input: from, wa_id: from }], messages: [{ id: wamid }] },
        });
        const res = await send(conv.id, { text: 'Early bird' });
        await hub().sent();
        expect(await messageById(conv.id, res.body.message.id)).toMatchObject({
          providerMessageId: wamid,
          status: 'delivered',
        });
      });

      it('is one message and one send for the same Idempotency-Key, however often it comes', async () => {
        const { conv } = await waCustomer();
        const before = waSends().length;
        const key = `key-${randomUUID()}`;
        const [a, b] = await Promise.all([
          send(conv.id, { text: 'Only once' }, { 'Idempotency-Key': key }),
          send(conv.id, { text: 'Only once' }, { 'Idempotency-Key': key }),
        ]);
        await hub().sent();
        const again = await send(conv.id, { text: 'Only once' }, { 'Idempotency-Key': key });
        expect([a.status, b.status, again.status]).toEqual([202, 202, 202]);
        expect(new Set([a.body.message.id, b.body.message.id, again.body.message.id]).size).toBe(1);
        expect(again.body.message.status).toBe('sent');
        await hub().sent();
        expect(waSends().length - before).toBe(1);
        const mine = (await hub().messages(t.admin, conv.id)).filter((m: any) => m.text === 'Only once');
        expect(mine).toHaveLength(1);

        const bad = await send(conv.id, { text: 'x' }, { 'Idempotency-Key': 'has spaces in it' });
        expect(bad.status).toBe(400);
        expect(bad.body.error.details[0].field).toBe('Idempotency-Key');
      });

      it('is a private note when asked: stored for the team, never sent', async () => {
        const { conv } = await waCustomer();
        const before = waSends().length;
        const res = await send(conv.id, { text: 'VIP, be nice', private: true });
        expect(res.status).toBe(202);
        expect(res.body.message.details).toMatchObject({ private: true });
        await hub().sent();
        expect(waSends().length).toBe(before);
      });
    });

    describe('failures', () => {
      it('retries 429 and 5xx with backoff and sends exactly once', async () => {
        const { conv } = await waCustomer();
        const before = waSends().length;
        hub().fake.failNext('whatsapp', 2, platformErrors.whatsappThroughput);
        hub().fake.failNext('whatsapp', 1, { status: 500 });
        const res = await send(conv.id, { text: 'Third time lucky' });
        await hub().sent();
        const sends = waSends().slice(before);
        expect(sends.map((s) => s.status)).toEqual([429, 429, 500, 200]);
        expect(sends.filter((s) => s.status === 200)).toHaveLength(1);
        const msg = await messageById(conv.id, res.body.message.id);
        expect(msg).toMatchObject({ status: 'sent', error: null });
        expect(msg.providerMessageId).toBe((sends[3]!.response as any).messages[0].id);
      });

      it('honours Telegram’s retry_after', async () => {
        const chatId = Number(uniqueDigits('5', 9));
        await hub().telegram(ch.telegram, chatId, 'hi bot');
        const conv = await hub().conversationOf(t.admin, ch.telegram.id, (c) => c.contact.name.startsWith('TG'));
        const before = hub().sendsFor(ch.telegram.botToken).length;
        hub().fake.failNext('telegram', 1, { status: 429, retryAfter: 1 });
        const res = await send(conv.id, { text: 'patience' });
        await hub().sent();
        const sends = hub().sendsFor(ch.telegram.botToken).slice(before);
        expect(sends.map((s) => s.status)).toEqual([429, 200]);
        expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(1000);
        expect((await messageById(conv.id, res.body.message.id)).status).toBe('sent');
      });

      it('marks a permanent error failed with the platform’s code and message; Retry sends it again', async () => {
        const { conv } = await waCustomer();
        const before = waSends().length;
        hub().fake.failNext('whatsapp', 1, platformErrors.whatsappReengagement);
        const res = await send(conv.id, { text: 'Too late?' });
        await hub().sent();
        expect(waSends().length - before).toBe(1);
        const failed = await messageById(conv.id, res.body.message.id);
        expect(failed.status).toBe('failed');
        expect(failed.error.code).toBe('131047');
        expect(failed.error.message).toMatch(/Re-engagement/);

        const retry = await hub().api('POST', `/api/v1/messages/${failed.id}/retry`, t.agent);
        expect(retry.status).toBe(202);
        expect(retry.body.message).toMatchObject({ id: failed.id, status: 'queued', error: null });
        await hub().sent();
        expect(waSends().length - before).toBe(2);
        expect(await messageById(conv.id, failed.id)).toMatchObject({ status: 'sent', error: null });

        const again = await hub().api('POST', `/api/v1/messages/${failed.id}/retry`, t.agent);
        expect(again.status).toBe(409);
        expect(again.body.error.code).toBe('message_not_failed');
        const unknown = await hub().api('POST', `/api/v1/messages/${randomUUID()}/retry`, t.agent);
        expect(unknown.status).toBe(404);
      });

      it('gives up after its last try with the platform’s error', async () => {
        const { conv } = await waCustomer();
        const before = waSends().length;
        hub().fake.failNext('whatsapp', 8, { status: 500 });
        const res = await send(conv.id, { text: 'Never' });
        await hub().sent();
        expect(waSends().length - before).toBe(8);
        const msg = await messageById(conv.id, res.body.message.id);
        expect(msg.status).toBe('failed');
        expect(msg.error.code).toBe('2');
      });

      it('never calls the platform again for a send whose outcome was lost', async () => {
        const { conv } = await waCustomer();
        const db = hub().rt.database.db;
        const before = waSends().length;
        // A message an earlier try had claimed (sending_at) and never recorded: a crash mid-call.
        const row = await db
          .insertInto('messages')
          .values({
            workspace_id: t.admin.user.workspaceId,
            conversation_id: conv.id,
            channel_id: ch.whatsapp.id,
            direction: 'out',
            type: 'text',
            text: 'lost in flight',
            status: 'queued',
            sent_at: new Date(),
            sending_at: new Date(),
            sender_user_id: t.agent.user.id,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await enqueueOutbound(hub().rt.queues.queue<OutboundJob>(OUTBOUND_QUEUE), {
          messageId: row.id,
          conversationId: conv.id,
          retryRound: 0,
          channel: { id: ch.whatsapp.id, type: 'whatsapp', settings: {} },
        });
        await hub().sent();
        expect(waSends().length).toBe(before);
        const msg = await messageById(conv.id, row.id);
        expect(msg.status).toBe('failed');
        expect(msg.error.code).toBe('send_unconfirmed');
      });
    });

    describe('windows', () => {
      it('refuses a free-form WhatsApp reply after 24 hours before anything is sent; templates go', async () => {
        const { from, conv } = await waCustomer('old question', new Date(Date.now() - 25 * HOUR));
        const before = waSends().length;
        const countBefore = (await hub().messages(t.admin, conv.id)).length;
        const res = await send(conv.id, { text: 'Sorry for the delay' });
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('whatsapp_window_closed');
        expect(res.body.error.message).toMatch(/template/i);
        expect((await hub().messages(t.admin, conv.id)).length).toBe(countBefore);

        const recorded = await hub().api('POST', `/api/v1/channels/${ch.whatsapp.id}/templates`, t.admin, {
          body: { name: 'order_update', language: 'en_US', body: 'Hi {{1}}, your order {{2}} shipped.' },
        });
        expect(recorded.status).toBe(201);
        expect(recorded.body.variableCount).toBe(2);
        const wrong = await send(conv.id, {
          type: 'template',
          template: { name: 'order_update', language: 'en_US', variables: ['Ana'] },
        });
        expect(wrong.status).toBe(400);
        expect(wrong.body.error.details[0].field).toBe('template.variables');

        const ok = await send(conv.id, {
          type: 'template',
          template: { name: 'order_update', language: 'en_US', variables: ['Ana', 'A-17'] },
        });
        expect(ok.status).toBe(202);
        expect(ok.body.message).toMatchObject({ type: 'template', text: 'Hi Ana, your order A-17 shipped.' });
        await hub().sent();
        const sends = waSends().slice(before);
        expect(sends).toHaveLength(1);
        expect(sends[0]!.body).toMatchObject({
          to: from,
          type: 'template',
          template: {
            name: 'order_update',
            language: { code: 'en_US' },
            components: [
              {
                type: 'body',
                parameters: [
                  { type: 'text', text: 'Ana' },
                  { type: 'text', text: 'A-17' },
                ],
              },
            ],
          },
        });
        const tg = await hub().api('GET', `/api/v1/channels/${ch.whatsapp.id}/templates`, t.agent);
        expect(tg.body.items.map((x: any) => x.name)).toContain('order_update');
      });

      it('answers on Messenger inside 24 h, with the HUMAN_AGENT tag up to 7 days, and refuses after', async () => {
        const before = hub().sendsFor(ch.messenger.token).length;
        const conversations: any[] = [];
        for (const ageHours of [1, 72, 8 * 24]) {
          const psid = uniqueDigits('9', 16);
          await hub().messenger(ch.messenger, psid, `written ${ageHours}h ago`, new Date(Date.now() - ageHours * HOUR));
          await hub().settle();
          const msgs = (await hub().api('GET', `/api/v1/conversations?channelId=${ch.messenger.id}&limit=200`, t.admin))
            .body.items as any[];
          conversations.push(msgs.find((c) => c.lastMessage?.text === `written ${ageHours}h ago`));
        }
        const [fresh, week, old] = conversations;
        expect((await send(fresh.id, { text: 'inside' })).status).toBe(202);
        expect((await send(week.id, { text: 'tagged' })).status).toBe(202);
        const refused = await send(old.id, { text: 'too late' });
        expect(refused.status).toBe(422);
        expect(refused.body.error.code).toBe('messenger_window_closed');
        const template = await send(fresh.id, { type: 'template', template: { name: 'x', language: 'en' } });
        expect(template.status).toBe(422);
        expect(template.body.error.code).toBe('template_unsupported');
        await hub().sent();
        const sends = hub().sendsFor(ch.messenger.token).slice(before);
        expect(sends).toHaveLength(2);
        const byText = new Map(sends.map((s) => [(s.body as any).message.text, s.body as any]));
        expect(byText.get('inside')).toMatchObject({ messaging_type: 'RESPONSE' });
        expect(byText.get('tagged')).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
        expect(sends[0]!.path).toBe('/v21.0/me/messages');
      });
    });

    describe('content', () => {
      it('replies on Telegram quoting the customer, and sends an uploaded photo by a signed link', async () => {
        const chatId = Number(uniqueDigits('6', 9));
        await hub().telegram(ch.telegram, chatId, 'show me');
        const conv = await hub().conversationOf(t.admin, ch.telegram.id, (c) => c.lastMessage?.text === 'show me');
        const inbound = (await hub().messages(t.admin, conv.id)).find((m: any) => m.text === 'show me');
        const before = hub().sendsFor(ch.telegram.botToken).length;

        const reply = await send(conv.id, { text: 'Here it comes', replyToMessageId: inbound.id });
        expect(reply.status).toBe(202);
        const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
        const up = await fetch(`${hub().url}/api/v1/media`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${t.agent.accessToken}`,
            'content-type': 'image/png',
            'x-file-name': 'pic.png',
          },
          body: png,
        });
        expect(up.status).toBe(201);
        const upload = (await up.json()) as any;
        expect(upload).toMatchObject({ mimeType: 'image/png', fileName: 'pic.png', size: png.length });
        const photo = await send(conv.id, { type: 'image', mediaId: upload.id, caption: 'the blue one' });
        expect(photo.status).toBe(202);
        expect(photo.body.message.media).toMatchObject({ mimeType: 'image/png', caption: 'the blue one' });
        expect(photo.body.message.media.url).toMatch(/^\/api\/v1\/media\//);
        await hub().sent();

        const sends = hub().sendsFor(ch.telegram.botToken).slice(before);
        expect(sends.map((s) => s.action)).toEqual(['sendMessage', 'sendPhoto']);
        expect(sends[0]!.body).toMatchObject({
          chat_id: chatId,
          text: 'Here it comes',
          reply_parameters: { message_id: Number(inbound.providerMessageId.split(':')[1]) },
        });
        const sent = sends[1]!.body as any;
        expect(sent).toMatchObject({ chat_id: chatId, caption: 'the blue one' });
        expect(sent.photo.startsWith(`${PUBLIC_URL}/api/v1/media/public/`)).toBe(true);
        // The platform fetches the link without logging in.
        const path = sent.photo.slice(PUBLIC_URL.length);
        const fetched = await fetch(`${hub().url}${path}`);
        expect(fetched.status).toBe(200);
        expect(fetched.headers.get('content-type')).toBe('image/png');
        expect(Buffer.from(await fetched.arrayBuffer())).toEqual(png);
        const tampered = await fetch(`${hub().url}${path.slice(0, -2)}xx`);
        expect(tampered.status).toBe(404);
      });

      it('sends media by URL and checks the upload against the type', async () => {
        const { from, conv } = await waCustomer();
        const before = waSends().length;
        const res = await send(conv.id, {
          type: 'document',
          url: 'https://files.example.com/terms.pdf',
          fileName: 'terms.pdf',
        });
        expect(res.status).toBe(202);
        await hub().sent();
        expect(waSends().slice(before)[0]!.body).toMatchObject({
          to: from,
          type: 'document',
          document: { link: 'https://files.example.com/terms.pdf', filename: 'terms.pdf' },
        });

        const up = await fetch(`${hub().url}/api/v1/media`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.agent.accessToken}`, 'content-type': 'application/pdf' },
          body: Buffer.from('%PDF-1.4'),
        });
        const pdf = (await up.json()) as any;
        const mismatch = await send(conv.id, { type: 'image', mediaId: pdf.id });
        expect(mismatch.status).toBe(400);
        expect(mismatch.body.error.details[0].field).toBe('type');
        const both = await send(conv.id, { type: 'image', mediaId: pdf.id, url: 'https://x.example/a.png' });
        expect(both.status).toBe(400);
        expect(both.body.error.details[0].field).toBe('mediaId');
        const json = await hub().api('POST', '/api/v1/media', t.agent, { body: { file: 'nope' } });
        expect(json.status).toBe(400);
        expect(json.body.error.details[0].field).toBe('Content-Type');
      });

      it('answers bad bodies with the field at fault, and 404 for a conversation it cannot see', async () => {
        const { conv } = await waCustomer();
        const empty = await send(conv.id, { text: '   ' });
        expect(empty.status).toBe(400);
        expect(empty.body.error.details[0].field).toBe('text');
        const unknownKey = await send(conv.id, { text: 'x', colour: 'red' });
        expect(unknownKey.status).toBe(400);
        expect(unknownKey.body.error.details[0].field).toBe('colour');
        const badType = await send(conv.id, { type: 'hologram', text: 'x' });
        expect(badType.status).toBe(400);
        expect(badType.body.error.details[0].field).toBe('type');
        const badReply = await send(conv.id, { text: 'x', replyToMessageId: randomUUID() });
        expect(badReply.status).toBe(400);
        expect(badReply.body.error.details[0].field).toBe('replyToMessageId');
        const missing = await send(randomUUID(), { text: 'x' });
        expect(missing.status).toBe(404);
        const other = await team(hub());
        const foreign = await hub().api('POST', `/api/v1/conversations/${conv.id}/messages`, other.admin, {
          body: { text: 'intruder' },
        });
        expect(foreign.status).toBe(404);
        const marketer = await hub().api('POST', `/api/v1/conversations/${conv.id}/messages`, t.marketer, {
          body: { text: 'no' },
        });
        expect(marketer.status).toBe(403);
      });
    });
  },
);

export type { LiveHub };
