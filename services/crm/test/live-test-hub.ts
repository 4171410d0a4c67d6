import { randomBytes } from 'node:crypto';
import { buildGateway } from '@hub/gateway';
import { buildIngest } from '@hub/ingest';
import { INBOUND_QUEUE, LIVE_TIMERS_QUEUE, MEDIA_QUEUE, OUTBOUND_QUEUE } from '@hub/shared/domain';
import type { Runtime } from '@hub/shared/runtime';
import type { ServiceParts } from '@hub/shared/service';
import { startTestService, type DriverSetName } from '@hub/shared/testing';
import { buildWorker, type WorkerOptions } from '@hub/worker';
import {
  messengerTextWebhook,
  metaJson,
  postTelegramUpdate,
  signMeta,
  startFakePlatforms,
  telegramTextUpdate,
  whatsappTextWebhook,
  type FakeOptions,
  type FakePlatforms,
} from '../../../infra/fake-platforms';
import { buildCrm } from '../src/crm.app';
import { call, type CallOptions, type Session } from './crm-test-client';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers freely */

// The live inbox under test: webhooks (ingest), the API (crm), the socket gateway and the
// worker (inbound, media, outbound dispatcher, wake-ups, auto-assignment, metrics) on one
// runtime, with the platforms played by the fake servers. Customers write through signed
// webhooks, exactly as the platforms do; agents answer through the API or the socket.

export const META_SECRET = 'live-test-meta-app-secret';
export const TG_SECRET = 'live_test_tg_secret';
export const PUBLIC_URL = 'https://hub.example.com';

export interface LiveOptions {
  worker?: WorkerOptions['outbound'];
  fake?: FakeOptions;
}

function buildLive(opts: LiveOptions) {
  return async (rt: Runtime): Promise<ServiceParts> => {
    const ingest = buildIngest(rt);
    const crm = await buildCrm(rt);
    const gateway = buildGateway(rt);
    const worker = buildWorker(rt, {
      recovery: false,
      mediaJobOptions: { attempts: 2, backoff: { type: 'fixed', delayMs: 20 } },
      outbound: { retryBaseMs: 30, retryMaxMs: 200, sweep: false, metrics: { intervalMs: 50 }, ...opts.worker },
    });
    const parts = [ingest, crm, gateway, worker];
    return {
      mount: (app) => parts.forEach((p) => p.mount?.(app)),
      attach: async (server) => {
        for (const p of parts) await p.attach?.(server);
      },
      async close() {
        for (const p of [...parts].reverse()) await p.close?.();
      },
    };
  };
}

// Starts with a 2 at seven digits: '1415' + 7 digits is a valid US number (exchange 2xx).
let idSeq = 2_000_000 + Math.floor(Math.random() * 900_000);
/** `prefix` + digits, `len` characters in all, different on every call within a test file. */
export function uniqueDigits(prefix: string, len = 12): string {
  const width = Math.max(7, len - prefix.length);
  return `${prefix}${String(++idSeq).padStart(width, '0')}`;
}

export interface Channels {
  whatsapp: { id: string; phoneNumberId: string; token: string };
  messenger: { id: string; pageId: string; token: string };
  telegram: { id: string; botToken: string };
}

export async function startLive(set: DriverSetName, opts: LiveOptions = {}) {
  const fake: FakePlatforms = await startFakePlatforms(opts.fake ?? {});
  const svc = await startTestService(set, buildLive(opts), {
    HUB_ALLOW_SIGNUP: 'true',
    HUB_PUBLIC_URL: PUBLIC_URL,
    WHATSAPP_API_URL: fake.graphUrl,
    MESSENGER_API_URL: fake.graphUrl,
    TELEGRAM_API_URL: fake.telegramUrl,
  });
  const stop = svc.cleanup.bind(svc);
  const hub = Object.assign(svc, {
    fake,
    /** Everything queued so far is done (webhooks, media, sends, wake-ups). */
    async settle() {
      for (let i = 0; i < 2; i++) {
        await svc.rt.queues.queue(INBOUND_QUEUE).idle();
        await svc.rt.queues.queue(MEDIA_QUEUE).idle();
        await svc.rt.queues.queue(OUTBOUND_QUEUE).idle();
      }
    },
    /** Only sends (a snooze's wake-up may be far ahead). */
    async sent() {
      await svc.rt.queues.queue(OUTBOUND_QUEUE).idle(60_000);
    },
    timers: () => svc.rt.queues.queue(LIVE_TIMERS_QUEUE),
    api<T = any>(method: string, path: string, session: Session | undefined, o: Omit<CallOptions, 'token'> = {}) {
      return call<T>(svc, method, path, { ...o, token: session?.accessToken });
    },
    /** Three channels (one per platform) of the admin's workspace, on the fakes. */
    async channels(admin: Session): Promise<Channels> {
      const tag = randomBytes(4).toString('hex');
      const phoneNumberId = uniqueDigits('10', 15);
      const pageId = uniqueDigits('20', 15);
      const botToken = `${uniqueDigits('7', 10)}:AA${tag}bottokenbottoken`;
      const mk = async (body: unknown) => {
        const res = await call(svc, 'POST', '/api/v1/channels', { token: admin.accessToken, body });
        if (res.status !== 201) throw new Error(`channel: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body.id as string;
      };
      const waToken = `wa-token-${tag}`;
      const pageToken = `page-token-${tag}`;
      return {
        whatsapp: {
          id: await mk({
            type: 'whatsapp',
            name: `WA ${tag}`,
            config: { phoneNumberId, accessToken: waToken, appSecret: META_SECRET, verifyToken: 'v' },
          }),
          phoneNumberId,
          token: waToken,
        },
        messenger: {
          id: await mk({
            type: 'messenger',
            name: `FB ${tag}`,
            config: { pageId, pageAccessToken: pageToken, appSecret: META_SECRET, verifyToken: 'v' },
          }),
          pageId,
          token: pageToken,
        },
        telegram: {
          id: await mk({ type: 'telegram', name: `TG ${tag}`, config: { botToken, secretToken: TG_SECRET } }),
          botToken,
        },
      };
    },
    async meta(type: 'whatsapp' | 'messenger', channelId: string, payload: unknown) {
      const body = metaJson(payload);
      const res = await fetch(`${svc.url}/webhooks/${type}/${channelId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(body, META_SECRET) },
        body,
      });
      if (res.status !== 200) throw new Error(`webhook: ${res.status} ${await res.text()}`);
    },
    /** A customer's WhatsApp text (platform time `at`, default now); answers the conversation id. */
    async whatsapp(ch: Channels['whatsapp'], from: string, text: string, at?: Date, name = 'WA Customer') {
      await hub.meta(
        'whatsapp',
        ch.id,
        whatsappTextWebhook({
          phoneNumberId: ch.phoneNumberId,
          from,
          name,
          text,
          ...(at ? { timestamp: Math.floor(at.getTime() / 1000) } : {}),
        }),
      );
    },
    async messenger(ch: Channels['messenger'], psid: string, text: string, at?: Date) {
      await hub.meta(
        'messenger',
        ch.id,
        messengerTextWebhook({ pageId: ch.pageId, psid, text, ...(at ? { timestamp: at.getTime() } : {}) }),
      );
    },
    async telegram(ch: Channels['telegram'], chatId: number, text: string, at?: Date) {
      const res = await postTelegramUpdate(
        `${svc.url}/webhooks/telegram/${ch.id}`,
        telegramTextUpdate({ chatId, text, firstName: 'TG', ...(at ? { date: Math.floor(at.getTime() / 1000) } : {}) }),
        TG_SECRET,
      );
      if (res.status !== 200) throw new Error(`telegram webhook: ${res.status} ${res.text}`);
    },
    /** The conversation of a channel (the newest, or the one whose contact matches). */
    async conversationOf(admin: Session, channelId: string, match?: (c: any) => boolean): Promise<any> {
      await hub.settle();
      const res = await call(svc, 'GET', `/api/v1/conversations?channelId=${channelId}&limit=200`, {
        token: admin.accessToken,
      });
      const list = res.body.items as any[];
      const found = match ? list.find(match) : list[0];
      if (!found) throw new Error(`no conversation on ${channelId}`);
      return found;
    },
    async messages(admin: Session, conversationId: string): Promise<any[]> {
      const res = await call(svc, 'GET', `/api/v1/conversations/${conversationId}/messages?limit=200`, {
        token: admin.accessToken,
      });
      return res.body.items;
    },
    /** Sends the fake recorded for a token (successful and failed). */
    sendsFor(token: string) {
      return fake.sent.filter((r) => r.token === token);
    },
    async cleanup() {
      await stop();
      await fake.close();
    },
  });
  return hub;
}

export type LiveHub = Awaited<ReturnType<typeof startLive>>;
