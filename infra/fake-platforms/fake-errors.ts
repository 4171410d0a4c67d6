import { randomBytes } from 'node:crypto';
import type { FakePlatform } from './fake.types';

// Error bodies as the platforms send them, for failNext() and the fakes' own validation.
// Graph: https://developers.facebook.com/docs/graph-api/guides/error-handling
// Telegram: https://core.telegram.org/bots/api#making-requests

const trace = () => randomBytes(8).toString('base64url');

export function graphError(
  code: number,
  message: string,
  extra: { type?: string; error_subcode?: number; details?: string; is_transient?: boolean } = {},
): { error: Record<string, unknown> } {
  return {
    error: {
      message,
      type: extra.type ?? 'OAuthException',
      code,
      ...(extra.error_subcode !== undefined ? { error_subcode: extra.error_subcode } : {}),
      ...(extra.details !== undefined ? { error_data: { messaging_product: 'whatsapp', details: extra.details } } : {}),
      ...(extra.is_transient !== undefined ? { is_transient: extra.is_transient } : {}),
      fbtrace_id: trace(),
    },
  };
}

export function telegramError(errorCode: number, description: string, retryAfter?: number) {
  return {
    ok: false,
    error_code: errorCode,
    description,
    ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}),
  };
}

/** Ready-made failures for failNext(). */
export const platformErrors = {
  whatsappReengagement: {
    status: 400,
    body: graphError(131047, '(#131047) Re-engagement message', {
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    }),
  },
  whatsappUndeliverable: {
    status: 400,
    body: graphError(131026, '(#131026) Message undeliverable', { details: 'Message Undeliverable.' }),
  },
  whatsappThroughput: {
    status: 429,
    body: graphError(130429, '(#130429) Rate limit hit', { details: 'Cloud API message throughput has been reached.' }),
  },
  messengerOutsideWindow: {
    status: 400,
    body: graphError(10, '(#10) This message is sent outside of allowed window.', { error_subcode: 2018278 }),
  },
  messengerUnavailable: {
    status: 400,
    body: graphError(551, '(#551) This person isn\u2019t available right now.', { error_subcode: 1545041 }),
  },
  invalidToken: {
    status: 401,
    body: graphError(190, 'Invalid OAuth access token - Cannot parse access token'),
  },
  telegramBlocked: { status: 403, body: telegramError(403, 'Forbidden: bot was blocked by the user') },
} as const;

/** The default body for a scripted status on a platform. */
export function defaultErrorBody(platform: FakePlatform, status: number, retryAfter = 1): unknown {
  if (platform === 'telegram') {
    if (status === 429) return telegramError(429, `Too Many Requests: retry after ${retryAfter}`, retryAfter);
    if (status >= 500) return telegramError(status, 'Internal Server Error');
    if (status === 403) return platformErrors.telegramBlocked.body;
    if (status === 401) return telegramError(401, 'Unauthorized');
    return telegramError(status, 'Bad Request');
  }
  if (status === 429) {
    return platform === 'whatsapp'
      ? platformErrors.whatsappThroughput.body
      : graphError(613, '(#613) Calls to this api have exceeded the rate limit.');
  }
  if (status >= 500)
    return graphError(2, 'An unexpected error has occurred. Please retry your request later.', { is_transient: true });
  if (status === 401) return platformErrors.invalidToken.body;
  return graphError(100, '(#100) Invalid parameter', { type: 'OAuthException' });
}
