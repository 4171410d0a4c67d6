import axios, { type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { SendError } from '../channel.port';

// The one place channel adapters talk HTTP. Statuses are inspected by the caller's error
// mapper (validateStatus accepts everything), so a platform error body is never lost inside
// an AxiosError; only transport failures throw here, as retryable SendErrors.

const TIMEOUT_MS = 20_000;

export type ErrorMapper = (status: number, data: unknown, headers: Record<string, unknown>) => SendError;

export async function platformRequest<T = unknown>(
  config: AxiosRequestConfig,
  mapError: ErrorMapper,
): Promise<AxiosResponse<T>> {
  let res: AxiosResponse<T>;
  try {
    res = await axios.request<T>({ timeout: TIMEOUT_MS, ...config, validateStatus: () => true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = axios.isAxiosError(err) && err.code ? err.code : 'network_error';
    throw new SendError({ code: 'network_error', message: `${code}: ${message}` }, true);
  }
  if (res.status >= 200 && res.status < 300) return res;
  throw mapError(res.status, decodeBody(res.data), res.headers as Record<string, unknown>);
}

/** Media downloads use arraybuffer responses: decode an error body back to JSON when it is JSON. */
export function decodeBody(data: unknown): unknown {
  if (!(data instanceof ArrayBuffer) && !Buffer.isBuffer(data)) return data;
  const text = Buffer.from(data as ArrayBuffer).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Retry-After in seconds (the only form the platforms use) → ms. */
export function retryAfterHeaderMs(headers: Record<string, unknown>): number | undefined {
  const raw = headers['retry-after'];
  const n = typeof raw === 'string' ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
}

export function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data);
  return Buffer.from(JSON.stringify(data ?? null));
}

export function contentType(headers: Record<string, unknown>): string | null {
  const raw = headers['content-type'];
  return typeof raw === 'string' && raw.length > 0 ? raw : null;
}
