import { z } from 'zod';

// The normalized event contract, version 1: what ingestion puts on the "inbound" queue and
// the worker persists. Every platform's webhook becomes a list of these.

export const ChannelType = z.enum(['whatsapp', 'messenger', 'telegram']);
export type ChannelType = z.infer<typeof ChannelType>;

export const MessageType = z.enum([
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contact',
  'interactive',
  'reaction',
  'template',
  'unsupported',
]);
export type MessageType = z.infer<typeof MessageType>;

export const MessageStatus = z.enum(['received', 'queued', 'sent', 'delivered', 'read', 'failed']);
export type MessageStatus = z.infer<typeof MessageStatus>;

/** Ways a platform names a person. A contact may hold several. */
export const IdentityKind = z.enum(['whatsapp', 'whatsapp_bsuid', 'messenger', 'telegram']);
export type IdentityKind = z.infer<typeof IdentityKind>;

export const ProviderError = z.object({ code: z.string(), message: z.string() });
export type ProviderError = z.infer<typeof ProviderError>;

export const Sender = z.object({
  /** At least one; the first is the primary identity for this channel type. */
  identities: z.array(z.object({ kind: IdentityKind, value: z.string().min(1) })).min(1),
  name: z.string().nullable(),
  /** As the platform gave it (WhatsApp wa_id, a Telegram shared contact); E.164 is derived later. */
  phone: z.string().nullable(),
});
export type Sender = z.infer<typeof Sender>;

export const InboundMedia = z.object({
  /** WhatsApp media id or Telegram file_id: fetched later by the media job. */
  providerMediaId: z.string().nullable(),
  /** Direct URL when the platform gives one (Messenger CDN). */
  url: z.string().nullable(),
  mimeType: z.string().nullable(),
  fileName: z.string().optional(),
  caption: z.string().optional(),
  sha256: z.string().optional(),
  fileSize: z.number().optional(),
});
export type InboundMedia = z.infer<typeof InboundMedia>;

const Base = z.object({
  v: z.literal(1),
  channelType: ChannelType,
  /** Which channel the event is for on the platform: phone_number_id, page id; null → the channel in the URL. */
  routeKey: z.string().nullable(),
  /** Platform time of the event (ISO 8601 UTC). Ordering uses it, never arrival order. */
  timestamp: z.string(),
});

export const MessageEvent = Base.extend({
  kind: z.literal('message'),
  /** wamid, mid, or "<chat.id>:<message_id>" for Telegram. */
  providerMessageId: z.string().min(1),
  /** 'out' for Messenger echoes of messages sent from the page elsewhere. */
  direction: z.enum(['in', 'out']),
  contact: Sender,
  type: MessageType,
  text: z.string().nullable(),
  media: InboundMedia.nullable(),
  replyToProviderMessageId: z.string().nullable().optional(),
  /** Type-specific details kept as data: location, shared contacts, interactive ids, reaction target… */
  details: z.record(z.string(), z.unknown()).optional(),
  /** Click-to-WhatsApp/Messenger ad referral, when present (campaign attribution). */
  referral: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type MessageEvent = z.infer<typeof MessageEvent>;

/** Telegram edited_message: same provider id, new text. */
export const EditEvent = Base.extend({
  kind: z.literal('edit'),
  providerMessageId: z.string().min(1),
  contact: Sender,
  text: z.string().nullable(),
});
export type EditEvent = z.infer<typeof EditEvent>;

/** A receipt for one of our outbound messages. */
export const StatusEvent = Base.extend({
  kind: z.literal('status'),
  providerMessageId: z.string().min(1),
  status: z.enum(['sent', 'delivered', 'read', 'failed']),
  /** The customer's identity when the platform says it (WhatsApp recipient_id). */
  recipient: z.string().nullable(),
  error: ProviderError.nullable(),
});
export type StatusEvent = z.infer<typeof StatusEvent>;

/** Messenger delivery/read: everything we sent to this person up to `watermark` moves forward. */
export const WatermarkEvent = Base.extend({
  kind: z.literal('watermark'),
  status: z.enum(['delivered', 'read']),
  contact: Sender,
  watermark: z.string(),
  providerMessageIds: z.array(z.string()),
});
export type WatermarkEvent = z.infer<typeof WatermarkEvent>;

/** The person blocked or unblocked us (Telegram my_chat_member kicked/member). */
export const ReachabilityEvent = Base.extend({
  kind: z.literal('reachability'),
  contact: Sender,
  reachable: z.boolean(),
});
export type ReachabilityEvent = z.infer<typeof ReachabilityEvent>;

/** Something valid but not understood (or a platform-level error): kept, never dropped. */
export const UnhandledEvent = Base.extend({
  kind: z.literal('unhandled'),
  reason: z.string(),
  error: ProviderError.nullable(),
  raw: z.unknown(),
});
export type UnhandledEvent = z.infer<typeof UnhandledEvent>;

export const InboundEvent = z.discriminatedUnion('kind', [
  MessageEvent,
  EditEvent,
  StatusEvent,
  WatermarkEvent,
  ReachabilityEvent,
  UnhandledEvent,
]);
export type InboundEvent = z.infer<typeof InboundEvent>;

/** A stable id for dedupe on the queue (same event delivered twice → same id); none for unhandled ones. */
export function inboundEventKey(channelId: string, e: InboundEvent): string | undefined {
  switch (e.kind) {
    case 'message':
      return `${channelId}|m|${e.providerMessageId}`;
    case 'edit':
      return `${channelId}|e|${e.providerMessageId}|${e.timestamp}`;
    case 'status':
      return `${channelId}|s|${e.providerMessageId}|${e.status}`;
    case 'watermark':
      return `${channelId}|w|${e.contact.identities[0]?.value ?? ''}|${e.status}|${e.watermark}`;
    case 'reachability':
      return `${channelId}|r|${e.contact.identities[0]?.value ?? ''}|${e.timestamp}`;
    case 'unhandled':
      return undefined;
  }
}
