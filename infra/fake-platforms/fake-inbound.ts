import { createHmac, randomBytes } from 'node:crypto';

// Helpers that play the platform's side of a webhook: realistic payloads shaped like the
// public fixtures, Meta's escaping and signature, and the POST itself.

/**
 * JSON as Meta sends it: non-ASCII escaped as \uXXXX (emoji as surrogate pairs). Signing the
 * raw UTF-8 instead would disagree with hubs that verify Meta's real bytes.
 */
export function metaJson(payload: unknown): string {
  return JSON.stringify(payload).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `sha256=<hex HMAC-SHA256(appSecret, body)>` over the exact bytes given. */
export function signMeta(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

const unix = (d = new Date()) => Math.floor(d.getTime() / 1000);
const rand = (n = 10) => randomBytes(n).toString('hex').toUpperCase();

function whatsappEnvelope(phoneNumberId: string, value: Record<string, unknown>, displayPhoneNumber = '15550000000') {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: displayPhoneNumber, phone_number_id: phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

export interface WhatsAppInbound {
  phoneNumberId: string;
  /** wa_id of the customer. */
  from: string;
  name?: string;
  id?: string;
  /** Unix seconds (number or string). */
  timestamp?: number | string;
  /** Business-scoped user id, when the customer has one. */
  userId?: string;
  /** The wamid this message replies to. */
  contextId?: string;
}

/** Any inbound message: `message` holds `type` and its object (e.g. {type:'image', image:{id,mime_type}}). */
export function whatsappMessageWebhook(o: WhatsAppInbound & { message: Record<string, unknown> }) {
  return whatsappEnvelope(o.phoneNumberId, {
    contacts: [
      { profile: { name: o.name ?? 'Test Customer' }, wa_id: o.from, ...(o.userId ? { user_id: o.userId } : {}) },
    ],
    messages: [
      {
        ...(o.contextId ? { context: { from: '15550000000', id: o.contextId } } : {}),
        from: o.from,
        ...(o.userId ? { from_user_id: o.userId } : {}),
        id: o.id ?? `wamid.${rand()}`,
        timestamp: String(o.timestamp ?? unix()),
        ...o.message,
      },
    ],
  });
}

export function whatsappTextWebhook(o: WhatsAppInbound & { text: string }) {
  return whatsappMessageWebhook({ ...o, message: { type: 'text', text: { body: o.text } } });
}

export function whatsappStatusWebhook(o: {
  phoneNumberId: string;
  /** The wamid of our outbound message. */
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  recipientId: string;
  timestamp?: number | string;
  error?: { code: number; title: string; message?: string; details?: string };
}) {
  return whatsappEnvelope(o.phoneNumberId, {
    statuses: [
      {
        id: o.id,
        status: o.status,
        timestamp: String(o.timestamp ?? unix()),
        recipient_id: o.recipientId,
        ...(o.status === 'sent' || o.status === 'delivered'
          ? { pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' } }
          : {}),
        ...(o.error
          ? {
              errors: [
                {
                  code: o.error.code,
                  title: o.error.title,
                  message: o.error.message ?? o.error.title,
                  error_data: { details: o.error.details ?? o.error.title },
                  href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
                },
              ],
            }
          : {}),
      },
    ],
  });
}

/** A Messenger webhook with the given messaging[] events for one page. */
export function messengerWebhook(pageId: string, messaging: Record<string, unknown>[], time = Date.now()) {
  return { object: 'page', entry: [{ id: pageId, time, messaging }] };
}

export function messengerTextWebhook(o: {
  pageId: string;
  psid: string;
  text: string;
  mid?: string;
  timestamp?: number;
}) {
  const timestamp = o.timestamp ?? Date.now();
  return messengerWebhook(
    o.pageId,
    [
      {
        sender: { id: o.psid },
        recipient: { id: o.pageId },
        timestamp,
        message: { mid: o.mid ?? `m_${rand(16)}`, text: o.text },
      },
    ],
    timestamp,
  );
}

/** An echo of a message the page sent (appId: the sending app; ours gets dropped by the hub). */
export function messengerEchoWebhook(o: {
  pageId: string;
  psid: string;
  text: string;
  appId: string | number;
  mid?: string;
  timestamp?: number;
}) {
  const timestamp = o.timestamp ?? Date.now();
  return messengerWebhook(o.pageId, [
    {
      sender: { id: o.pageId },
      recipient: { id: o.psid },
      timestamp,
      message: { is_echo: true, app_id: o.appId, mid: o.mid ?? `m_${rand(16)}`, text: o.text },
    },
  ]);
}

export function messengerDeliveryWebhook(o: {
  pageId: string;
  psid: string;
  watermark: number;
  mids?: string[];
  read?: boolean;
}) {
  const receipt = o.read
    ? { read: { watermark: o.watermark } }
    : { delivery: { watermark: o.watermark, ...(o.mids ? { mids: o.mids } : {}) } };
  return messengerWebhook(o.pageId, [
    { sender: { id: o.psid }, recipient: { id: o.pageId }, timestamp: Date.now(), ...receipt },
  ]);
}

let nextUpdateId = 500_000_000;

export function telegramTextUpdate(o: {
  chatId: number;
  text: string;
  messageId?: number;
  updateId?: number;
  date?: number;
  firstName?: string;
  lastName?: string;
  username?: string;
}) {
  const person = {
    first_name: o.firstName ?? 'Test',
    ...(o.lastName ? { last_name: o.lastName } : {}),
    ...(o.username ? { username: o.username } : {}),
  };
  return {
    update_id: o.updateId ?? nextUpdateId++,
    message: {
      message_id: o.messageId ?? Math.floor(Math.random() * 1_000_000),
      from: { id: o.chatId, is_bot: false, ...person, language_code: 'en' },
      chat: { id: o.chatId, ...person, type: 'private' },
      date: o.date ?? unix(),
      text: o.text,
    },
  };
}

export interface WebhookResponse {
  status: number;
  text: string;
}

/** POSTs a body as given (a string is sent byte for byte; an object as JSON). */
export async function postWebhook(
  url: string,
  body: string | Buffer | object,
  headers: Record<string, string> = {},
): Promise<WebhookResponse> {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
  });
  return { status: res.status, text: await res.text() };
}

/** Escapes, signs with the app secret and POSTs, as Meta does. */
export async function postMetaWebhook(url: string, payload: unknown, appSecret: string): Promise<WebhookResponse> {
  const body = metaJson(payload);
  return postWebhook(url, body, { 'x-hub-signature-256': signMeta(body, appSecret) });
}

/** POSTs an Update with the secret-token header, as Telegram does. */
export async function postTelegramUpdate(url: string, update: unknown, secretToken: string): Promise<WebhookResponse> {
  return postWebhook(url, JSON.stringify(update), { 'x-telegram-bot-api-secret-token': secretToken });
}
