import type { ChannelType, InboundEvent, ProviderError } from '../events';

// One adapter per platform (whatsapp/, messenger/, telegram/), each with verify, normalize,
// media and send in its own files, registered in index.ts with `satisfies Record<ChannelType, ChannelAdapter>`.

/** Decrypted credentials as given to POST /api/v1/channels (CONTRACT.md). */
export interface WhatsAppCredentials {
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
}
export interface MessengerCredentials {
  pageId: string;
  pageAccessToken: string;
  appSecret: string;
  verifyToken: string;
}
export interface TelegramCredentials {
  botToken: string;
  secretToken: string;
}
export type ChannelCredentials = WhatsAppCredentials | MessengerCredentials | TelegramCredentials;

/** Platform API bases and version, from config (fakes in tests). */
export interface PlatformEndpoints {
  whatsappApiUrl: string;
  messengerApiUrl: string;
  telegramApiUrl: string;
  graphApiVersion: string;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export interface FetchedMedia {
  data: Buffer;
  mimeType: string;
  fileName?: string;
}

/** What an agent sends; adapters map it to the platform's send shape. */
export type OutboundContent =
  | { type: 'text'; text: string }
  | {
      type: 'image' | 'video' | 'audio' | 'document' | 'sticker';
      url: string;
      mimeType?: string;
      fileName?: string;
      caption?: string;
    }
  | {
      type: 'template';
      name: string;
      language: string;
      /** Positional body variables, {{1}}…{{n}}. */
      variables: string[];
    };

export interface OutboundRequest {
  /** Recipient on the platform: wa_id / PSID / Telegram chat id. */
  to: string;
  content: OutboundContent;
  /** The provider id of the message being replied to. */
  replyToProviderMessageId?: string | undefined;
  /** Messenger: send outside the 24 h window with the HUMAN_AGENT tag. */
  humanAgentTag?: boolean;
}

export interface SendResult {
  providerMessageId: string;
}

/**
 * A failed send. `retryable` → the dispatcher retries (429, 5xx, network), honouring
 * retryAfterMs when the platform says (Telegram retry_after); otherwise the message fails
 * with the platform's code and message.
 */
export class SendError extends Error {
  constructor(
    readonly error: ProviderError,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(`${error.code}: ${error.message}`);
    this.name = 'SendError';
  }
}

export interface WebhookRequest {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface ChannelAdapter<C extends ChannelCredentials = ChannelCredentials> {
  type: ChannelType;
  /** Routing key kept on the channel row: phone_number_id, page id, or the bot's id (token prefix). */
  externalId(credentials: C): string;
  /** Meta GET handshake; Telegram has none (returns undefined → 404). */
  verifyHandshake?(credentials: C, query: Record<string, unknown>): { ok: true; challenge: string } | { ok: false };
  /** Signature / secret-token check over the raw bytes. Constant time. */
  verifyWebhook(credentials: C, req: WebhookRequest): VerifyResult;
  /** Parsed JSON → normalized events. Never throws: what it can't read becomes an 'unhandled' event. */
  normalize(body: unknown): InboundEvent[];
  /** Download a platform media reference (providerMediaId or url). */
  fetchMedia(
    credentials: C,
    endpoints: PlatformEndpoints,
    ref: { providerMediaId: string | null; url: string | null },
  ): Promise<FetchedMedia>;
  send(credentials: C, endpoints: PlatformEndpoints, req: OutboundRequest): Promise<SendResult>;
  /** Called after a channel is created (Telegram setWebhook). */
  register?(credentials: C, endpoints: PlatformEndpoints, webhookUrl: string): Promise<void>;
  /** Called after a channel is deleted, undoing `register` (Telegram deleteWebhook). */
  unregister?(credentials: C, endpoints: PlatformEndpoints): Promise<void>;
  /** Telegram: acknowledge a button tap (MessageEvent.details.callbackQueryId) so the client's spinner stops. */
  answerCallbackQuery?(credentials: C, endpoints: PlatformEndpoints, callbackQueryId: string): Promise<void>;
}
