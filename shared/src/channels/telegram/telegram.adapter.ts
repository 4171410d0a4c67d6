import type { ChannelAdapter, TelegramCredentials } from '../channel.port';
import { fetchTelegramMedia } from './telegram.media';
import { normalizeTelegram } from './telegram.normalize';
import { answerTelegramCallbackQuery, deleteTelegramWebhook, registerTelegramWebhook } from './telegram.register';
import { sendTelegram } from './telegram.send';
import { verifyTelegramWebhook } from './telegram.verify';

export const telegramAdapter = {
  type: 'telegram',
  // The bot's id is the token's prefix ("<bot id>:<secret>"); the token itself never leaves.
  externalId: (c) => c.botToken.split(':')[0] ?? '',
  verifyWebhook: verifyTelegramWebhook,
  normalize: normalizeTelegram,
  fetchMedia: fetchTelegramMedia,
  send: sendTelegram,
  register: registerTelegramWebhook,
  unregister: deleteTelegramWebhook,
  answerCallbackQuery: answerTelegramCallbackQuery,
} satisfies ChannelAdapter<TelegramCredentials>;
