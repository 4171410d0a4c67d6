import { z } from 'zod';
import type { ChannelType } from '../events';

// What an admin sends to create or change a channel (CONTRACT.md "Channels"), per platform.
// Secrets go in; only the non-secret routing ids ever come back out.

const id = (label: string) =>
  z.string().trim().min(1, `${label} is required`).max(256).regex(/^\S+$/, `${label} must not contain spaces`);

export const WhatsAppConfig = z.object({
  phoneNumberId: id('phoneNumberId'),
  accessToken: id('accessToken'),
  appSecret: id('appSecret'),
  verifyToken: id('verifyToken'),
});

export const MessengerConfig = z.object({
  pageId: id('pageId'),
  pageAccessToken: id('pageAccessToken'),
  appSecret: id('appSecret'),
  verifyToken: id('verifyToken'),
});

export const TelegramConfig = z.object({
  botToken: id('botToken'),
  // Bot API setWebhook: secret_token is 1–256 characters of A-Z a-z 0-9 _ -.
  secretToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, 'secretToken must be 1-256 characters of A-Z, a-z, 0-9, _ and -'),
});

const Name = z.string().trim().min(1, 'name is required').max(120);

export const CreateChannelBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('whatsapp'), name: Name, config: WhatsAppConfig }),
  z.object({ type: z.literal('messenger'), name: Name, config: MessengerConfig }),
  z.object({ type: z.literal('telegram'), name: Name, config: TelegramConfig }),
]);
export type CreateChannelBody = z.infer<typeof CreateChannelBody>;

/** PATCH: the name and/or any subset of the type's config fields. */
export const UpdateChannelBody = z
  .object({
    name: Name.optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type UpdateChannelBody = z.infer<typeof UpdateChannelBody>;

export const configSchemaFor = {
  whatsapp: WhatsAppConfig,
  messenger: MessengerConfig,
  telegram: TelegramConfig,
} satisfies Record<ChannelType, z.ZodType>;

/** A channel as the API shows it: never a token or secret. */
export const ChannelView = z.object({
  id: z.string(),
  type: z.enum(['whatsapp', 'messenger', 'telegram']),
  name: z.string(),
  webhookUrl: z.string(),
  /** The platform's id for it: phone_number_id, page id or bot id. */
  externalId: z.string(),
  /** Non-secret configuration only (phoneNumberId / pageId / botId). */
  config: z.record(z.string(), z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChannelView = z.infer<typeof ChannelView>;
