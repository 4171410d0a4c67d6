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

// Every call the app makes, in one place. Routes marked GUESS are not in CONTRACT.md yet: they
// are written to a plain REST guess so aligning them with the server is a one-line change here.
// Callers treat a 404 `route_not_found` (ApiError.notImplemented) as "not available yet".

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

/** `assigneeId=none` (GUESS) asks for unassigned ones; `q` (GUESS) searches name/phone. */
export interface ConversationQuery extends Query {
  status?: ConversationStatus | undefined;
  channelId?: string | undefined;
  assigneeId?: string | undefined;
  q?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
  contactId?: string | undefined;
}

export interface SendBody {
  text?: string;
  /** GUESS: attachments are uploaded first (media.upload) and referenced by id. */
  mediaId?: string;
  type?: string;
  replyToId?: string;
  /** GUESS: a private note, never sent to the platform. */
  private?: boolean;
  /** WhatsApp template (the contract leaves the template form to the implementation). */
  template?: { name: string; language: string; variables: string[] };
}

export const conversations = {
  list: (query: ConversationQuery) => request('GET', '/conversations', { query, schema: page(Conversation) }),
  get: (id: string) => request('GET', `/conversations/${enc(id)}`, { schema: Conversation }),
  messages: (id: string, query: { before?: string | undefined; limit?: number }) =>
    request('GET', `/conversations/${enc(id)}/messages`, { query, schema: page(Message) }),
  send: (id: string, body: SendBody, idempotencyKey: string) =>
    request('POST', `/conversations/${enc(id)}/messages`, {
      body,
      headers: { 'idempotency-key': idempotencyKey },
      schema: z.looseObject({ message: Message }),
    }),
  /** GUESS */
  retry: (id: string, messageId: string) =>
    request('POST', `/conversations/${enc(id)}/messages/${enc(messageId)}/retry`, {
      schema: z.looseObject({ message: Message }),
    }),
  assign: (id: string, assigneeId: string | null) =>
    request('PATCH', `/conversations/${enc(id)}`, { body: { assigneeId }, schema: Conversation }),
  setStatus: (id: string, status: ConversationStatus) =>
    request('PATCH', `/conversations/${enc(id)}`, { body: { status }, schema: Conversation }),
  /** GUESS: `until` ISO time, or null for "until the next customer message". */
  snooze: (id: string, until: string | null) =>
    request('POST', `/conversations/${enc(id)}/snooze`, { body: { until }, schema: Conversation.optional() }),
  markRead: (id: string) => request('POST', `/conversations/${enc(id)}/read`),
};

/** GUESS: multipart upload of one file → an id to send. */
export const media = {
  upload: (file: File) => {
    const form = new FormData();
    form.append('file', file);
    return request('POST', '/media', {
      body: form,
      schema: z.looseObject({ id: z.string(), url: z.string().optional(), mimeType: z.string().optional() }),
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
  /** GUESS: asks the platform who we are with the stored credentials. */
  test: (id: string) =>
    request('POST', `/channels/${enc(id)}/test`, {
      schema: z.looseObject({ ok: z.boolean(), message: z.string().optional() }),
    }),
  /** GUESS: approved WhatsApp templates of this channel. */
  whatsappTemplates: (id: string) =>
    request('GET', `/channels/${enc(id)}/templates`, {
      schema: page(WhatsappTemplate).or(z.array(WhatsappTemplate).transform((items) => ({ items, nextCursor: null }))),
    }),
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

/** GUESS */
export const metrics = {
  get: () => request('GET', '/metrics', { schema: Metrics }),
};

/** GUESS */
export const replyTemplates = {
  list: () => request('GET', '/reply-templates', { query: { limit: 200 }, schema: page(ReplyTemplate) }),
  create: (body: { shortcut: string; body: string; category?: string }) =>
    request('POST', '/reply-templates', { body, schema: ReplyTemplate }),
  update: (id: string, body: { shortcut?: string; body?: string; category?: string }) =>
    request('PATCH', `/reply-templates/${enc(id)}`, { body, schema: ReplyTemplate }),
  remove: (id: string) => request('DELETE', `/reply-templates/${enc(id)}`),
};

/** The caller's workspace (branding: settings.theme, settings.logoUrl). */
export const workspace = {
  get: () => request('GET', '/workspace', { schema: Workspace }),
  update: (body: { name?: string; settings?: { theme?: string; logoUrl?: string | null } }) =>
    request('PATCH', '/workspace', { body, schema: Workspace }),
};
