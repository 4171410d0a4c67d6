import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWorkspaceWithAdmin } from '@hub/crm';
import type { ChannelCredentials } from '@hub/shared/channels';
import { channelCredentialsKey } from '@hub/shared/crypto';
import { findChannelByExternalId, insertChannel, sealCredentials } from '@hub/shared/domain';
import type { ChannelType } from '@hub/shared/events';
import type { Runtime } from '@hub/shared/runtime';
import type { ServiceParts } from '@hub/shared/service';
import {
  messengerDeliveryWebhook,
  messengerTextWebhook,
  postMetaWebhook,
  postTelegramUpdate,
  startFakePlatforms,
  telegramTextUpdate,
  whatsappStatusWebhook,
  whatsappTextWebhook,
  type FakePlatforms,
} from '../fake-platforms';

// Demo mode (`npm run demo`, or `HUB_DEMO=1 npm start`): a newcomer sees a live inbox at once.
//
// 1. The fake platforms (infra/fake-platforms) start in this process and the hub's platform
//    URLs point at them — before the other services are built, so every send goes there.
// 2. Before the server listens: a "Demo" workspace with the admin demo@example.com /
//    demo-password (created if missing) and three channels on the fakes (WhatsApp, Messenger,
//    Telegram; created if missing).
// 3. Once it listens, simulated customers write in every few seconds on all three channels, through signed
//    webhooks to the hub's own URL — the same path real platforms take.
// 4. Agents' replies reach the fakes; WhatsApp and Messenger answer them with delivered and then
//    read receipts (webhooks again), so the ticks move in the inbox.
//
// Never for production: the platform URLs of the whole process are the fakes'.

export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'demo-password';

const APP_SECRET = 'demo-meta-app-secret';
const TG_SECRET = 'demo_telegram_secret';

interface DemoChannel {
  type: ChannelType;
  name: string;
  externalId: string;
  credentials: ChannelCredentials;
}

const CHANNELS: DemoChannel[] = [
  {
    type: 'whatsapp',
    name: 'Demo WhatsApp',
    externalId: '15550009999',
    credentials: {
      phoneNumberId: '15550009999',
      accessToken: 'demo-wa-token',
      appSecret: APP_SECRET,
      verifyToken: 'demo',
    },
  },
  {
    type: 'messenger',
    name: 'Demo Messenger',
    externalId: '900000000000001',
    credentials: {
      pageId: '900000000000001',
      pageAccessToken: 'demo-page-token',
      appSecret: APP_SECRET,
      verifyToken: 'demo',
    },
  },
  {
    type: 'telegram',
    name: 'Demo Telegram',
    externalId: '7000000001',
    credentials: { botToken: '7000000001:AAdemo-bot-token-for-the-hub-demo', secretToken: TG_SECRET },
  },
];

interface Customer {
  channel: ChannelType;
  name: string;
  /** wa_id, PSID or Telegram chat id. */
  id: string;
}

// Interleaved by channel: the first three writes cover all three.
const CUSTOMERS: Customer[] = [
  { channel: 'whatsapp', name: 'Lucía Fernández', id: '34600111222' },
  { channel: 'messenger', name: 'Messenger customer', id: '6100000000000001' },
  { channel: 'telegram', name: 'Anya', id: '51000001' },
  { channel: 'whatsapp', name: 'Tom Baker', id: '14155550123' },
  { channel: 'messenger', name: 'Messenger customer', id: '6100000000000002' },
  { channel: 'telegram', name: 'Kenji', id: '51000002' },
];

const LINES = [
  'Hi! Are you open on Saturday?',
  'How much is the premium plan?',
  'My order has not arrived yet 😟',
  'Can I change my booking to next week?',
  'Thanks, that was quick!',
  'Do you ship to Portugal?',
  'I need an invoice for last month, please.',
  '¿Hablan español?',
  'Is there a discount for students?',
  'Perfect, see you tomorrow.',
];

export interface DemoOptions {
  /** How often a simulated customer writes (default 6 s). */
  intervalMs?: number;
}

/** Call first (before the other services are built); add the returned parts to the hub's. */
export async function buildDemo(rt: Runtime, opts: DemoOptions = {}): Promise<ServiceParts> {
  const logger = rt.logger.child({ module: 'demo' });
  const fake: FakePlatforms = await startFakePlatforms();
  // Demo only: every service of this process talks to the fakes.
  rt.config.whatsappApiUrl = fake.graphUrl;
  rt.config.messengerApiUrl = fake.graphUrl;
  rt.config.telegramApiUrl = fake.telegramUrl;
  logger.warn({ graph: fake.graphUrl, telegram: fake.telegramUrl }, 'demo mode: platforms are simulated');

  // Seeded before the server listens: the demo admin can sign in as soon as it answers.
  const channelIds = await seed(rt);
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const start = async (hubUrl: string) => {
    logger.info({ email: DEMO_EMAIL, password: DEMO_PASSWORD, url: hubUrl }, 'demo workspace ready: sign in');
    const webhook = (type: ChannelType) => `${hubUrl}/webhooks/${type}/${channelIds.get(type)}`;
    const meta = (type: 'whatsapp' | 'messenger', payload: unknown) =>
      postMetaWebhook(webhook(type), payload, APP_SECRET);
    let turn = 0;
    const write = async () => {
      const c = CUSTOMERS[turn % CUSTOMERS.length]!;
      const text = LINES[Math.floor(Math.random() * LINES.length)]!;
      turn++;
      switch (c.channel) {
        case 'whatsapp':
          await meta(
            'whatsapp',
            whatsappTextWebhook({ phoneNumberId: CHANNELS[0]!.externalId, from: c.id, name: c.name, text }),
          );
          return;
        case 'messenger':
          await meta('messenger', messengerTextWebhook({ pageId: CHANNELS[1]!.externalId, psid: c.id, text }));
          return;
        case 'telegram':
          await postTelegramUpdate(
            webhook('telegram'),
            telegramTextUpdate({ chatId: Number(c.id), text, firstName: c.name }),
            TG_SECRET,
          );
          return;
      }
    };
    // Receipts: every successful send the fakes took gets delivered (1 s) and read (4 s).
    let seen = 0;
    const receipts = () => {
      for (; seen < fake.sent.length; seen++) {
        const s = fake.sent[seen]!;
        if (s.status !== 200) continue;
        const body = s.body as Record<string, unknown>;
        if (s.platform === 'whatsapp') {
          const id = ((s.response as { messages?: { id: string }[] }).messages ?? [])[0]?.id;
          const to = String(body['to'] ?? '');
          if (!id) continue;
          for (const [status, delay] of [
            ['delivered', 1000],
            ['read', 4000],
          ] as const) {
            later(delay, () =>
              meta(
                'whatsapp',
                whatsappStatusWebhook({ phoneNumberId: CHANNELS[0]!.externalId, id, status, recipientId: to }),
              ),
            );
          }
        } else if (s.platform === 'messenger') {
          const psid = String((body['recipient'] as { id?: unknown } | undefined)?.id ?? '');
          for (const [read, delay] of [
            [false, 1000],
            [true, 4000],
          ] as const) {
            later(delay, () =>
              meta(
                'messenger',
                messengerDeliveryWebhook({ pageId: CHANNELS[1]!.externalId, psid, watermark: Date.now(), read }),
              ),
            );
          }
        }
      }
    };
    const later = (ms: number, fn: () => Promise<unknown>) => {
      const timer = setTimeout(() => {
        if (!stopped) fn().catch((err: unknown) => logger.warn({ err }, 'demo webhook failed'));
      }, ms);
      timer.unref();
      timers.push(timer);
    };
    const tick = setInterval(() => {
      if (stopped) return;
      write().catch((err: unknown) => logger.warn({ err }, 'demo customer could not write'));
    }, opts.intervalMs ?? 6000);
    const receiptTick = setInterval(receipts, 500);
    tick.unref();
    receiptTick.unref();
    timers.push(tick, receiptTick);
    // One customer per channel right away, so the inbox is not empty on first sight.
    for (let i = 0; i < 3; i++) await write().catch((err: unknown) => logger.warn({ err }, 'demo write failed'));
  };

  return {
    attach(server: Server) {
      server.once('listening', () => {
        const { port } = server.address() as AddressInfo;
        start(`http://127.0.0.1:${port}`).catch((err: unknown) => logger.error({ err }, 'demo could not start'));
      });
    },
    async close() {
      stopped = true;
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      await fake.close();
    },
  };
}

/** The demo workspace, its admin and its three channels (each created only when missing). */
async function seed(rt: Runtime): Promise<Map<ChannelType, string>> {
  const db = rt.database.db;
  const existing = await db
    .selectFrom('users')
    .select(['workspace_id'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', DEMO_EMAIL))
    .executeTakeFirst();
  const workspaceId =
    existing?.workspace_id ??
    (
      await createWorkspaceWithAdmin(db, {
        workspaceName: 'Demo',
        name: 'Demo Admin',
        email: DEMO_EMAIL,
        password: DEMO_PASSWORD,
      })
    ).workspaceId;
  const key = channelCredentialsKey(rt.config.encryptionKey);
  const ids = new Map<ChannelType, string>();
  for (const c of CHANNELS) {
    const found = await findChannelByExternalId(db, workspaceId, c.type, c.externalId);
    if (found) {
      ids.set(c.type, found.id);
      continue;
    }
    const id = randomUUID();
    await insertChannel(db, {
      id,
      workspace_id: workspaceId,
      type: c.type,
      name: c.name,
      external_id: c.externalId,
      credentials: sealCredentials(key, id, c.credentials),
    });
    ids.set(c.type, id);
  }
  return ids;
}
