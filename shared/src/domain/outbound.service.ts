import { randomUUID } from 'node:crypto';
import {
  assigneeVisibility,
  canSeeAssigned,
  isAllowed,
  loadAssigneeVisibility,
  scoped,
  visibilitySettingsOf,
  type AuthContext,
  type Role,
} from '../auth';
import type { RealtimeBus } from '../bus';
import type { Db, DbOrTrx } from '../db';
import { AppError, assertNever, notFound } from '../errors';
import { ChannelType } from '../events';
import type { Logger } from '../logger';
import type { Queue } from '../queue/queue.port';
import type { RealtimeBusMessage } from '../realtime/events';
import type { Runtime } from '../runtime';
import type { StoredMedia } from '../db/tables/ingest.tables';
import { findChannelById, type ChannelRow } from './channel.repository';
import { findVisibleConversation, loadConversationView, recordMessageOnConversation } from './conversation.repository';
import { conversationVisibility } from './conversation.visibility';
import { insertMediaFile } from './media.repository';
import {
  conversationRowToConversation,
  messageRowToMessage,
  type ConversationRow,
  type Message,
  type MessageRow,
} from './message.mapper';
import { findMessageById } from './message.repository';
import { businessHoursOf } from './outbound.business-hours';
import { enqueueOutbound, OUTBOUND_QUEUE, OUTBOUND_PRIORITY, type OutboundJob } from './outbound.jobs';
import {
  findChannelTemplatesByName,
  findMediaUpload,
  findMessageByIdempotencyKey,
  findMessageInConversation,
  findUsersByIdsOrEmails,
  findWorkspaceSettings,
  insertOutboundMessage,
  lockConversation,
  resetFailedForRetry,
  type WorkspaceUser,
} from './outbound.repository';
import { recordHumanReply } from './outbound.reporting';
import type { SendMessageBody } from './outbound.schemas';
import { checkCustomerWindow, type SendKind } from './outbound.window';

// An agent's message into a conversation — the one function behind the REST route, the
// socket's message:send and the retry action:
//
// 1. The caller must see the conversation (same visibility rule as every read) → else 404.
// 2. An Idempotency-Key already used in this conversation → that message, nothing new.
// 3. The content is checked (upload, reply target, template) and the platform's window rule
//    applied BEFORE anything is stored: a closed WhatsApp window is a 422 naming templates.
// 4. One transaction: the message row (status queued; private notes: stored, never sent), the
//    conversation's preview and the reporting samples of this human reply.
//    A private note's @mentions are stored there too (one `notifications` row per user).
// 5. After the commit: realtime events, @mention notifications, and the outbound job
//    (jobId per message and send round: a repeated enqueue is a no-op).

export interface OutboundDeps {
  db: Db;
  bus: RealtimeBus;
  outbound: Queue<OutboundJob>;
  clock: () => Date;
  logger: Logger;
}

export function outboundDepsOf(rt: Runtime): OutboundDeps {
  return {
    db: rt.database.db,
    bus: rt.bus,
    outbound: rt.queues.queue<OutboundJob>(OUTBOUND_QUEUE),
    clock: () => rt.clock(),
    logger: rt.logger.child({ module: 'outbound' }),
  };
}

export interface SendResultView {
  message: Message;
  /** false: the Idempotency-Key named an existing message, returned as it is. */
  created: boolean;
}

const invalid = (field: string, message: string) =>
  new AppError('validation_failed', 'validation_failed', `invalid ${field}`, [{ field, message }]);

interface Prepared {
  type: MessageRow['type'];
  text: string | null;
  media: StoredMedia | null;
  upload?: { id: string; storageKey: string; mimeType: string; fileName: string | null; size: number; sha256: string };
  details: Record<string, unknown>;
  replyToProviderMessageId: string | null;
  isPrivate: boolean;
  kind: SendKind;
  mentions: WorkspaceUser[];
}

const MEDIA_MIME: Record<'image' | 'video' | 'audio', RegExp> = {
  image: /^image\//,
  video: /^video\//,
  audio: /^audio\//,
};

const UUID_MENTION = /@([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi;
const EMAIL_MENTION = /(?:^|[\s(])@([^\s@()<>,;:]+@[^\s@()<>,;:]+\.[A-Za-z]{2,})/g;

/** `@<user id>` and `@<email>` in a note → the active users of the workspace they name. */
export async function parseMentions(db: Db, workspaceId: string, text: string): Promise<WorkspaceUser[]> {
  const ids = [...text.matchAll(UUID_MENTION)].map((m) => m[1]!.toLowerCase());
  const emails = [...text.matchAll(EMAIL_MENTION)].map((m) => m[1]!.replace(/[.!?]+$/, '').toLowerCase());
  if (ids.length === 0 && emails.length === 0) return [];
  return findUsersByIdsOrEmails(db, workspaceId, [...new Set(ids)], [...new Set(emails)]);
}

async function prepare(
  db: Db,
  auth: AuthContext,
  conv: ConversationRow,
  channel: ChannelRow,
  body: SendMessageBody,
): Promise<Prepared> {
  let replyToProviderMessageId: string | null = null;
  const details: Record<string, unknown> = { senderUserId: auth.userId };
  if (body.replyToMessageId) {
    const target = await findMessageInConversation(db, conv.id, body.replyToMessageId);
    if (!target) throw invalid('replyToMessageId', 'no message of this conversation has this id');
    if (!target.provider_message_id) {
      throw invalid('replyToMessageId', 'that message has not reached the platform yet, so it cannot be quoted');
    }
    replyToProviderMessageId = target.provider_message_id;
    details['replyToMessageId'] = target.id;
  }
  const base = { replyToProviderMessageId, mentions: [] as WorkspaceUser[] };
  switch (body.type) {
    case undefined:
    case 'text': {
      if (body.private) {
        const mentions = await parseMentions(db, auth.workspaceId, body.text);
        return {
          ...base,
          type: 'text',
          text: body.text,
          media: null,
          details: { ...details, private: true, mentions: mentions.map((u) => u.id) },
          isPrivate: true,
          kind: 'free',
          mentions,
        };
      }
      return { ...base, type: 'text', text: body.text, media: null, details, isPrivate: false, kind: 'free' };
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'document': {
      let upload: Prepared['upload'];
      if (body.mediaId) {
        const row = await findMediaUpload(db, auth.workspaceId, body.mediaId);
        if (!row) throw invalid('mediaId', 'no upload of this workspace has this id (POST /api/v1/media first)');
        if (body.type !== 'document' && !MEDIA_MIME[body.type].test(row.mime_type)) {
          throw invalid('type', `the upload is ${row.mime_type}, not ${body.type}`);
        }
        upload = {
          id: randomUUID(),
          storageKey: row.storage_key,
          mimeType: row.mime_type,
          fileName: body.fileName ?? row.file_name,
          size: Number(row.size_bytes),
          sha256: row.sha256,
        };
      }
      const fileName = body.fileName ?? upload?.fileName ?? undefined;
      const media: StoredMedia = {
        providerMediaId: null,
        sourceUrl: body.url ?? null,
        mimeType: upload?.mimeType ?? null,
        ...(fileName ? { fileName } : {}),
        ...(body.caption ? { caption: body.caption } : {}),
        ...(upload ? { sha256: upload.sha256, fileSize: upload.size, fileId: upload.id } : {}),
        // A URL the platform fetches is not ours to store: shown as details.mediaUrl.
        state: upload ? 'stored' : 'none',
      };
      return {
        ...base,
        type: body.type,
        text: null,
        media,
        ...(upload ? { upload } : {}),
        details: { ...details, ...(body.url ? { mediaUrl: body.url } : {}) },
        isPrivate: false,
        kind: 'free',
      };
    }
    case 'template': {
      const t = body.template;
      // Admins record approved templates per channel (GET/POST /channels/:id/templates); when
      // this one is recorded, its variables are counted and its text is shown in the inbox.
      // An unrecorded name is sent as given and the platform judges it (132001 if unknown).
      const stored = (await findChannelTemplatesByName(db, channel.id, t.name)).find((r) => r.language === t.language);
      if (stored && stored.variable_count !== t.variables.length) {
        throw invalid(
          'template.variables',
          `template ${t.name} (${t.language}) takes ${stored.variable_count} variables, got ${t.variables.length}`,
        );
      }
      const text = stored
        ? stored.body.replace(/\{\{(\d+)\}\}/g, (m, n: string) => t.variables[Number(n) - 1] ?? m)
        : null;
      return {
        ...base,
        type: 'template',
        text,
        media: null,
        details: { ...details, template: { name: t.name, language: t.language, variables: t.variables } },
        isPrivate: false,
        kind: 'template',
      };
    }
    default:
      return assertNever(body);
  }
}

/** The REST routes check the matrix too; the socket has no route, so the service does it as well. */
function assertMaySend(auth: AuthContext): void {
  if (!isAllowed(auth.role, 'messages', 'create')) {
    throw new AppError('forbidden', 'forbidden', 'your role may not send messages');
  }
}

async function visibleConversation(db: Db, auth: AuthContext, id: string): Promise<ConversationRow> {
  const visible = conversationVisibility(auth, await loadAssigneeVisibility(db, auth));
  const conv = await findVisibleConversation(db, visible, id);
  if (!conv) throw notFound('conversation');
  return conv;
}

async function liveChannel(db: Db, conv: ConversationRow): Promise<ChannelRow & { type: ChannelType }> {
  const channel = await findChannelById(db, conv.channel_id);
  if (!channel) {
    throw new AppError('unprocessable', 'channel_unavailable', "the conversation's channel has been disconnected");
  }
  return { ...channel, type: ChannelType.parse(channel.type) };
}

export async function sendAgentMessage(
  deps: OutboundDeps,
  auth: AuthContext,
  conversationId: string,
  body: SendMessageBody,
  opts: {
    idempotencyKey?: string | undefined;
    /**
     * Who writes: an agent (default), or automation sending on its behalf — a bot or a
     * template campaign. Only an agent's message is a human reply for the metrics.
     */
    origin?: 'agent' | 'bot' | 'campaign';
  } = {},
): Promise<SendResultView> {
  const { db } = deps;
  assertMaySend(auth);
  const conv = await visibleConversation(db, auth, conversationId);
  const key = opts.idempotencyKey;
  if (key) {
    const existing = await findMessageByIdempotencyKey(db, conv.id, key);
    if (existing) return { message: await resume(deps, existing), created: false };
  }
  const channel = await liveChannel(db, conv);
  const now = deps.clock();
  const p = await prepare(db, auth, conv, channel, body);
  const origin = opts.origin ?? 'agent';
  if (origin !== 'agent') p.details['origin'] = origin;
  if (!p.isPrivate) checkCustomerWindow(channel.type, p.kind, conv.last_inbound_at, now);
  const settings = await findWorkspaceSettings(db, auth.workspaceId);
  const hours = businessHoursOf(settings);
  const messageId = randomUUID();
  let mentions: StoredMention[] = [];

  const row = await db.transaction().execute(async (trx) => {
    const locked = await lockConversation(trx, conv.id);
    if (!locked) throw notFound('conversation');
    const inserted = await insertOutboundMessage(trx, {
      id: messageId,
      workspace_id: auth.workspaceId,
      conversation_id: conv.id,
      channel_id: conv.channel_id,
      direction: 'out',
      type: p.type,
      text: p.text,
      media: p.media ? JSON.stringify(p.media) : null,
      status: p.isPrivate ? 'sent' : 'queued',
      provider_message_id: null,
      error: null,
      details: JSON.stringify(p.details),
      reply_to_provider_message_id: p.replyToProviderMessageId,
      sender_user_id: auth.userId,
      sent_at: now,
      idempotency_key: key ?? null,
      private: p.isPrivate,
      status_history: JSON.stringify([{ status: p.isPrivate ? 'sent' : 'queued', at: now.toISOString() }]),
    });
    // The key was taken by a concurrent request with the same key: that one wins.
    if (!inserted) return undefined;
    if (p.upload) {
      await insertMediaFile(trx, {
        id: p.upload.id,
        workspaceId: auth.workspaceId,
        messageId,
        storageKey: p.upload.storageKey,
        mimeType: p.upload.mimeType,
        fileName: p.upload.fileName,
        sizeBytes: p.upload.size,
        sha256: p.upload.sha256,
      });
    }
    if (!p.isPrivate) {
      await recordMessageOnConversation(trx, conv.id, {
        messageId,
        sentAt: now,
        direction: 'out',
        countsAsUnread: false,
        becomesLastMessage: true,
      });
      if (origin === 'agent') {
        await recordHumanReply(trx, locked, { messageId, agentId: auth.userId, at: now }, hours);
      }
    } else {
      // Stored with the note: a mentioned user who is offline now finds it later.
      mentions = await storeMentions(trx, auth, locked, inserted, p.mentions, settings, now);
    }
    return inserted;
  });
  if (!row) {
    const winner = await findMessageByIdempotencyKey(db, conv.id, key!);
    if (!winner) throw new Error('idempotency key conflict without a row');
    return { message: await resume(deps, winner), created: false };
  }

  const message = messageRowToMessage(row);
  await publishAfterSend(deps, auth.workspaceId, conv.id, message, !p.isPrivate);
  if (p.isPrivate) {
    await notifyMentions(deps, auth, conv, row, mentions);
  } else {
    await enqueueSafely(deps, row, channel);
  }
  return { message, created: true };
}

/** A repeated request: the message as it is; a send still queued is put on the queue again (no-op if there). */
async function resume(deps: OutboundDeps, row: MessageRow): Promise<Message> {
  if (row.status === 'queued' && !row.private && row.direction === 'out') {
    const channel = await findChannelById(deps.db, row.channel_id);
    if (channel) await enqueueSafely(deps, row, { ...channel, type: ChannelType.parse(channel.type) });
  }
  return messageRowToMessage(row);
}

async function enqueueSafely(
  deps: OutboundDeps,
  row: MessageRow,
  channel: ChannelRow & { type: ChannelType },
  priority: number = OUTBOUND_PRIORITY.live,
): Promise<void> {
  try {
    await enqueueOutbound(
      deps.outbound,
      {
        messageId: row.id,
        conversationId: row.conversation_id,
        retryRound: row.retry_round,
        channel: { id: channel.id, type: channel.type, settings: channel.settings },
      },
      { priority },
    );
  } catch (err) {
    // The row is committed as queued: the worker's sweep finds it and enqueues it again.
    deps.logger.warn({ err, messageId: row.id }, 'outbound enqueue failed; the queued-message sweep will retry');
  }
}

async function publishAfterSend(
  deps: OutboundDeps,
  workspaceId: string,
  conversationId: string,
  message: Message,
  conversationChanged: boolean,
): Promise<void> {
  try {
    const view = await loadConversationView(deps.db, conversationId);
    const assigneeId = view?.assignee_id ?? null;
    const events: RealtimeBusMessage[] = [
      { type: 'message:created', workspaceId, payload: { conversationId, message }, meta: { assigneeId } },
    ];
    if (conversationChanged && view) {
      events.push({
        type: 'conversation:updated',
        workspaceId,
        payload: { conversation: conversationRowToConversation(view) },
      });
    }
    for (const e of events) await deps.bus.publish(e);
  } catch (err) {
    // Committed; a missed live update is repaired by the next fetch.
    deps.logger.warn({ err }, 'realtime publish failed');
  }
}

interface StoredMention {
  id: string;
  userId: string;
}

/**
 * One `notifications` row per mentioned user who may see the conversation (not the author),
 * inside the note's transaction: a notification is never published without being stored.
 */
async function storeMentions(
  trx: DbOrTrx,
  auth: AuthContext,
  conv: ConversationRow,
  note: MessageRow,
  mentioned: WorkspaceUser[],
  settings: Record<string, unknown>,
  now: Date,
): Promise<StoredMention[]> {
  const vis = visibilitySettingsOf(settings);
  const targets = mentioned.filter(
    (user) =>
      user.id !== auth.userId &&
      canSeeAssigned(assigneeVisibility({ userId: user.id, role: user.role as Role }, vis), conv.assignee_id),
  );
  if (targets.length === 0) return [];
  // Through the caller's workspace scope (its insert sets workspace_id; the table is tenant data).
  const rows = await scoped(trx, auth)
    .insertInto(
      'notifications',
      targets.map((user) => ({
        user_id: user.id,
        kind: 'mention',
        conversation_id: conv.id,
        message_id: note.id,
        by_user_id: auth.userId,
        text: mentionExcerpt(note),
        created_at: now,
      })),
    )
    .returning(['id', 'user_id'])
    .execute();
  return rows.map((r) => ({ id: r.id, userId: r.user_id }));
}

const mentionExcerpt = (note: MessageRow) => (note.text ?? '').slice(0, 280);

/** After the commit: `notification` bus events (the gateway sends them to `user:<id>`), one per stored row. */
async function notifyMentions(
  deps: OutboundDeps,
  auth: AuthContext,
  conv: ConversationRow,
  note: MessageRow,
  stored: StoredMention[],
): Promise<void> {
  for (const n of stored) {
    try {
      await deps.bus.publish({
        type: 'notification',
        workspaceId: auth.workspaceId,
        payload: {
          id: n.id,
          userId: n.userId,
          kind: 'mention',
          conversationId: conv.id,
          messageId: note.id,
          byUserId: auth.userId,
          text: mentionExcerpt(note),
          at: note.sent_at.toISOString(),
        },
      });
    } catch (err) {
      // Stored: the user finds it in GET /notifications.
      deps.logger.warn({ err }, 'mention notification publish failed');
    }
  }
}

/** POST /messages/:id/retry — only a failed message of a conversation the caller sees. */
export async function retryFailedMessage(deps: OutboundDeps, auth: AuthContext, messageId: string): Promise<Message> {
  const { db } = deps;
  assertMaySend(auth);
  const found = await findMessageById(db, messageId);
  if (!found || found.workspace_id !== auth.workspaceId) throw notFound('message');
  const conv = await visibleConversation(db, auth, found.conversation_id).catch(() => {
    throw notFound('message');
  });
  if (found.direction !== 'out' || found.private) {
    throw new AppError('conflict', 'message_not_retryable', 'only messages the hub sends can be retried');
  }
  if (found.status !== 'failed') {
    throw new AppError(
      'conflict',
      'message_not_failed',
      `only failed messages can be retried (this one is ${found.status})`,
      [{ field: 'status', message: found.status }],
    );
  }
  const channel = await liveChannel(db, conv);
  checkCustomerWindow(
    channel.type,
    found.type === 'template' ? 'template' : 'free',
    conv.last_inbound_at,
    deps.clock(),
  );
  const row = await db.transaction().execute((trx) => resetFailedForRetry(trx, found.id, deps.clock()));
  if (!row) throw new AppError('conflict', 'message_not_failed', 'the message is no longer failed');
  const message = messageRowToMessage(row);
  try {
    const event: RealtimeBusMessage = {
      type: 'message:updated',
      workspaceId: auth.workspaceId,
      payload: { conversationId: conv.id, message },
      meta: { assigneeId: conv.assignee_id },
    };
    await deps.bus.publish(event);
  } catch (err) {
    deps.logger.warn({ err }, 'realtime publish failed');
  }
  await enqueueSafely(deps, row, channel);
  return message;
}

/**
 * The quote/document hand-off (services/crm quotes/outbound.handoff.ts): a message the CRM
 * stored as queued with its media goes on the outbound queue like any agent send.
 */
export function outboundHandOff(deps: OutboundDeps) {
  return async (m: { workspaceId: string; conversationId: string; messageId: string }): Promise<void> => {
    const row = await findMessageById(deps.db, m.messageId);
    if (!row || row.workspace_id !== m.workspaceId || row.status !== 'queued') return;
    const channel = await findChannelById(deps.db, row.channel_id);
    if (!channel) return;
    await enqueueSafely(deps, row, { ...channel, type: ChannelType.parse(channel.type) });
  };
}
