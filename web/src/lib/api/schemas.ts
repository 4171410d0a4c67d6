import { z } from 'zod';

// Response shapes of the API, parsed at the boundary. Contract fields (../shared/CONTRACT.md)
// are required; fields the contract does not fix yet are optional, and objects are loose so
// that additive server changes never break the app.

const iso = z.string();

export const Role = z.string(); // 'admin' | 'supervisor' | 'agent' | …
export const SessionUser = z.looseObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  workspaceId: z.string(),
});
export type SessionUser = z.infer<typeof SessionUser>;

export const SessionBody = z.looseObject({
  accessToken: z.string(),
  refreshToken: z.string(),
  user: SessionUser,
});
export type SessionBody = z.infer<typeof SessionBody>;

export const SetupStatus = z.object({ needed: z.boolean() });

export const ChannelType = z.enum(['whatsapp', 'messenger', 'telegram']).or(z.string());
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

export const Media = z.looseObject({
  /** /api/v1/media/<id> (needs the bearer token) once downloaded; null while pending or failed. */
  url: z.string().nullable(),
  mimeType: z.string().nullable(),
  fileName: z.string().nullish(),
  caption: z.string().nullish(),
  /** Why the media is not there (download failed). */
  error: z.string().optional(),
});

export const Message = z.looseObject({
  id: z.string(),
  conversationId: z.string(),
  direction: z.enum(['in', 'out']),
  // An unknown future type renders as "unsupported" instead of failing the whole page.
  type: MessageType.catch('unsupported'),
  text: z.string().nullable(),
  media: Media.nullable(),
  status: MessageStatus.catch('queued'),
  providerMessageId: z.string().nullable().optional(),
  error: z
    .looseObject({ code: z.union([z.string(), z.number()]), message: z.string() })
    .nullable()
    .optional(),
  createdAt: iso,
  editedAt: iso.nullish(),
  /** Type-specific data: location, shared contacts, interactive ids, reaction target… */
  details: z.record(z.string(), z.unknown()).optional(),
  replyToProviderMessageId: z.string().nullish(),
  // Not fixed by the contract yet (shown when present):
  idempotencyKey: z.string().nullish(),
  private: z.boolean().optional(),
  senderName: z.string().nullish(),
  senderId: z.string().nullish(),
  template: z.looseObject({ name: z.string(), language: z.string().optional() }).nullish(),
});
export type Message = z.infer<typeof Message>;

/** The list row's preview: the API sends a whole Message; a few fields are enough here. */
export const LastMessage = z.looseObject({
  text: z.string().nullish(),
  type: z.string().optional(),
  direction: z.enum(['in', 'out']).optional(),
  status: z.string().optional(),
  createdAt: iso.optional(),
});

export const ConversationStatus = z.enum(['open', 'pending', 'resolved']);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

export const Conversation = z.looseObject({
  id: z.string(),
  status: ConversationStatus.catch('open'),
  channel: z.looseObject({ id: z.string(), type: ChannelType, name: z.string().optional() }),
  contact: z.looseObject({ id: z.string(), name: z.string().nullable(), phone: z.string().nullable() }),
  assigneeId: z.string().nullable(),
  unreadCount: z.number(),
  lastMessage: LastMessage.nullable(),
  lastActivityAt: iso,
  createdAt: iso.optional(),
  // Not fixed by the contract yet:
  /** Last inbound customer message: the WhatsApp 24-hour window runs from it. */
  lastInboundAt: iso.nullish(),
  labels: z.array(z.string()).optional(),
  /** Snoozed: pending until `snoozedUntil`, or until the customer's next message when that is null. */
  snoozed: z.boolean().optional(),
  snoozedUntil: iso.nullish(),
  teamId: z.string().nullish(),
});
export type Conversation = z.infer<typeof Conversation>;

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A stored notification of the signed-in user (today: an @mention in a private note). */
export const Notification = z.looseObject({
  id: z.string(),
  kind: z.string(),
  conversationId: z.string().nullable(),
  messageId: z.string().nullable(),
  byUserId: z.string().nullable(),
  text: z.string(),
  createdAt: iso,
  readAt: iso.nullable(),
});
export type Notification = z.infer<typeof Notification>;
export const NotificationPage = page(Notification).extend({ unreadCount: z.number() });

export const Channel = z.looseObject({
  id: z.string(),
  type: ChannelType,
  name: z.string(),
  webhookUrl: z.string().optional(),
  verifyToken: z.string().nullish(),
});
export type Channel = z.infer<typeof Channel>;

export const User = z.looseObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  active: z.boolean().optional(),
  online: z.boolean().optional(),
});
export type User = z.infer<typeof User>;

export const Contact = z.looseObject({
  id: z.string(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullish(),
  category: z.string().nullish(),
  status: z.string().nullish(),
  country: z.string().nullish(),
  notes: z.string().nullish(),
  tags: z.array(z.string()).optional(),
  createdAt: iso.optional(),
});
export type Contact = z.infer<typeof Contact>;

export const Stage = z.looseObject({ id: z.string(), name: z.string(), position: z.number() });
export type Stage = z.infer<typeof Stage>;
export const Funnel = z.looseObject({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  stages: z.array(Stage),
});
export type Funnel = z.infer<typeof Funnel>;

export const Lead = z.looseObject({
  id: z.string(),
  contactId: z.string().nullable(),
  conversationId: z.string().nullish(),
  source: z.string().nullish(),
  caseType: z.string().nullish(),
  status: z.string(),
  value: z.number().nullish(),
  currency: z.string().nullish(),
  assigneeId: z.string().nullish(),
  funnelId: z.string().nullish(),
  stageId: z.string().nullish(),
  contact: z.looseObject({ id: z.string(), name: z.string().nullable() }).nullish(),
  createdAt: iso.optional(),
});
export type Lead = z.infer<typeof Lead>;

/** One response-time figure (seconds): samples in the metrics range; `business` counts business hours only. */
const Timing = z.looseObject({
  count: z.number().optional(),
  min: z.number().nullable(),
  avg: z.number().nullable(),
  max: z.number().nullable(),
});
export type Timing = z.infer<typeof Timing>;

/**
 * GET /metrics (`LiveMetrics` in the OpenAPI document; also pushed as `metrics:updated`):
 * counts now, times in seconds over [from, to). Figures are optional so a push that leaves
 * one out does not blank the page.
 */
export const Metrics = z.looseObject({
  at: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  open: z.number().optional(),
  pending: z.number().optional(),
  snoozed: z.number().optional(),
  unanswered: z.number().optional(),
  waitingLongestSeconds: z.number().nullish(),
  agentsOnline: z.number().optional(),
  /** First response time. */
  frt: Timing.optional(),
  reply: Timing.optional(),
  resolution: Timing.optional(),
  perAgent: z
    .array(
      z.looseObject({
        userId: z.string(),
        name: z.string().optional(),
        role: z.string().optional(),
        presence: z.enum(['online', 'away', 'offline']).catch('offline').optional(),
        open: z.number().optional(),
        frt: Timing.optional(),
        reply: Timing.optional(),
        resolution: Timing.optional(),
      }),
    )
    .optional(),
  conversationsByChannel: z
    .array(
      z.looseObject({
        channelId: z.string(),
        type: z.string().optional(),
        name: z.string().optional(),
        open: z.number(),
        unanswered: z.number().optional(),
      }),
    )
    .optional(),
});
export type Metrics = z.infer<typeof Metrics>;

/** Reply templates (agents' canned answers; `/` in the composer). `{{contact.name}}`-style variables. */
export const ReplyTemplate = z.looseObject({
  id: z.string(),
  name: z.string(),
  shortcut: z.string(),
  body: z.string(),
  category: z.string().nullish(),
  /** Channel types it may be used on; empty: everywhere. */
  platforms: z.array(z.string()).optional(),
  variables: z.array(z.string()).optional(),
});
export type ReplyTemplate = z.infer<typeof ReplyTemplate>;

/** Approved WhatsApp templates of one channel (`ChannelTemplate`), for a closed 24-hour window. */
export const WhatsappTemplate = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  language: z.string(),
  category: z.string().optional(),
  /** With {{1}}…{{n}} placeholders. */
  body: z.string().optional(),
  variableCount: z.number().optional(),
});
export type WhatsappTemplate = z.infer<typeof WhatsappTemplate>;

export const Workspace = z.looseObject({
  id: z.string(),
  name: z.string(),
  settings: z.looseObject({ theme: z.string().optional(), logoUrl: z.string().optional() }).optional(),
});
export type Workspace = z.infer<typeof Workspace>;

export const ErrorBody = z.object({
  error: z.looseObject({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
