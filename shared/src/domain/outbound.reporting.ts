import type { DbOrTrx } from '../db';
import { businessSeconds, type BusinessHours } from './outbound.business-hours';
import { insertReportingEvent, updateLiveConversation } from './outbound.repository';
import type { ConversationRow } from './message.mapper';

// Response-time reporting, recorded when it happens (one `reporting_events` row per sample, so
// every figure can be explained sample by sample). Each conversation runs in cycles:
//
//   cycle start   the first customer message, a reopen (resolved → open by the customer or an
//                 agent), or a bot hand-off (POST /conversations/:id/handoff) — the latest wins
//   first_response  first human reply of the cycle − cycle start, credited to the replier
//   reply           one sample per customer turn: the next human reply − the first customer
//                   message not answered yet (awaiting_since), credited to the replier
//   resolution      resolved − cycle start, credited to the assignee at that moment
//
// A "human reply" is a message an agent sent from the inbox: not a private note, not a bot or
// campaign message, not a Messenger echo of something the page sent elsewhere (no agent to
// credit). The first reply of a cycle gives both a first_response and a reply sample.
// Every sample also gets its business-hours value when the workspace has business hours.

export type ReportingKind = 'first_response' | 'reply' | 'resolution';

const seconds = (from: Date, to: Date) => Math.max(0, (to.getTime() - from.getTime()) / 1000);

export interface HumanReply {
  messageId: string;
  agentId: string;
  at: Date;
}

/**
 * An agent replied (in the transaction that stores the reply, on the locked conversation row):
 * the first response of the cycle and the sample of the customer's turn, if they are due.
 */
export async function recordHumanReply(
  trx: DbOrTrx,
  conv: ConversationRow,
  reply: HumanReply,
  hours: BusinessHours | undefined,
): Promise<ReportingKind[]> {
  const recorded: ReportingKind[] = [];
  const base = {
    workspace_id: conv.workspace_id,
    conversation_id: conv.id,
    channel_id: conv.channel_id,
    agent_id: reply.agentId,
    message_id: reply.messageId,
    at: reply.at,
  };
  const firstResponseDue = conv.first_reply_at === null && conv.cycle_started_at !== null;
  if (firstResponseDue) {
    const from = conv.cycle_started_at!;
    await insertReportingEvent(trx, {
      ...base,
      kind: 'first_response',
      value_seconds: seconds(from, reply.at),
      value_business_seconds: businessSeconds(hours, from, reply.at),
      started_at: from,
    });
    recorded.push('first_response');
  }
  if (conv.awaiting_since !== null) {
    const from = conv.awaiting_since;
    await insertReportingEvent(trx, {
      ...base,
      kind: 'reply',
      value_seconds: seconds(from, reply.at),
      value_business_seconds: businessSeconds(hours, from, reply.at),
      started_at: from,
    });
    recorded.push('reply');
  }
  if (recorded.length > 0) {
    await updateLiveConversation(
      trx,
      conv.id,
      { ...(firstResponseDue ? { first_reply_at: reply.at } : {}), awaiting_since: null },
      reply.at,
    );
  }
  return recorded;
}

/** The conversation was resolved: one resolution sample per cycle, credited to the assignee. */
export async function recordResolution(
  trx: DbOrTrx,
  conv: ConversationRow,
  at: Date,
  hours: BusinessHours | undefined,
): Promise<boolean> {
  if (conv.resolved_at !== null) return false;
  const from = conv.cycle_started_at;
  if (from !== null) {
    await insertReportingEvent(trx, {
      workspace_id: conv.workspace_id,
      conversation_id: conv.id,
      channel_id: conv.channel_id,
      kind: 'resolution',
      agent_id: conv.assignee_id,
      message_id: null,
      value_seconds: seconds(from, at),
      value_business_seconds: businessSeconds(hours, from, at),
      started_at: from,
      at,
    });
  }
  // Nothing waits any more; the customer's next message starts a new cycle.
  await updateLiveConversation(trx, conv.id, { resolved_at: at, awaiting_since: null }, at);
  return from !== null;
}

/** A reopen by an agent, or a bot handing over to humans: the first-response clock restarts. */
export async function startNewCycle(trx: DbOrTrx, conversationId: string, at: Date): Promise<void> {
  await updateLiveConversation(
    trx,
    conversationId,
    { cycle_started_at: at, first_reply_at: null, resolved_at: null },
    at,
  );
}
