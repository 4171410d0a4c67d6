import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleGraph } from './fake-graph';
import { sendJson } from './fake-http';
import { FakeState } from './fake-state';
import { handleTelegram } from './fake-telegram';
import type { FailOn, FailSpec, FakeOptions, FakePlatform, RecordedRequest, StoredMedia } from './fake.types';

// Fake WhatsApp Cloud API, Messenger Send API and Telegram Bot API on one node:http server
// (their paths do not overlap), for tests and the demo. Point WHATSAPP_API_URL and
// MESSENGER_API_URL at graphUrl, TELEGRAM_API_URL at telegramUrl.

export interface FakePlatforms {
  graphUrl: string;
  telegramUrl: string;
  /** Message sends (WhatsApp/Messenger messages, Telegram send*), failed ones included — see `status`. */
  sent: RecordedRequest[];
  /** Every request answered, sends, media and webhook registration included. */
  requests: RecordedRequest[];
  /** Telegram setWebhook parameters by bot token. */
  telegramWebhooks: Map<string, Record<string, unknown>>;
  /**
   * The next `times` matching requests of a platform answer `status` with `body` (a realistic
   * platform body by default). `on`: 'send' (default), 'media' or 'any'.
   */
  failNext(platform: FakePlatform, times: number, spec: FailSpec, on?: FailOn): void;
  /** Bytes served for a WhatsApp media id, Telegram file_id or Messenger /cdn/<name>. */
  putMedia(id: string, media: StoredMedia): void;
  /** A Messenger-style CDN url for stored bytes. */
  cdnUrl(name: string): string;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakePlatforms(options: FakeOptions = {}): Promise<FakePlatforms> {
  const state = new FakeState(options.rateLimit, options.now);
  const server = createServer((req, res) => {
    route(state, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(err), code: 1 } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}`;
  return {
    graphUrl: state.baseUrl,
    telegramUrl: state.baseUrl,
    sent: state.sent,
    requests: state.requests,
    telegramWebhooks: state.telegramWebhooks,
    failNext: (platform, times, spec, on) => state.failNext(platform, times, spec, on),
    putMedia: (id, media) => void state.media.set(id, media),
    cdnUrl: (name) => `${state.baseUrl}/cdn/${encodeURIComponent(name)}`,
    reset: () => state.reset(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(state: FakeState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', state.baseUrl);
  if (await handleTelegram(state, req, res, url)) return;
  if (await handleGraph(state, req, res, url)) return;
  // Graph's answer for an unknown path.
  sendJson(res, 404, {
    error: { message: `Unknown path components: ${url.pathname}`, type: 'OAuthException', code: 2500 },
  });
}

export * from './fake-inbound';
export { platformErrors, graphError as fakeGraphError, telegramError as fakeTelegramError } from './fake-errors';
export type { FailOn, FailSpec, FakeOptions, FakePlatform, RecordedRequest, StoredMedia } from './fake.types';
