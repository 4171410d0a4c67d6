import { z } from 'zod';
import { SendError, type PlatformEndpoints, type TelegramCredentials } from '../channel.port';
import { platformRequest } from '../common/platform-http';

// A thin Bot API client: POST https://api.telegram.org/bot<token>/<method> with a JSON body →
// {ok:true,result} or {ok:false,error_code,description,parameters:{retry_after,…}}.
// https://core.telegram.org/bots/api#making-requests

const ErrorBody = z.looseObject({
  ok: z.literal(false).optional(),
  error_code: z.number().optional(),
  description: z.string().optional(),
  parameters: z
    .looseObject({ retry_after: z.number().optional(), migrate_to_chat_id: z.number().optional() })
    .optional(),
});

const OkBody = z.looseObject({ ok: z.literal(true), result: z.unknown() });

/** 429 → retry after `retry_after` s; 5xx → retry; every other failure is permanent. */
export function telegramError(status: number, data: unknown): SendError {
  const parsed = ErrorBody.safeParse(data);
  const body = parsed.success ? parsed.data : {};
  const code = String(body.error_code ?? status);
  const message = body.description ?? (typeof data === 'string' && data ? data.slice(0, 500) : `HTTP ${status}`);
  const retryAfter = body.parameters?.retry_after;
  const retryable = status === 429 || body.error_code === 429 || status >= 500;
  return new SendError(
    { code, message },
    retryable,
    retryable && retryAfter !== undefined ? retryAfter * 1000 : undefined,
  );
}

export async function callTelegram(
  credentials: TelegramCredentials,
  endpoints: PlatformEndpoints,
  method: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const res = await platformRequest(
    {
      method: 'POST',
      url: `${endpoints.telegramApiUrl}/bot${credentials.botToken}/${method}`,
      headers: { 'Content-Type': 'application/json' },
      data: params,
    },
    telegramError,
  );
  const parsed = OkBody.safeParse(res.data);
  if (!parsed.success) throw telegramError(res.status, res.data);
  return parsed.data.result;
}
