import type { z } from 'zod';
import { ErrorBody } from './schemas';

// The one HTTP client: same-origin /api/v1, bearer token, one refresh on 401, errors in the
// API's shape. The session store plugs itself in with configureClient().

export const API_BASE = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The route does not exist on this server (yet): the feature is shown as unavailable. */
  get notImplemented(): boolean {
    return this.status === 404 && this.code === 'route_not_found';
  }

  /** Field → message, from a `validation_failed` error's details. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details as { field?: unknown; message?: unknown }[]) {
        if (typeof d.field === 'string' && typeof d.message === 'string') out[d.field] = d.message;
      }
    }
    return out;
  }
}

export interface ClientHooks {
  accessToken(): string | null;
  /** Tries to get a fresh access token; false when the session is over. */
  refresh(): Promise<boolean>;
  /** Called once a request is refused even after a refresh. */
  expired(): void;
}

let hooks: ClientHooks = { accessToken: () => null, refresh: async () => false, expired: () => {} };

export function configureClient(h: ClientHooks): void {
  hooks = h;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions<S extends z.ZodType | undefined> {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  /** Parse the JSON answer with it; without one the answer is ignored. */
  schema?: S;
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: Query): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return `${API_BASE}${path}${s ? `?${s}` : ''}`;
}

async function send(method: string, path: string, opts: RequestOptions<z.ZodType | undefined>): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  let body: FormData | string | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const token = opts.auth === false ? null : hooks.accessToken();
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    return await fetch(buildUrl(path, opts.query), { method, headers, body, signal: opts.signal ?? null });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'the server cannot be reached');
  }
}

async function toError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(text));
    if (parsed.success) {
      const e = parsed.data.error;
      return new ApiError(res.status, e.code, e.message, e.details);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, `http_${res.status}`, text.slice(0, 200) || res.statusText);
}

export async function request<S extends z.ZodType | undefined = undefined>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  opts: RequestOptions<S> = {},
): Promise<S extends z.ZodType ? z.infer<S> : void> {
  let res = await send(method, path, opts);
  if (res.status === 401 && opts.auth !== false) {
    if (await hooks.refresh()) res = await send(method, path, opts);
    if (res.status === 401) hooks.expired();
  }
  if (!res.ok) throw await toError(res);
  if (!opts.schema || res.status === 204) return undefined as never;
  const json: unknown = await res.json();
  const parsed = opts.schema.safeParse(json);
  if (!parsed.success) {
    console.error(`unexpected answer from ${method} ${path}`, parsed.error.issues, json);
    throw new ApiError(res.status, 'bad_response', `unexpected answer from ${method} ${path}`, parsed.error.issues);
  }
  return parsed.data as never;
}

/**
 * A protected file (message media at /api/v1/media/…) as a blob: <img>/<audio> cannot send
 * the bearer token, so the app fetches it and hands an object URL to the element.
 */
export async function fetchAuthedBlob(url: string): Promise<Blob> {
  const get = () => {
    const token = hooks.accessToken();
    return fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  };
  let res = await get();
  if (res.status === 401 && (await hooks.refresh())) res = await get();
  if (!res.ok) throw await toError(res);
  return res.blob();
}
