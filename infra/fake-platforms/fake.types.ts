// Shared shapes of the fake platform servers.

export type FakePlatform = 'whatsapp' | 'messenger' | 'telegram';

/** One request the fakes answered. */
export interface RecordedRequest {
  platform: FakePlatform;
  /** 'messages' (WhatsApp/Messenger send), 'media', 'media-bytes', or the Telegram method ('sendMessage', 'getFile', 'file', …). */
  action: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Bearer token (WhatsApp), access_token (Messenger) or bot token (Telegram); null when absent. */
  token: string | null;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON (or form / query parameters for Telegram), null for GETs. */
  body: unknown;
  /** What the fake answered. */
  status: number;
  response: unknown;
  at: number;
}

/** Which requests a scripted failure applies to. */
export type FailOn = 'send' | 'media' | 'any';

export interface FailSpec {
  status: number;
  /** The platform's error body; a realistic default for the status when omitted. */
  body?: unknown;
  /** Telegram retry_after (seconds) for the default 429 body. */
  retryAfter?: number;
  /** Extra response headers (e.g. Retry-After). */
  headers?: Record<string, string>;
}

export interface ScriptedFailure extends Required<Pick<FailSpec, 'status'>> {
  body: unknown;
  headers: Record<string, string>;
  remaining: number;
  on: FailOn;
}

export interface FakeOptions {
  /** Listen port; 0 or absent → a free one. Graph and Telegram share the server (paths differ). */
  port?: number;
  /** Per-token request budget per rolling second; beyond it the platform's 429 answer. */
  rateLimit?: { perSecond: number };
  /** Clock for the rate windows (tests pass a fixed one). */
  now?: () => number;
}

export interface StoredMedia {
  data: Buffer;
  mimeType: string;
}
