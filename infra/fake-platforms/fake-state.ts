import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultErrorBody } from './fake-errors';
import { sendBytes, sendJson } from './fake-http';
import type { FailOn, FailSpec, FakePlatform, RecordedRequest, ScriptedFailure, StoredMedia } from './fake.types';

// What the fake servers remember between requests: the record of calls, scripted failures,
// per-token rate windows and media.

export interface CallContext {
  platform: FakePlatform;
  action: string;
  kind: 'send' | 'media' | 'other';
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  token: string | null;
  body: unknown;
}

export class FakeState {
  baseUrl = '';
  readonly requests: RecordedRequest[] = [];
  readonly sent: RecordedRequest[] = [];
  readonly media = new Map<string, StoredMedia>();
  /** WhatsApp media id → the token that looked it up (the bytes URL needs the same one). */
  readonly mediaTokens = new Map<string, string>();
  readonly telegramWebhooks = new Map<string, Record<string, unknown>>();
  private failures = new Map<FakePlatform, ScriptedFailure[]>();
  private windows = new Map<string, number[]>();

  constructor(
    private readonly rateLimit?: { perSecond: number },
    private readonly now: () => number = Date.now,
  ) {}

  failNext(platform: FakePlatform, times: number, spec: FailSpec, on: FailOn = 'send'): void {
    const list = this.failures.get(platform) ?? [];
    list.push({
      status: spec.status,
      body: spec.body ?? defaultErrorBody(platform, spec.status, spec.retryAfter),
      headers: spec.headers ?? {},
      remaining: times,
      on,
    });
    this.failures.set(platform, list);
  }

  reset(): void {
    this.requests.length = 0;
    this.sent.length = 0;
    this.failures.clear();
    this.windows.clear();
    this.media.clear();
    this.mediaTokens.clear();
    this.telegramWebhooks.clear();
  }

  /** A scripted failure or a rate-limit answer, if one applies; it is sent and recorded. */
  intercept(ctx: CallContext): boolean {
    const list = this.failures.get(ctx.platform) ?? [];
    const hit = list.find((f) => f.remaining > 0 && (f.on === 'any' || f.on === ctx.kind));
    if (hit) {
      hit.remaining -= 1;
      this.answer(ctx, hit.status, hit.body, hit.headers);
      return true;
    }
    if (this.rateLimit && ctx.token && ctx.kind !== 'media') {
      const key = `${ctx.platform}|${ctx.token}`;
      const now = this.now();
      const recent = (this.windows.get(key) ?? []).filter((t) => now - t < 1000);
      if (recent.length >= this.rateLimit.perSecond) {
        this.windows.set(key, recent);
        this.answer(ctx, 429, defaultErrorBody(ctx.platform, 429, 1));
        return true;
      }
      recent.push(now);
      this.windows.set(key, recent);
    }
    return false;
  }

  answer(ctx: CallContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.record(ctx, status, body);
    sendJson(ctx.res, status, body, headers);
  }

  answerBytes(ctx: CallContext, media: StoredMedia): void {
    this.record(ctx, 200, { bytes: media.data.length, mimeType: media.mimeType });
    sendBytes(ctx.res, media.data, media.mimeType);
  }

  private record(ctx: CallContext, status: number, body: unknown): void {
    const record: RecordedRequest = {
      platform: ctx.platform,
      action: ctx.action,
      method: ctx.req.method ?? 'GET',
      path: ctx.url.pathname,
      query: Object.fromEntries(ctx.url.searchParams),
      token: ctx.token,
      headers: { ...ctx.req.headers },
      body: ctx.body,
      status,
      response: body,
      at: this.now(),
    };
    this.requests.push(record);
    if (ctx.kind === 'send') this.sent.push(record);
  }

  /** Bytes of a media id: stored by putMedia, or made up (stable per id). */
  mediaFor(id: string): StoredMedia {
    return this.media.get(id) ?? { data: Buffer.from(`fake-media:${id}`), mimeType: 'image/jpeg' };
  }
}

export const randomId = (bytes = 12) => randomBytes(bytes).toString('hex');
export const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
