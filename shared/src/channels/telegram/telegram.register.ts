import type { PlatformEndpoints, TelegramCredentials } from '../channel.port';
import { callTelegram } from './telegram.api';

// setWebhook with our secret_token: Telegram then sends it back in
// X-Telegram-Bot-Api-Secret-Token on every update. https://core.telegram.org/bots/api#setwebhook
export const TELEGRAM_ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'];

export async function registerTelegramWebhook(
  credentials: TelegramCredentials,
  endpoints: PlatformEndpoints,
  webhookUrl: string,
): Promise<void> {
  await callTelegram(credentials, endpoints, 'setWebhook', {
    url: webhookUrl,
    secret_token: credentials.secretToken,
    allowed_updates: TELEGRAM_ALLOWED_UPDATES,
  });
}

/**
 * Undoes setWebhook when the channel goes, so Telegram stops posting (and retrying) updates
 * to a URL that now answers 404. https://core.telegram.org/bots/api#deletewebhook
 */
export async function deleteTelegramWebhook(
  credentials: TelegramCredentials,
  endpoints: PlatformEndpoints,
): Promise<void> {
  await callTelegram(credentials, endpoints, 'deleteWebhook', {});
}

/** Stops the button's loading spinner on the user's side. https://core.telegram.org/bots/api#answercallbackquery */
export async function answerTelegramCallbackQuery(
  credentials: TelegramCredentials,
  endpoints: PlatformEndpoints,
  callbackQueryId: string,
): Promise<void> {
  await callTelegram(credentials, endpoints, 'answerCallbackQuery', { callback_query_id: callbackQueryId });
}
