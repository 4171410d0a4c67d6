import { z } from 'zod';
import { SendError } from '../channel.port';
import { retryAfterHeaderMs } from '../common/platform-http';

// Graph API errors: {error:{message,type,code,error_subcode,error_data:{details},fbtrace_id}}.
// Branch on code (and details), never on titles.
// https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
// https://developers.facebook.com/docs/messenger-platform/error-codes

export const GraphErrorBody = z.looseObject({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.union([z.number(), z.string()]).optional(),
    error_subcode: z.union([z.number(), z.string()]).optional(),
    error_data: z.unknown().optional(),
    is_transient: z.boolean().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

/**
 * Codes that mean "later, not never": 1/2 (temporary API failure), 4/17/32/613/80007 (app,
 * user, page and WhatsApp-account rate limits), 130429 (Cloud API throughput), 131056
 * (per-recipient pair rate limit).
 */
const RETRYABLE_CODES = new Set(['1', '2', '4', '17', '32', '613', '80007', '130429', '131056']);

export function graphError(status: number, data: unknown, headers: Record<string, unknown>): SendError {
  const parsed = GraphErrorBody.safeParse(data);
  const err = parsed.success ? parsed.data.error : undefined;
  const code = err?.code !== undefined ? String(err.code) : `http_${status}`;
  const message = err?.message ?? (typeof data === 'string' && data ? data.slice(0, 500) : `HTTP ${status}`);
  const retryable = status === 429 || status >= 500 || RETRYABLE_CODES.has(code) || (err?.is_transient ?? false);
  return new SendError({ code, message }, retryable, retryable ? retryAfterHeaderMs(headers) : undefined);
}
