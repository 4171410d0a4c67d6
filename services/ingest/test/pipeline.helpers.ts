import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INBOUND_QUEUE, MEDIA_QUEUE } from '@hub/shared/domain';
import type { Runtime } from '@hub/shared/runtime';
import type { ServiceParts } from '@hub/shared/service';
import { startTestService, type DriverSetName } from '@hub/shared/testing';
import { buildWorker } from '@hub/worker';
import { startFakePlatforms, type FakePlatforms } from '../../../infra/fake-platforms';
import { buildIngest } from '../src/ingest.app';

// The pipeline under test: the webhook routes and the worker on one runtime (PGlite + memory
// queue, or PostgreSQL + BullMQ), the platforms' APIs played by the fake servers.

export const FIXTURES = '/work/shared/fixtures';
export const META_SECRET = 'public-fixture-meta-app-secret';
export const TG_SECRET = 'public_fixture_TG-secret';

export const signatures = JSON.parse(readFileSync(join(FIXTURES, 'signatures.json'), 'utf8')) as {
  headers: Record<string, Record<string, string>>;
};

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

export function composePipeline(rt: Runtime): ServiceParts {
  const ingest = buildIngest(rt);
  const worker = buildWorker(rt, {
    recovery: false,
    mediaJobOptions: { attempts: 2, backoff: { type: 'fixed', delayMs: 20 } },
  });
  return {
    mount: (app) => ingest.mount?.(app),
    attach: (server) => ingest.attach?.(server),
    async close() {
      await ingest.close?.();
      await worker.close?.();
    },
  };
}

export async function startPipeline(
  set: DriverSetName,
  build: (rt: Runtime) => ServiceParts | Promise<ServiceParts> = composePipeline,
) {
  const fake: FakePlatforms = await startFakePlatforms();
  const svc = await startTestService(set, build, {
    WHATSAPP_API_URL: fake.graphUrl,
    MESSENGER_API_URL: fake.graphUrl,
    TELEGRAM_API_URL: fake.telegramUrl,
    HUB_PUBLIC_URL: 'https://hub.example.com',
  });
  const stopService = svc.cleanup.bind(svc);
  return Object.assign(svc, {
    fake,
    /** Everything acknowledged is processed, media included. */
    async settle() {
      await svc.rt.queues.queue(INBOUND_QUEUE).idle();
      await svc.rt.queues.queue(MEDIA_QUEUE).idle();
      await svc.rt.queues.queue(INBOUND_QUEUE).idle();
    },
    async cleanup() {
      await stopService();
      await fake.close();
    },
  });
}

export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

export function post(url: string, body: string | Buffer, headers: Record<string, string>) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}
