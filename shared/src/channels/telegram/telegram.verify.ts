import type { TelegramCredentials, VerifyResult, WebhookRequest } from '../channel.port';
import { headerValue, secureEquals } from '../common/secure-compare';

// Telegram has no body signature: setWebhook's secret_token comes back in this header on
// every request, and (with TLS) it is the only authentication. Constant time, case-sensitive.
// https://core.telegram.org/bots/api#setwebhook
export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export function verifyTelegramWebhook(credentials: TelegramCredentials, req: WebhookRequest): VerifyResult {
  if (!credentials.secretToken) return { ok: false, reason: 'channel has no secret token' };
  const given = headerValue(req.headers, TELEGRAM_SECRET_HEADER);
  if (given === undefined) return { ok: false, reason: 'missing X-Telegram-Bot-Api-Secret-Token header' };
  return secureEquals(given, credentials.secretToken) ? { ok: true } : { ok: false, reason: 'secret token mismatch' };
}
