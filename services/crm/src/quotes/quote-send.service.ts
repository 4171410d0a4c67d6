import { createHash, randomUUID } from 'node:crypto';
import { scoped, type WorkspaceScope } from '@hub/shared/auth';
import type { Db } from '@hub/shared/db';
import {
  conversationEvent,
  conversationRowToConversation,
  insertMediaFile,
  insertMessage,
  loadConversationView,
  messageEvent,
  messageRowToMessage,
  publishAll,
  recordMessageOnConversation,
  type Message,
  type StoredMedia,
} from '@hub/shared/domain';
import type { RealtimeBus } from '@hub/shared/bus';
import type { Logger } from '@hub/shared/logger';
import type { MediaStorage } from '@hub/shared/storage';
import { writeAudit } from '../audit/audit.repository';
import { findContact } from '../contacts/contact.repository';
import type { CrudContext } from '../http/crud';
import { findLead } from '../leads/lead.repository';
import { invalidField, stateConflict } from '../money/money.errors';
import { renderQuotePdf } from '../pdf/quote.pdf';
import type { OutboundHandOff } from './outbound.handoff';
import { findConversation, latestConversationOfContact, type QuoteRecord } from './quote.repository';
import { changeQuoteStatus, quoteRecord } from './quote.service';

export interface QuoteDocumentDeps {
  db: Db;
  storage: MediaStorage;
  bus: RealtimeBus;
  logger: Logger;
  handOff: OutboundHandOff;
}

/** The quote's PDF with the workspace as seller and the contact as customer. */
export async function quotePdf(scope: WorkspaceScope, quote: QuoteRecord, now: Date): Promise<Buffer> {
  const [ws, contact] = await Promise.all([scope.workspace(), findContact(scope, quote.contactId)]);
  return renderQuotePdf({
    seller: ws.name,
    quote,
    customer: {
      name: contact?.name ?? quote.contact.name,
      phone: contact?.phone ?? null,
      email: contact?.email ?? null,
      address: contact?.address ?? null,
    },
    now,
  });
}

/** Where the quote goes: the conversation named, else the lead's, else the customer's latest. */
async function targetConversation(scope: WorkspaceScope, quote: QuoteRecord, conversationId: string | undefined) {
  if (conversationId) {
    const conv = await findConversation(scope, conversationId);
    if (!conv) throw invalidField('conversationId', 'no such conversation');
    if (conv.contact_id !== quote.contactId)
      throw invalidField('conversationId', "is not a conversation of the quote's customer");
    return conv;
  }
  if (quote.leadId) {
    const lead = await findLead(scope, quote.leadId, { kind: 'all' });
    const conv = lead?.conversation_id ? await findConversation(scope, lead.conversation_id) : undefined;
    if (conv) return conv;
  }
  const latest = await latestConversationOfContact(scope, quote.contactId);
  if (!latest) {
    throw stateConflict('no_conversation', 'the customer has no conversation to send the quote to', 'conversationId');
  }
  return latest;
}

/**
 * POST /quotes/:id/send-to-conversation: renders the PDF, stores it as media, and adds an
 * outbound `document` message (status queued) to the customer's conversation in one
 * transaction with the quote's draft → sent change; after the commit, realtime events go out
 * and the message is handed to the outbound pipeline (outbound.handoff.ts).
 * A sent or accepted quote can be sent again (a copy); a rejected or expired one cannot.
 */
export async function sendQuoteToConversation(
  deps: QuoteDocumentDeps,
  ctx: CrudContext,
  quoteId: string,
  body: { conversationId?: string | undefined; caption?: string | undefined },
): Promise<{ message: Message; quote: QuoteRecord }> {
  const quote = await quoteRecord(ctx.scope, quoteId);
  if (quote.status === 'rejected' || quote.status === 'expired') {
    throw stateConflict(
      'quote_not_sendable',
      `a ${quote.status} quote cannot be sent; revise it into a draft first`,
      'status',
    );
  }
  const conv = await targetConversation(ctx.scope, quote, body.conversationId);
  // Render as it will read once sent.
  const bytes = await quotePdf(
    ctx.scope,
    { ...quote, status: quote.status === 'draft' ? 'sent' : quote.status },
    ctx.now,
  );
  const fileId = randomUUID();
  const messageId = randomUUID();
  const fileName = `${quote.reference}.pdf`;
  const storageKey = `${ctx.auth.workspaceId}/documents/${fileId}.pdf`;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // Stored before the transaction: a failed commit leaves an unreferenced file, never a
  // message pointing at nothing.
  await deps.storage.put(storageKey, bytes);

  const media: StoredMedia = {
    providerMediaId: null,
    sourceUrl: null,
    mimeType: 'application/pdf',
    fileName,
    ...(body.caption ? { caption: body.caption } : {}),
    sha256,
    fileSize: bytes.length,
    fileId,
    state: 'stored',
  };
  const { message, after } = await deps.db.transaction().execute(async (trx) => {
    const tx = scoped(trx, ctx.auth);
    const after =
      quote.status === 'draft' ? await changeQuoteStatus(tx, quoteId, 'sent', ctx.now) : await quoteRecord(tx, quoteId);
    const message = await insertMessage(trx, {
      id: messageId,
      workspace_id: ctx.auth.workspaceId,
      conversation_id: conv.id,
      channel_id: conv.channel_id,
      direction: 'out',
      type: 'document',
      text: null,
      media: JSON.stringify(media),
      status: 'queued',
      provider_message_id: null,
      error: null,
      details: JSON.stringify({ document: { kind: 'quote', quoteId, reference: quote.reference } }),
      sender_user_id: ctx.auth.userId,
      sent_at: ctx.now,
      status_history: JSON.stringify([{ status: 'queued', at: ctx.now.toISOString() }]),
    });
    await insertMediaFile(trx, {
      id: fileId,
      workspaceId: ctx.auth.workspaceId,
      messageId,
      storageKey,
      mimeType: 'application/pdf',
      fileName,
      sizeBytes: bytes.length,
      sha256,
    });
    await recordMessageOnConversation(trx, conv.id, {
      messageId,
      sentAt: ctx.now,
      direction: 'out',
      countsAsUnread: false,
      becomesLastMessage: true,
    });
    await writeAudit(tx, {
      table: 'quotes',
      recordId: quoteId,
      action: 'send',
      after: { conversationId: conv.id, messageId, fileName, sha256 },
    });
    return { message, after };
  });

  const view = messageRowToMessage(message);
  try {
    const convView = await loadConversationView(deps.db, conv.id);
    await publishAll(deps.bus, [
      messageEvent('message:created', ctx.auth.workspaceId, view),
      ...(convView
        ? [conversationEvent('conversation:updated', ctx.auth.workspaceId, conversationRowToConversation(convView))]
        : []),
    ]);
  } catch (err) {
    deps.logger.warn({ err, messageId }, 'realtime publish of a quote message failed');
  }
  await deps.handOff({ workspaceId: ctx.auth.workspaceId, conversationId: conv.id, messageId });
  return { message: view, quote: after };
}
