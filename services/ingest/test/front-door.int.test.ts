import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import type { ChannelCredentials } from '@hub/shared/channels';
import { channelCredentialsKey } from '@hub/shared/crypto';
import { ChannelCache, sealCredentials } from '@hub/shared/domain';
import type { ChannelType } from '@hub/shared/events';
import type { Runtime } from '@hub/shared/runtime';
import type { ServiceParts } from '@hub/shared/service';
import { describeDrivers } from '@hub/shared/testing';
import { metaJson, signMeta, telegramTextUpdate, whatsappTextWebhook } from '../../../infra/fake-platforms';
import { createWorkspace, waCredentials } from '../../worker/test/inbound.helpers';
import { webhookFrontDoor } from '../src/front-door';
import { composePipeline, META_SECRET, startPipeline, TG_SECRET, type Pipeline } from './pipeline.helpers';

// The plain node:http front door answers webhook POSTs exactly as the Express route does: the
// same requests go to a hub with the front door and to one without (Express only), and the
// answers must match in status, body and headers.

/** The pipeline as mounted without the front door: every POST through Express. */
function expressOnly(rt: Runtime): ServiceParts {
  const { attach: _attach, ...parts } = composePipeline(rt);
  void _attach;
  return parts;
}

describeDrivers(
  'webhook front door',
  async (set) => {
    const front = await startPipeline(set);
    const express = await startPipeline(set, expressOnly);
    return {
      front,
      express,
      async cleanup() {
        await front.cleanup();
        await express.cleanup();
      },
    };
  },
  (get) => {
    const both = (): Pipeline[] => [get().front, get().express];

    /** The same channel row (same id and secrets) in both hubs' databases. */
    async function channelInBoth(type: ChannelType, credentials: ChannelCredentials, externalId: string) {
      const id = randomUUID();
      for (const hub of both()) {
        const db = hub.rt.database.db;
        await db
          .insertInto('channels')
          .values({
            id,
            workspace_id: await createWorkspace(db),
            type,
            name: `${type} ${externalId}`,
            credentials: sealCredentials(channelCredentialsKey(hub.rt.config.encryptionKey), id, credentials),
            external_id: externalId,
          })
          .execute();
      }
      return id;
    }

    async function answer(base: string, path: string, body: string | Buffer, headers: Record<string, string>) {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers, body });
      const seen = Object.fromEntries([...res.headers].filter(([k]) => k !== 'date'));
      return { status: res.status, headers: seen, body: await res.text() };
    }

    it('answers every outcome exactly as the Express route does', async () => {
      const phone = `10${Math.floor(Math.random() * 1e12)}`;
      const wa = await channelInBoth('whatsapp', waCredentials(phone, META_SECRET), phone);
      const bot = String(Math.floor(Math.random() * 1e9));
      const tg = await channelInBoth('telegram', { botToken: `${bot}:fake-token`, secretToken: TG_SECRET }, bot);
      const text = metaJson(whatsappTextWebhook({ phoneNumberId: phone, from: '16505551234', text: 'hola 👋' }));
      const notJson = '{"object": "whatsapp_business_account", ';
      const huge = Buffer.alloc(5 * 1024 * 1024 + 10, 0x20);
      const json = { 'content-type': 'application/json' };
      const cases: [string, string, string | Buffer, Record<string, string>][] = [
        ['signed', `/webhooks/whatsapp/${wa}`, text, { ...json, 'x-hub-signature-256': signMeta(text, META_SECRET) }],
        [
          'telegram',
          `/webhooks/telegram/${tg}`,
          JSON.stringify(telegramTextUpdate({ chatId: 5, text: 'x' })),
          { ...json, 'x-telegram-bot-api-secret-token': TG_SECRET },
        ],
        [
          'request id',
          `/webhooks/whatsapp/${wa}`,
          text,
          { 'x-request-id': 'abc-123', 'x-hub-signature-256': signMeta(text, META_SECRET) },
        ],
        [
          'query string',
          `/webhooks/whatsapp/${wa}?x=1`,
          text,
          { ...json, 'x-hub-signature-256': signMeta(text, META_SECRET) },
        ],
        [
          'upper-case id',
          `/webhooks/whatsapp/${wa.toUpperCase()}`,
          text,
          { 'x-hub-signature-256': signMeta(text, META_SECRET) },
        ],
        [
          'wrong signature',
          `/webhooks/whatsapp/${wa}`,
          text,
          { ...json, 'x-hub-signature-256': signMeta(text, 'nope') },
        ],
        ['no signature', `/webhooks/whatsapp/${wa}`, text, json],
        ['not JSON', `/webhooks/whatsapp/${wa}`, notJson, { 'x-hub-signature-256': signMeta(notJson, META_SECRET) }],
        ['too large', `/webhooks/whatsapp/${wa}`, huge, { 'x-hub-signature-256': signMeta(huge, META_SECRET) }],
        ['unknown channel', `/webhooks/whatsapp/${randomUUID()}`, text, json],
        ['another platform', `/webhooks/messenger/${wa}`, text, json],
        ['not a platform', `/webhooks/instagram/${wa}`, text, json],
        ['not an id', `/webhooks/whatsapp/not-a-uuid`, text, json],
      ];
      for (const [name, path, body, headers] of cases) {
        const [viaFront, viaExpress] = await Promise.all(both().map((h) => answer(h.url, path, body, headers)));
        const { 'x-request-id': frontId, ...frontRest } = viaFront!.headers;
        const { 'x-request-id': expressId, ...expressRest } = viaExpress!.headers;
        expect({ name, ...viaFront!, headers: frontRest }).toEqual({ name, ...viaExpress!, headers: expressRest });
        expect(frontId).toMatch(headers['x-request-id'] ?? /^[0-9a-f-]{36}$/);
        expect(expressId).toMatch(headers['x-request-id'] ?? /^[0-9a-f-]{36}$/);
      }
      for (const hub of both()) await hub.settle();
      // What both acknowledged is stored, once each.
      for (const hub of both()) {
        const rows = await hub.rt.database.db.selectFrom('messages').select('channel_id').execute();
        expect(rows.filter((r) => r.channel_id === wa)).toHaveLength(1);
        expect(rows.filter((r) => r.channel_id === tg)).toHaveLength(1);
      }
    });

    it('takes only the canonical webhook POST and hands everything else on', async () => {
      const rt = get().front.rt;
      const channels = new ChannelCache(rt.database.db, channelCredentialsKey(rt.config.encryptionKey));
      const front = webhookFrontDoor({
        db: rt.database.db,
        channels,
        inbound: { add: () => Promise.reject(new Error('not in this test')) },
        logFirst: false,
        logger: rt.logger,
        clock: () => new Date(),
      });
      const server: Server = createServer((req, res) => {
        if (front(req, res)) return;
        res.statusCode = 418;
        res.end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const id = randomUUID();
        const status = async (method: string, path: string) =>
          (await fetch(`${base}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) })).status;
        // Taken: an unknown channel is the front door's own 404.
        expect(await status('POST', `/webhooks/whatsapp/${id}`)).toBe(404);
        expect(await status('POST', `/webhooks/telegram/${id}?a=b`)).toBe(404);
        // Handed on: Express decides (its router is case-insensitive, allows a trailing slash…).
        for (const [method, path] of [
          ['GET', `/webhooks/whatsapp/${id}`],
          ['PUT', `/webhooks/whatsapp/${id}`],
          ['POST', `/webhooks/whatsapp/${id}/`],
          ['POST', `/Webhooks/whatsapp/${id}`],
          ['POST', `/webhooks/WhatsApp/${id}`],
          ['POST', `/webhooks/whatsapp/${id}x`],
          ['POST', `/webhooks/whatsapp/not-a-uuid`],
          ['POST', `/api/v1/channels`],
        ] as const)
          expect(await status(method, path), `${method} ${path}`).toBe(418);
      } finally {
        channels.close();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
  },
);
