import type { ChannelAdapter, WhatsAppCredentials } from '../channel.port';
import { fetchWhatsAppMedia } from './whatsapp.media';
import { normalizeWhatsApp } from './whatsapp.normalize';
import { sendWhatsApp } from './whatsapp.send';
import { verifyWhatsAppHandshake, verifyWhatsAppWebhook } from './whatsapp.verify';

export const whatsappAdapter = {
  type: 'whatsapp',
  externalId: (c) => c.phoneNumberId,
  verifyHandshake: verifyWhatsAppHandshake,
  verifyWebhook: verifyWhatsAppWebhook,
  normalize: normalizeWhatsApp,
  fetchMedia: fetchWhatsAppMedia,
  send: sendWhatsApp,
} satisfies ChannelAdapter<WhatsAppCredentials>;
