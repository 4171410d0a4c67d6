import { z } from 'zod';
import { channelCredentialsKey } from '@hub/shared/crypto';
import { ChannelView, CreateChannelBody, UpdateChannelBody } from '@hub/shared/domain';
import type { Runtime } from '@hub/shared/runtime';
import { access, type ApiRouter } from '../http/route';
import {
  createChannel,
  deleteChannel,
  getChannelView,
  listChannelViews,
  updateChannelSettings,
  type ChannelDeps,
} from './channel.service';

const ChannelCreated = ChannelView.pick({ id: true, type: true, name: true, webhookUrl: true }).meta({
  id: 'ChannelCreated',
});
const ChannelList = z
  .object({ items: z.array(ChannelView), nextCursor: z.string().nullable() })
  .meta({ id: 'ChannelList' });

/** /api/v1/channels: admins connect platforms; the inbox roles can list them. Secrets never come back. */
export function channelRoutes(api: ApiRouter, rt: Runtime): void {
  const deps: ChannelDeps = {
    db: rt.database.db,
    bus: rt.bus,
    key: channelCredentialsKey(rt.config.encryptionKey),
    publicUrl: rt.config.publicUrl,
    endpoints: {
      whatsappApiUrl: rt.config.whatsappApiUrl,
      messengerApiUrl: rt.config.messengerApiUrl,
      telegramApiUrl: rt.config.telegramApiUrl,
      graphApiVersion: rt.config.graphApiVersion,
    },
    logger: rt.logger.child({ module: 'channels' }),
  };
  const tags = ['Channels'];

  api.route({
    method: 'post',
    path: '/channels',
    access: access.can('channels', 'create'),
    summary: 'Connect a WhatsApp number, Messenger page or Telegram bot',
    description:
      'Credentials are stored encrypted (AES-256-GCM) and never returned. Paste `webhookUrl` into Meta; a Telegram ' +
      'bot gets its webhook set here (setWebhook with the secret token) — a refusal answers 502 and creates nothing.',
    tags,
    body: CreateChannelBody,
    status: 201,
    response: ChannelCreated,
    errors: { 409: 'This number/page/bot is already a channel of the workspace (channel_exists).' },
    handler: async (c) => {
      const view = await createChannel(deps, c.auth, c.body);
      return { id: view.id, type: view.type, name: view.name, webhookUrl: view.webhookUrl };
    },
  });

  api.route({
    method: 'get',
    path: '/channels',
    access: access.can('channels', 'read'),
    summary: 'List the workspace’s channels (no secrets)',
    tags,
    response: ChannelList,
    handler: async (c) => ({ items: await listChannelViews(deps, c.auth), nextCursor: null }),
  });

  api.route({
    method: 'get',
    path: '/channels/:id',
    access: access.can('channels', 'read'),
    summary: 'One channel (no secrets)',
    tags,
    response: ChannelView,
    handler: (c) => getChannelView(deps, c.auth, c.params.id!),
  });

  api.route({
    method: 'patch',
    path: '/channels/:id',
    access: access.can('channels', 'update'),
    summary:
      'Rename, or change some credentials (merged with the stored ones; Telegram re-registers its webhook, and removes the old bot’s when the bot changes)',
    tags,
    body: UpdateChannelBody,
    response: ChannelView,
    errors: { 409: 'Another channel of the workspace has this number/page/bot.' },
    handler: (c) => updateChannelSettings(deps, c.auth, c.params.id!, c.body),
  });

  api.route({
    method: 'delete',
    path: '/channels/:id',
    access: access.can('channels', 'delete'),
    summary: 'Disconnect a channel (soft: its conversations and messages stay)',
    description:
      'A Telegram bot’s webhook is removed at Telegram (deleteWebhook) unless another channel still uses the bot. ' +
      'That call is best effort: a Telegram failure is logged and the channel is deleted anyway (204).',
    tags,
    status: 204,
    handler: (c) => deleteChannel(deps, c.auth, c.params.id!),
  });
}
