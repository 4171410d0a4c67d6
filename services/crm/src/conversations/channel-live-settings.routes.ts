import { z } from 'zod';
import {
  channelRateLimits,
  ChannelRateLimitSetting,
  findChannel,
  publishChannelChanged,
  writeChannelSettings,
  type ChannelRow,
} from '@hub/shared/domain';
import { notFound } from '@hub/shared/errors';
import { ChannelType } from '@hub/shared/events';
import type { Runtime } from '@hub/shared/runtime';
import { access, type ApiRouter } from '../http/route';

// GET/PUT /channels/:id/settings — what the live inbox reads from channels.settings:
// auto-assignment (on/off, capacity per agent) and the outbound rate limits (per channel and
// per chat; the platform defaults otherwise). Admins only change them; the inbox roles read.

export const ChannelLiveSettingsPatch = z
  .object({
    autoAssign: z.boolean().optional().meta({ description: 'Round-robin new conversations among online agents' }),
    autoAssignCapacity: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .nullable()
      .optional()
      .meta({ description: 'Open conversations per agent (users without their own capacity); null: default 10' }),
    rateLimit: ChannelRateLimitSetting.nullable()
      .optional()
      .meta({ description: '{perSecond?, perChatPerSecond? (null: none)}; null: the platform defaults' }),
  })
  .strict();

export const ChannelLiveSettings = z
  .object({
    channelId: z.string(),
    autoAssign: z.boolean(),
    autoAssignCapacity: z.number().int().nullable(),
    rateLimit: z.object({
      perSecond: z.number().int(),
      perChatPerSecond: z.number().int().nullable(),
      custom: z.boolean().meta({ description: 'false: the platform defaults' }),
    }),
  })
  .meta({ id: 'ChannelLiveSettings' });

function settingsView(row: Pick<ChannelRow, 'id' | 'type' | 'settings'>): z.infer<typeof ChannelLiveSettings> {
  const s = (row.settings ?? {}) as Record<string, unknown>;
  const limits = channelRateLimits(ChannelType.parse(row.type), s);
  const perSec = (spec: { max: number; durationMs: number }) => Math.round((spec.max * 1000) / spec.durationMs);
  const cap = s['autoAssignCapacity'];
  return {
    channelId: row.id,
    autoAssign: s['autoAssign'] === true,
    autoAssignCapacity: typeof cap === 'number' ? cap : null,
    rateLimit: {
      perSecond: perSec(limits.channel),
      perChatPerSecond: limits.chat ? perSec(limits.chat) : null,
      custom: s['rateLimit'] !== undefined,
    },
  };
}

export function channelLiveSettingsRoutes(api: ApiRouter, rt: Runtime): void {
  const db = rt.database.db;
  const tags = ['Channels'];

  api.route({
    method: 'get',
    path: '/channels/:id/settings',
    access: access.can('channels', 'read'),
    summary: 'Auto-assignment and outbound rate limits of a channel',
    tags,
    response: ChannelLiveSettings,
    handler: async (c) => {
      const row = await findChannel(db, c.auth.workspaceId, c.params.id!);
      if (!row) throw notFound('channel');
      return settingsView(row);
    },
  });

  api.route({
    method: 'put',
    path: '/channels/:id/settings',
    access: access.can('channels', 'update'),
    summary: 'Change auto-assignment and outbound rate limits (merged; null removes a setting)',
    description:
      'Defaults: WhatsApp 80 messages/s per number; Messenger 40/s per page; Telegram 30/s per bot and 1/s per chat.',
    tags,
    body: ChannelLiveSettingsPatch,
    response: ChannelLiveSettings,
    handler: async (c) => {
      const row = await findChannel(db, c.auth.workspaceId, c.params.id!);
      if (!row) throw notFound('channel');
      const next: Record<string, unknown> = { ...((row.settings ?? {}) as Record<string, unknown>) };
      for (const [k, v] of Object.entries(c.body)) {
        if (v === undefined) continue;
        if (v === null) delete next[k];
        else next[k] = v;
      }
      const saved = await writeChannelSettings(db, c.auth.workspaceId, row.id, next, c.now);
      if (!saved) throw notFound('channel');
      await publishChannelChanged(rt.bus, c.auth.workspaceId, row.id).catch((err: unknown) =>
        rt.logger.warn({ err }, 'channel change publish failed'),
      );
      return settingsView({ ...row, settings: saved.settings });
    },
  });
}
