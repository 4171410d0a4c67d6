import { z } from 'zod';
import type { ChannelType } from '../events';
import type { MessengerCredentials, TelegramCredentials, WhatsAppCredentials } from './channel.port';

// The `config` of POST /api/v1/channels per type (CONTRACT.md), for whoever parses it.

export const WhatsAppCredentialsSchema = z.object({
  phoneNumberId: z.string().min(1),
  accessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
}) satisfies z.ZodType<WhatsAppCredentials>;

export const MessengerCredentialsSchema = z.object({
  pageId: z.string().min(1),
  pageAccessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
}) satisfies z.ZodType<MessengerCredentials>;

export const TelegramCredentialsSchema = z.object({
  botToken: z.string().min(1),
  // setWebhook accepts 1–256 characters of A-Z a-z 0-9 _ - (https://core.telegram.org/bots/api#setwebhook).
  secretToken: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 characters of A-Z a-z 0-9 _ -'),
}) satisfies z.ZodType<TelegramCredentials>;

export interface CredentialsFor {
  whatsapp: WhatsAppCredentials;
  messenger: MessengerCredentials;
  telegram: TelegramCredentials;
}

export const credentialsSchemas = {
  whatsapp: WhatsAppCredentialsSchema,
  messenger: MessengerCredentialsSchema,
  telegram: TelegramCredentialsSchema,
} satisfies { [K in ChannelType]: z.ZodType<CredentialsFor[K]> };
