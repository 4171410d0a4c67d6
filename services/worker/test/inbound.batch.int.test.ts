import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { BusMessage, RealtimeBus } from '@hub/shared/bus';
import { channelCredentialsKey } from '@hub/shared/crypto';
import { ChannelCache, MEDIA_QUEUE, type MediaJob, type WebhookJob } from '@hub/shared/domain';
import { createTestRuntime, describeDrivers } from '@hub/shared/testing';
import {
  messengerEchoWebhook,
  messengerTextWebhook,
  messengerWebhook,
  metaJson,
  whatsappMessageWebhook,
  whatsappStatusWebhook,
  whatsappTextWebhook,
} from '../../../infra/fake-platforms/fake-inbound';
import { rng } from '../../../infra/load/webhook-mix';
import { processWebhookBatch } from '../src/inbound/inbound.batch';
import type { InboundDeps } from '../src/inbound/inbound.service';
import { processWebhookJob } from '../src/inbound/inbound.worker';
import { platformEndpoints } from '../src/worker.app';
import { createChannel, createWorkspace, waCredentials } from './inbound.helpers';

// The batch path must leave exactly what one-webhook-at-a-time processing leaves. The same
// generated stream of webhooks (new and known senders, media, echoes, receipts before and
// after their message, reactions, redeliveries, garbage) goes to two workspaces: one through
// processWebhookBatch in chunks of random size, one through processWebhookJob one by one.
// Then the two are compared row by row, and every stored message must have been announced on
// the bus exactly once.

const APP_SECRET = 'batch-test-app-secret';

async function setup(set: 'embedded' | 'postgres+redis') {
  const rt = await createTestRuntime(set);
  const published: BusMessage[] = [];
  rt.bus.subscribe((m) => published.push(m));
  return { rt, published, cleanup: () => rt.cleanup() };
}

interface Workspace {
  workspaceId: string;
  wa: { channelId: string; phoneNumberId: string };
  fb: { channelId: string; pageId: string };
}

/** A webhook for whichever workspace: bodies differ only in the workspace's own ids. */
type Step = { channel: 'wa' | 'fb'; body: (w: Workspace) => string };

function scenario(seed: number, n: number): Step[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const base = 1_750_000_000; // unix seconds
  const steps: Step[] = [];
  const waIds: { wamid: string; step: number }[] = [];
  const echoMids: string[] = [];
  const tag = `${seed}-${randomUUID().slice(0, 6)}`;
  for (let i = 0; i < n; i++) {
    // Distinct platform times, some out of order: ties would make "latest" depend on order.
    const ts = base + i * 10 - Math.floor(r() * 3) * 25;
    const roll = r();
    const from = `1650555${String(Math.floor(r() * 6)).padStart(4, '0')}`;
    const psid = `psid-${Math.floor(r() * 5)}`;
    if (roll < 0.3) {
      const wamid = `wamid.${tag}.${i}`;
      waIds.push({ wamid, step: i });
      steps.push({
        channel: 'wa',
        body: (w) =>
          metaJson(
            whatsappTextWebhook({
              phoneNumberId: w.wa.phoneNumberId,
              from,
              name: `Customer ${from.slice(-1)} ñ`,
              id: wamid,
              timestamp: ts,
              text: `hola ${i} 🙏`,
            }),
          ),
      });
    } else if (roll < 0.38) {
      const wamid = `wamid.${tag}.${i}`;
      waIds.push({ wamid, step: i });
      steps.push({
        channel: 'wa',
        body: (w) =>
          JSON.stringify(
            whatsappMessageWebhook({
              phoneNumberId: w.wa.phoneNumberId,
              from,
              id: wamid,
              timestamp: ts,
              message: { type: 'image', image: { id: `media-${i}`, mime_type: 'image/jpeg', caption: `photo ${i}` } },
            }),
          ),
      });
    } else if (roll < 0.45) {
      // A reaction to a message at least one chunk back (within a chunk the batch stores messages first).
      const old = waIds.filter((x) => x.step < i - 40);
      if (old.length === 0) continue;
      const target = pick(old).wamid;
      const emoji = pick(['👍', '❤️', '']);
      steps.push({
        channel: 'wa',
        body: (w) =>
          JSON.stringify(
            whatsappMessageWebhook({
              phoneNumberId: w.wa.phoneNumberId,
              from,
              id: `wamid.${tag}.r${i}`,
              timestamp: ts,
              message: { type: 'reaction', reaction: { message_id: target, emoji } },
            }),
          ),
      });
    } else if (roll < 0.53) {
      // Receipts for messages that exist, that come later, or never.
      const id = r() < 0.5 && echoMids.length > 0 ? pick(echoMids) : `wamid.${tag}.unknown${Math.floor(r() * 4)}`;
      const status = pick(['sent', 'delivered', 'read', 'failed'] as const);
      steps.push({
        channel: 'wa',
        body: (w) =>
          JSON.stringify(
            whatsappStatusWebhook({
              phoneNumberId: w.wa.phoneNumberId,
              id,
              status,
              recipientId: from,
              timestamp: ts,
            }),
          ),
      });
    } else if (roll < 0.68) {
      steps.push({
        channel: 'fb',
        body: (w) =>
          JSON.stringify(
            messengerTextWebhook({
              pageId: w.fb.pageId,
              psid,
              text: `fb ${i}`,
              mid: `m_${tag}_${i}`,
              timestamp: ts * 1000,
            }),
          ),
      });
    } else if (roll < 0.78) {
      // The page answering from another app: stored as our outbound message ('sent').
      const mid = `m_${tag}_echo${i}`;
      echoMids.push(mid);
      steps.push({
        channel: 'fb',
        body: (w) =>
          JSON.stringify(
            messengerEchoWebhook({
              pageId: w.fb.pageId,
              psid,
              text: `echo ${i}`,
              appId: 99,
              mid,
              timestamp: ts * 1000,
            }),
          ),
      });
    } else if (roll < 0.86) {
      // Named mids, some not here yet (kept as pending); a watermark older than everything, so
      // only the named mids count (a time-based watermark depends on arrival order by nature).
      const soon = `m_${tag}_echo${i + 1 + Math.floor(r() * 30)}`;
      const mids = [...(echoMids.length > 0 ? [pick(echoMids)] : []), soon];
      steps.push({
        channel: 'fb',
        body: (w) =>
          JSON.stringify(
            messengerWebhook(w.fb.pageId, [
              {
                sender: { id: psid },
                recipient: { id: w.fb.pageId },
                timestamp: ts * 1000,
                delivery: { watermark: (base - 10_000) * 1000, mids },
              },
            ]),
          ),
      });
    } else if (roll < 0.97 && steps.length > 0) {
      steps.push(pick(steps)); // a redelivery of an earlier webhook, byte for byte
    } else {
      steps.push({ channel: 'wa', body: () => '{"object": "whatsapp_business_account", "entry": [' });
    }
  }
  return steps;
}

describeDrivers('inbound batches', setup, (ctx) => {
  const db = () => ctx().rt.database.db;

  function deps(bus: RealtimeBus = ctx().rt.bus): InboundDeps {
    const rt = ctx().rt;
    return {
      db: db(),
      bus,
      channels: new ChannelCache(db(), channelCredentialsKey(rt.config.encryptionKey), {}),
      mediaQueue: rt.queues.queue<MediaJob>(MEDIA_QUEUE),
      endpoints: platformEndpoints(rt.config),
      logger: rt.logger,
      clock: () => new Date(),
    };
  }

  async function workspace(): Promise<Workspace> {
    const workspaceId = await createWorkspace(db());
    const phoneNumberId = `pn-${randomUUID().slice(0, 8)}`;
    const pageId = `page-${randomUUID().slice(0, 8)}`;
    const wa = await createChannel(
      db(),
      workspaceId,
      'whatsapp',
      waCredentials(phoneNumberId, APP_SECRET),
      phoneNumberId,
    );
    const fb = await createChannel(
      db(),
      workspaceId,
      'messenger',
      { pageId, pageAccessToken: 'page-token', appSecret: APP_SECRET, verifyToken: 'v' },
      pageId,
    );
    return { workspaceId, wa: { channelId: wa, phoneNumberId }, fb: { channelId: fb, pageId } };
  }

  const jobsFor = (w: Workspace, steps: Step[]): WebhookJob[] =>
    steps.map((s) => ({
      webhookEventId: randomUUID(),
      channelId: s.channel === 'wa' ? w.wa.channelId : w.fb.channelId,
      body: s.body(w),
      receivedAt: new Date().toISOString(),
      logged: false,
    }));

  async function resolveAndSnooze(w: Workspace) {
    const convs = await db()
      .selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .innerJoin('channels', 'channels.id', 'conversations.channel_id')
      .select('conversations.id')
      .where('conversations.workspace_id', '=', w.workspaceId)
      .orderBy('channels.type')
      .orderBy('contacts.name')
      .execute();
    const at = new Date('2025-06-15T16:00:00Z');
    for (const [n, c] of convs.entries()) {
      const patch =
        n % 3 === 0
          ? { status: 'resolved', resolved_at: at, first_reply_at: at }
          : n % 3 === 1
            ? { status: 'pending', snoozed_at: at, snoozed_until: new Date('2030-01-01T00:00:00Z'), first_reply_at: at }
            : {};
      if (Object.keys(patch).length > 0)
        await db().updateTable('conversations').set(patch).where('id', '=', c.id).execute();
    }
  }

  /** Everything the webhooks left in a workspace, without ids that differ between workspaces. */
  async function snapshot(w: Workspace, jobs: WebhookJob[]) {
    const messages = await db()
      .selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .select([
        'messages.provider_message_id',
        'messages.direction',
        'messages.type',
        'messages.text',
        'messages.status',
        'messages.error',
        'messages.media',
        'messages.details',
        'messages.sent_at',
        'messages.status_history',
        'contacts.name as contact',
      ])
      .where('messages.workspace_id', '=', w.workspaceId)
      .orderBy('messages.provider_message_id')
      .execute();
    const conversations = await db()
      .selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .innerJoin('channels', 'channels.id', 'conversations.channel_id')
      .leftJoin('messages as lm', 'lm.id', 'conversations.last_message_id')
      .select([
        'channels.type',
        'contacts.name',
        'contacts.phone',
        'conversations.status',
        'conversations.unread_count',
        'lm.provider_message_id as last',
        'conversations.last_message_at',
        'conversations.last_activity_at',
        'conversations.last_inbound_at',
        'conversations.last_outbound_at',
        'conversations.cycle_started_at',
        'conversations.awaiting_since',
        'conversations.resolved_at',
        'conversations.first_reply_at',
        'conversations.snoozed_at',
      ])
      .where('conversations.workspace_id', '=', w.workspaceId)
      .orderBy('channels.type')
      .orderBy('contacts.name')
      .execute();
    const pending = await db()
      .selectFrom('pending_updates')
      .select(['provider_message_id', 'kind', 'status', 'occurred_at'])
      .where('channel_id', 'in', [w.wa.channelId, w.fb.channelId])
      .orderBy('provider_message_id')
      .orderBy('status')
      .orderBy('occurred_at')
      .execute();
    const raw = await db()
      .selectFrom('webhook_events')
      .select(['id', 'status', 'event_count', 'notes'])
      .where('workspace_id', '=', w.workspaceId)
      .execute();
    const byId = new Map(raw.map((r) => [r.id, r]));
    const webhooks = jobs.map((j) => {
      const r = byId.get(j.webhookEventId);
      return (
        r && { status: r.status, events: r.event_count, notes: (r.notes as { reason: string }[]).map((n) => n.reason) }
      );
    });
    return { messages, conversations, pending, webhooks };
  }

  function announced(w: Workspace, from: number): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of ctx().published.slice(from)) {
      if (m.type !== 'message:created' || m.workspaceId !== w.workspaceId) continue;
      const id = (m.payload as { message: { providerMessageId: string } }).message.providerMessageId;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  for (const seed of [7, 1234]) {
    it(`leaves what one-at-a-time processing leaves (seed ${seed})`, async () => {
      const steps = scenario(seed, 260);
      const [batched, single] = [await workspace(), await workspace()];
      const from = ctx().published.length;
      const d = deps();

      const batchedJobs = jobsFor(batched, steps);
      const singleJobs = jobsFor(single, steps);
      const r = rng(seed + 1);
      const half = Math.floor(steps.length / 2);
      const runBatched = async (from: number, to: number) => {
        for (let i = from; i < to;) {
          const size = Math.min(to - i, 1 + Math.floor(r() * 40));
          await processWebhookBatch(d, batchedJobs.slice(i, i + size));
          i += size;
        }
      };
      await runBatched(0, half);
      for (const job of singleJobs.slice(0, half)) await processWebhookJob(d, job);
      // Midway, agents resolve some conversations and snooze others: the second half reopens
      // and wakes them (customer turns, reporting fields).
      for (const w of [batched, single]) await resolveAndSnooze(w);
      const parkedMidway = (await snapshot(batched, [])).conversations.filter(
        (c) => c.resolved_at || c.snoozed_at,
      ).length;
      expect(parkedMidway).toBeGreaterThan(4);
      await runBatched(half, steps.length);
      for (const job of singleJobs.slice(half)) await processWebhookJob(d, job);

      const a = await snapshot(batched, batchedJobs);
      const b = await snapshot(single, singleJobs);
      // The stream really covers the cases (not a vacuous comparison).
      expect(a.messages.length).toBeGreaterThan(120);
      expect(a.messages.some((m) => m.direction === 'out' && m.status !== 'sent')).toBe(true);
      expect(a.pending.length).toBeGreaterThan(0);
      expect(a.conversations.length).toBeGreaterThan(8);
      // The second half reopened resolved conversations and woke snoozed ones.
      const parked = (rows: typeof a.conversations) => rows.filter((c) => c.resolved_at || c.snoozed_at).length;
      expect(parked(a.conversations)).toBeLessThan(parkedMidway);
      expect(a.webhooks.filter((x) => x?.status === 'failed').length).toBeGreaterThan(0);
      expect(a.webhooks.every((x) => x !== undefined)).toBe(true);

      expect(a.messages).toEqual(b.messages);
      expect(a.conversations).toEqual(b.conversations);
      expect(a.pending).toEqual(b.pending);
      expect(a.webhooks).toEqual(b.webhooks);

      const once = (w: Workspace, s: typeof a) => {
        const counts = announced(w, from);
        expect([...counts.values()].every((n) => n === 1)).toBe(true);
        expect([...counts.keys()].sort()).toEqual(s.messages.map((m) => m.provider_message_id).sort());
      };
      once(batched, a);
      once(single, b);
    });
  }

  it('announces a message again after a try that died before publishing, and only once', async () => {
    const w = await workspace();
    const steps = scenario(99, 60).filter((s) => s.channel === 'fb');
    const jobs = jobsFor(w, steps);
    const from = ctx().published.length;
    // The first try commits, then its publish fails (the process "dies" there).
    const dying: RealtimeBus = {
      ...ctx().rt.bus,
      publish: () => Promise.reject(new Error('killed')),
      publishMany: () => Promise.reject(new Error('killed')),
    };
    await processWebhookBatch(deps(dying), jobs);
    expect(announced(w, from).size).toBe(0);
    const stored = await db()
      .selectFrom('messages')
      .select('provider_message_id')
      .where('workspace_id', '=', w.workspaceId)
      .execute();
    expect(stored.length).toBeGreaterThan(5);

    // The retry finds every message stored and announces each one; a third try adds nothing.
    await processWebhookBatch(deps(), jobs);
    await processWebhookBatch(deps(), jobs);
    const counts = announced(w, from);
    expect([...counts.keys()].sort()).toEqual(stored.map((m) => m.provider_message_id).sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('keeps a payload with a lone surrogate escape instead of failing it', async () => {
    const w = await workspace();
    const body = JSON.stringify(
      whatsappTextWebhook({ phoneNumberId: w.wa.phoneNumberId, from: '16505550999', id: 'wamid.lone', text: 'x' }),
    ).replace('"text":{"body":"x"}', '"text":{"body":"broken \\ud83d emoji"}');
    expect(body).toContain('\\ud83d emoji');
    const [job] = jobsFor(w, [{ channel: 'wa', body: () => body }]);
    await processWebhookBatch(deps(), [job!]);
    const msg = await db()
      .selectFrom('messages')
      .select(['text'])
      .where('provider_message_id', '=', 'wamid.lone')
      .executeTakeFirstOrThrow();
    expect(msg.text).toBe('broken \ufffd emoji');
    const raw = await db()
      .selectFrom('webhook_events')
      .select(['status', 'body'])
      .where('id', '=', job!.webhookEventId)
      .executeTakeFirstOrThrow();
    expect(raw).toEqual({ status: 'processed', body });
  });
});
