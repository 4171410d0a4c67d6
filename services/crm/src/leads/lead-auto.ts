import { systemScope } from '@hub/shared/auth';
import type { DbOrTrx } from '@hub/shared/db';
import { writeAudit } from '../audit/audit.repository';
import { defaultFunnelStage } from '../funnels/funnel.repository';
import { settingsOf } from '../workspaces/workspace.settings';
import { enterStage, findLead, insertLeadForConversation, leadRowToRecord, type LeadRecord } from './lead.repository';
import { leadSources, type LeadSource } from './lead.schemas';

export interface NewConversationLead {
  workspaceId: string;
  conversationId: string;
  contactId: string;
  /** The channel's type ('whatsapp', 'messenger', 'telegram', …): becomes the lead's source. */
  channelType: string;
  assigneeId?: string | null;
  now?: Date;
}

/**
 * For the inbound worker, inside the transaction that creates a conversation: when the
 * workspace's `autoCreateLead` setting is on, the conversation gets a lead (source = channel,
 * status new, first stage of the Sales funnel, audited with the system as actor). Idempotent:
 * a conversation never gets a second lead (unique index), so a retried job is harmless.
 * Returns the new lead, or null when the setting is off or the conversation already has one.
 */
export async function createLeadForNewConversation(
  trx: DbOrTrx,
  input: NewConversationLead,
): Promise<LeadRecord | null> {
  const now = input.now ?? new Date();
  return systemScope(trx, input.workspaceId).transaction(async (tx) => {
    if (!settingsOf((await tx.workspace()).settings).autoCreateLead) return null;
    const source: LeadSource = (leadSources as readonly string[]).includes(input.channelType)
      ? (input.channelType as LeadSource)
      : 'api';
    const start = await defaultFunnelStage(tx, 'sales');
    const row = await insertLeadForConversation(tx, {
      contact_id: input.contactId,
      conversation_id: input.conversationId,
      source,
      assignee_id: input.assigneeId ?? null,
      ...(start ? { funnel_id: start.funnelId, stage_id: start.stageId, stage_entered_at: now } : {}),
    });
    if (!row) return null;
    if (start) await enterStage(tx, { id: row.id, stage_id: null }, start, now);
    const rec = leadRowToRecord((await findLead(tx, row.id, { kind: 'all' }))!);
    await writeAudit(tx, { table: 'leads', recordId: row.id, action: 'create', after: rec });
    return rec;
  });
}
