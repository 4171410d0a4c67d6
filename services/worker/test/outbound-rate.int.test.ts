import { beforeAll, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { team, type Team } from '../../crm/test/crm-test-client';
import { startLive, uniqueDigits, type Channels } from '../../crm/test/live-test-hub';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are probed freely */

// Rate limits, judged by the platform: the fake answers 429 to a token that makes more than
// FAKE_PER_SECOND requests in a rolling second. Paced by the channel's limits, a burst of
// sends never meets one; the same burst with the limits lifted does (so the pacing is what
// keeps it clean). Per-chat pacing (Telegram's 1 message/s per chat) is judged the same way:
// two chats at 1/s each stay under a bot-wide 4/s, one burst to them does not.
// The paced rates are half the fake's: requests leave at the limiter's pace but reach the fake
// with varying latency, so two of our windows can fall into one of its.

const FAKE_PER_SECOND = 4;

describeDrivers(
  'outbound rate limits',
  (set) => startLive(set, { fake: { rateLimit: { perSecond: FAKE_PER_SECOND } }, worker: { retryBaseMs: 250 } }),
  (hub) => {
    let t: Team;
    let ch: Channels;
    beforeAll(async () => {
      t = await team(hub());
      ch = await hub().channels(t.admin);
    });

    const settings = (channelId: string, body: unknown) =>
      hub().api('PUT', `/api/v1/channels/${channelId}/settings`, t.admin, { body });
    const burst = async (conversationIds: string[], perConversation: number, tag: string) => {
      // One after the other (so each chat's order is known); the queue gets them as a burst.
      for (let i = 0; i < perConversation; i++) {
        for (const id of conversationIds) {
          const res = await hub().api('POST', `/api/v1/conversations/${id}/messages`, t.agent, {
            body: { text: `${tag} ${i}` },
          });
          expect(res.status).toBe(202);
        }
      }
      await hub().sent();
    };

    it('paces a WhatsApp number to its configured rate: no 429 from the platform', async () => {
      const from = uniqueDigits('1415', 11);
      await hub().whatsapp(ch.whatsapp, from, 'burst me');
      const conv = await hub().conversationOf(t.admin, ch.whatsapp.id);
      const paced = await settings(ch.whatsapp.id, { rateLimit: { perSecond: 2 } });
      expect(paced.status).toBe(200);
      expect(paced.body).toMatchObject({
        autoAssign: false,
        rateLimit: { perSecond: 2, perChatPerSecond: null, custom: true },
      });

      const before = hub().sendsFor(ch.whatsapp.token).length;
      await burst([conv.id], 6, 'paced');
      const sends = hub().sendsFor(ch.whatsapp.token).slice(before);
      expect(sends.filter((s) => s.status === 429)).toHaveLength(0);
      expect(sends.filter((s) => s.status === 200)).toHaveLength(6);
      const texts = (await hub().messages(t.admin, conv.id)).filter((m: any) => m.text?.startsWith('paced'));
      expect(texts.every((m: any) => m.status === 'sent')).toBe(true);

      // The same burst with the limit lifted runs into the platform's.
      await settings(ch.whatsapp.id, { rateLimit: { perSecond: 1000 } });
      const mark = hub().sendsFor(ch.whatsapp.token).length;
      await burst([conv.id], 9, 'unpaced');
      const unpaced = hub().sendsFor(ch.whatsapp.token).slice(mark);
      expect(unpaced.filter((s) => s.status === 429).length).toBeGreaterThan(0);
      // …and the dispatcher retried them: each message went out exactly once.
      expect(unpaced.filter((s) => s.status === 200).length).toBeLessThanOrEqual(9);
      const sentTexts = unpaced.filter((s) => s.status === 200).map((s) => (s.body as any).text.body);
      expect(new Set(sentTexts).size).toBe(sentTexts.length);
      await settings(ch.whatsapp.id, { rateLimit: null });
      const defaults = await hub().api('GET', `/api/v1/channels/${ch.whatsapp.id}/settings`, t.agent);
      expect(defaults.body.rateLimit).toEqual({ perSecond: 80, perChatPerSecond: null, custom: false });
    });

    it('paces each Telegram chat to one message a second', async () => {
      const convs: string[] = [];
      for (let i = 0; i < 2; i++) {
        const chatId = Number(uniqueDigits('8', 9));
        await hub().telegram(ch.telegram, chatId, `chat ${i}`);
        await hub().settle();
        convs.push(
          (await hub().conversationOf(t.admin, ch.telegram.id, (c) => c.lastMessage?.text === `chat ${i}`)).id,
        );
      }
      const defaults = await hub().api('GET', `/api/v1/channels/${ch.telegram.id}/settings`, t.agent);
      expect(defaults.body.rateLimit).toEqual({ perSecond: 30, perChatPerSecond: 1, custom: false });

      const before = hub().sendsFor(ch.telegram.botToken).length;
      await burst(convs, 3, 'tg');
      const sends = hub().sendsFor(ch.telegram.botToken).slice(before);
      expect(sends.filter((s) => s.status === 429)).toHaveLength(0);
      expect(sends.filter((s) => s.status === 200)).toHaveLength(6);
      // Within each chat, in the order they were sent.
      for (const chat of new Set(sends.map((s) => (s.body as any).chat_id))) {
        const texts = sends.filter((s) => (s.body as any).chat_id === chat).map((s) => (s.body as any).text);
        expect(texts).toEqual(['tg 0', 'tg 1', 'tg 2']);
      }

      await settings(ch.telegram.id, { rateLimit: { perChatPerSecond: null } });
      const mark = hub().sendsFor(ch.telegram.botToken).length;
      await burst(convs, 4, 'fast');
      const fast = hub().sendsFor(ch.telegram.botToken).slice(mark);
      expect(fast.filter((s) => s.status === 429).length).toBeGreaterThan(0);
    });

    it('validates the settings', async () => {
      const bad = await settings(ch.whatsapp.id, { rateLimit: { perSecond: 0 } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0].field).toBe('rateLimit.perSecond');
      const agent = await hub().api('PUT', `/api/v1/channels/${ch.whatsapp.id}/settings`, t.agent, {
        body: { autoAssign: true },
      });
      expect(agent.status).toBe(403);
    });
  },
);
