import type { Logger } from '@hub/shared/logger';

// The seam between documents the CRM puts into a conversation (a quote PDF, later invoices)
// and the outbound sending pipeline (queue "outbound" → channel adapter → platform), which is
// being built in services/worker alongside this code.
//
// What the CRM guarantees when it calls the hand-off: the message row exists in the
// conversation with direction 'out', type 'document', status 'queued', sender_user_id set, and
// its media stored (media.state 'stored', media.fileId → media_files → MediaStorage key), so the
// sender can read the bytes and upload them to WhatsApp / Messenger / Telegram.
//
// crm.app.ts passes the outbound pipeline's enqueue function; `defaultOutboundHandOff` is only
// the fallback for callers (tests) that mount moneyRoutes without it: the message then stays
// `queued` and this logs that nothing picked it up.

export interface OutboundDocument {
  workspaceId: string;
  conversationId: string;
  messageId: string;
}

export type OutboundHandOff = (m: OutboundDocument) => Promise<void>;

export function defaultOutboundHandOff(logger: Logger): OutboundHandOff {
  return async (m) => {
    logger.info({ ...m }, 'document message queued for sending (outbound pipeline hand-off pending)');
  };
}
