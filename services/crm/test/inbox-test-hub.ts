import { INBOUND_QUEUE, MEDIA_QUEUE } from '@hub/shared/domain';
import type { Runtime } from '@hub/shared/runtime';
import type { ServiceParts } from '@hub/shared/service';
import { startTestService, type DriverSetName } from '@hub/shared/testing';
import { buildIngest } from '@hub/ingest';
import { buildWorker } from '@hub/worker';
import { metaJson, signMeta, startFakePlatforms, type FakePlatforms } from '../../../infra/fake-platforms';
import { buildCrm } from '../src/crm.app';

// The channels and conversations suites run the API with the webhook routes and the worker on
// one runtime, so conversations are made the way platforms make them (signed webhooks), and
// the platforms' APIs are the fake servers.

export const META_SECRET = 'public-fixture-meta-app-secret';
export const PUBLIC_URL = 'https://hub.example.com';

async function buildInbox(rt: Runtime): Promise<ServiceParts> {
  const ingest = buildIngest(rt);
  const crm = await buildCrm(rt);
  const worker = buildWorker(rt, {
    recovery: false,
    mediaJobOptions: { attempts: 2, backoff: { type: 'fixed', delayMs: 20 } },
  });
  return {
    mount(app) {
      ingest.mount?.(app);
      crm.mount?.(app);
    },
    async close() {
      await ingest.close?.();
      await crm.close?.();
      await worker.close?.();
    },
  };
}

export async function startInbox(set: DriverSetName) {
  const fake: FakePlatforms = await startFakePlatforms();
  const svc = await startTestService(set, buildInbox, {
    HUB_ALLOW_SIGNUP: 'true',
    HUB_PUBLIC_URL: PUBLIC_URL,
    WHATSAPP_API_URL: fake.graphUrl,
    MESSENGER_API_URL: fake.graphUrl,
    TELEGRAM_API_URL: fake.telegramUrl,
  });
  const stop = svc.cleanup.bind(svc);
  return Object.assign(svc, {
    fake,
    async settle() {
      await svc.rt.queues.queue(INBOUND_QUEUE).idle();
      await svc.rt.queues.queue(MEDIA_QUEUE).idle();
    },
    /** A signed Meta webhook to a channel's URL (as Meta escapes and signs it). */
    async meta(type: 'whatsapp' | 'messenger', channelId: string, payload: unknown, secret = META_SECRET) {
      const body = metaJson(payload);
      return fetch(`${svc.url}/webhooks/${type}/${channelId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(body, secret) },
        body,
      });
    },
    async cleanup() {
      await stop();
      await fake.close();
    },
  });
}

export type Inbox = Awaited<ReturnType<typeof startInbox>>;
