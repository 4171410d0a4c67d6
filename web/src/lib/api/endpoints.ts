import { z } from 'zod';
import { request, type Query } from './client';
import {
  Channel,
  Contact,
  Conversation,
  Funnel,
  Lead,
  Message,
  Metrics,
  NotificationPage,
  ReplyTemplate,
  SessionBody,
  SessionUser,
  SetupStatus,
  User,
  WhatsappTemplate,
  Workspace,
  page,
  type ConversationStatus,
} from './schemas';

// Every call the app makes, in one place, as the server declares them (CONTRACT.md and, for the
// live-conversation routes, the OpenAPI document at /api/v1/openapi.json). Callers still treat a
// 404 `route_not_found` (ApiError.notImplemented) as "not available on this server".

const enc = encodeURIComponent;

export const auth = {
  login: (email: string, password: string) =>
    request('POST', '/auth/login', { body: { email, password }, schema: SessionBody, auth: false }),
  refresh: (refreshToken: string) =>
    request('POST', '/auth/refresh', { body: { refreshToken }, schema: SessionBody, auth: false }),
  me: () => request('GET', '/auth/me', { schema: SessionUser }),
  logout: (refreshToken: string) => request('POST', '/auth/logout', { body: { refreshToken } }),
};

export const setup = {
  status: () => request('GET', '/setup', { schema: SetupStatus, auth: false }),
  create: (body: { workspaceName: string; name: string; email: string; password: string }) =>
    request('POST', '/setup', { body, schema: SessionBody, auth: false }),
};

/**
 * `assigneeId=none` asks for unassigned ones. `q` and `contactId` are not filters of the server's
 * list yet (it ignores them): the inbox narrows the loaded rows by `q` itself.
 */
export interface ConversationQuery extends Query {
  status?: ConversationStatus | undefined;
  channelId?: string | undefined;
  assigneeId?: string | undefined;
  q?: string | undefined;
  label?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
  contactId?: string | undefined;
}

/** Our id of the message this one answers (any kind of send). */
interface ReplyTo {
  replyToMessageId?: string;
}
/** Text; `private: true` makes it a note for the team, stored and never sent. */
export interface TextSendBody extends ReplyTo {
  type?: 'text';
  text: string;
  private?: boolean;
}
export type OutboundMediaType = 'image' | 'video' | 'audio' | 'document';
/** A file uploaded first (media.upload → `mediaId`) or a public URL; exactly one of the two. */
export interface MediaSendBody extends ReplyTo {
  type: OutboundMediaType;
  mediaId?: string;
  url?: string;
  caption?: string;
  fileName?: string;
}
/** An approved WhatsApp template (outside the 24-hour window). */
export interface TemplateSendBody extends ReplyTo {
  type: 'template';
  template: { name: string; language: string; variables: string[] };
}
/** The body of POST /conversations/:id/messages (`SendMessageBody`). */
export type SendBody = TextSendBody | MediaSendBody | TemplateSendBody;

export const conversations = {
  list: (query: ConversationQuery) => request('GET', '/conversations', { query, schema: page(Conversation) }),
  get: (id: string) => request('GET', `/conversations/${enc(id)}`, { schema: Conversation }),
  messages: (id: string, query: { before?: string | undefined; limit?: number }) =>
    request('GET', `/conversations/${enc(id)}/messages`, { query, schema: page(Message) }),
  send: (id: string, body: SendBody, idempotencyKey: string) =>
    request('POST', `/conversations/${enc(id)}/messages`, {
      body,
      // The same key again returns the same message: a retried request never sends twice.
      headers: { 'idempotency-key': idempotencyKey },
      schema: z.looseObject({ message: Message }),
    }),
  /** Sends a `failed` message again (409 `message_not_failed` otherwise). */
  retry: (messageId: string) =>
    request('POST', `/messages/${enc(messageId)}/retry`, { schema: z.looseObject({ message: Message }) }),
  // The action routes, not PATCH: they record the metrics (resolution, new first-response
  // cycle) and tell agents who lose the conversation (`conversation:revoked`).
  assign: (id: string, assigneeId: string | null) =>
    request('POST', `/conversations/${enc(id)}/assign`, { body: { assigneeId }, schema: Conversation }),
  setStatus: (id: string, status: ConversationStatus) =>
    request('POST', `/conversations/${enc(id)}/status`, { body: { status }, schema: Conversation }),
  /** `until` ISO time, or null for "until the customer's next message". Goes `pending`. */
  snooze: (id: string, until: string | null) =>
    request('POST', `/conversations/${enc(id)}/snooze`, {
      body: until === null ? { untilNextMessage: true } : { until },
      schema: Conversation,
    }),
  markRead: (id: string) => request('POST', `/conversations/${enc(id)}/read`),
};

/** Multipart upload of one file (part `file`, up to 20 MB) → the `mediaId` to send. */
export const media = {
  upload: (file: File) => {
    const form = new FormData();
    form.append('file', file);
    return request('POST', '/media', {
      body: form,
      schema: z.looseObject({
        id: z.string(),
        mimeType: z.string(),
        fileName: z.string().nullable(),
        size: z.number(),
      }),
    });
  },
};

export const channels = {
  list: () =>
    request('GET', '/channels', {
      schema: page(Channel).or(z.array(Channel).transform((items) => ({ items, nextCursor: null }))),
    }),
  create: (body: { type: string; name: string; config: Record<string, string> }) =>
    request('POST', '/channels', { body, schema: Channel }),
  // No "test the credentials" route on the server: the channels page has no Test button.
  /** The approved WhatsApp templates recorded for this channel. */
  whatsappTemplates: (id: string) =>
    request('GET', `/channels/${enc(id)}/templates`, { schema: page(WhatsappTemplate) }),
};

export const users = {
  list: () =>
    request('GET', '/users', {
      schema: page(User).or(z.array(User).transform((items) => ({ items, nextCursor: null }))),
    }),
  create: (body: { name: string; email: string; password: string; role: string }) =>
    request('POST', '/users', { body, schema: User }),
};

export interface ContactQuery extends Query {
  q?: string | undefined;
  category?: string | undefined;
  status?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}
export type ContactInput = Partial<
  Pick<Contact, 'name' | 'phone' | 'email' | 'category' | 'status' | 'country' | 'notes'>
>;

export const contacts = {
  list: (query: ContactQuery) => request('GET', '/contacts', { query, schema: page(Contact) }),
  get: (id: string) => request('GET', `/contacts/${enc(id)}`, { schema: Contact }),
  create: (body: ContactInput) => request('POST', '/contacts', { body, schema: Contact }),
  update: (id: string, body: ContactInput) => request('PATCH', `/contacts/${enc(id)}`, { body, schema: Contact }),
};

export interface LeadQuery extends Query {
  status?: string | undefined;
  funnelId?: string | undefined;
  stageId?: string | undefined;
  assigneeId?: string | undefined;
  contactId?: string | undefined;
  conversationId?: string | undefined;
  q?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}
/** Creating takes status/stage/assignee; changing them later has routes of its own. */
export type LeadInput = Partial<
  Pick<
    Lead,
    'contactId' | 'conversationId' | 'source' | 'status' | 'value' | 'currency' | 'funnelId' | 'stageId' | 'assigneeId'
  >
>;
export type LeadPatch = Partial<Pick<Lead, 'value' | 'currency' | 'source' | 'conversationId'>>;

export const leads = {
  list: (query: LeadQuery) => request('GET', '/leads', { query, schema: page(Lead) }),
  create: (body: LeadInput) => request('POST', '/leads', { body, schema: Lead }),
  get: (id: string) => request('GET', `/leads/${enc(id)}`, { schema: Lead }),
  update: (id: string, body: LeadPatch) => request('PATCH', `/leads/${enc(id)}`, { body, schema: Lead }),
  /** Kept in the lead's stage history. */
  move: (id: string, stageId: string) => request('POST', `/leads/${enc(id)}/move`, { body: { stageId }, schema: Lead }),
  setStatus: (id: string, status: string) =>
    request('POST', `/leads/${enc(id)}/status`, { body: { status }, schema: Lead }),
};

/** Every page of a list (the API caps a page at 200), up to `max` items. */
export async function all<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  max = 2000,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await fetchPage(cursor);
    out.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

export const funnels = {
  list: () => request('GET', '/funnels', { schema: page(Funnel) }),
};

/** Live figures of the last 24 hours (`reports:read`: admins and supervisors). */
export const metrics = {
  get: () => request('GET', '/metrics', { schema: Metrics }),
};

/** The signed-in user's own notifications (pushed live as the socket's `notification`). */
export const notifications = {
  list: (query: { unread?: boolean; cursor?: string; limit?: number } = {}) =>
    request('GET', '/notifications', { query, schema: NotificationPage }),
  markRead: (body: { ids: string[] } | { all: true }) =>
    request('POST', '/notifications/read', { body, schema: z.object({ unreadCount: z.number() }) }),
};

export interface ReplyTemplateInput {
  name: string;
  shortcut: string;
  body: string;
  category?: string | null;
  platforms?: string[];
}

export const replyTemplates = {
  list: () => request('GET', '/reply-templates', { query: { limit: 200 }, schema: page(ReplyTemplate) }),
  create: (body: ReplyTemplateInput) => request('POST', '/reply-templates', { body, schema: ReplyTemplate }),
  update: (id: string, body: Partial<ReplyTemplateInput>) =>
    request('PATCH', `/reply-templates/${enc(id)}`, { body, schema: ReplyTemplate }),
  remove: (id: string) => request('DELETE', `/reply-templates/${enc(id)}`),
};

/** The caller's workspace (branding: settings.theme, settings.logoUrl). */
export const workspace = {
  get: () => request('GET', '/workspace', { schema: Workspace }),
  update: (body: { name?: string; settings?: { theme?: string; logoUrl?: string | null } }) =>
    request('PATCH', '/workspace', { body, schema: Workspace }),
};
