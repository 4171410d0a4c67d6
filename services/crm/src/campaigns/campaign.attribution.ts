import { systemScope } from '@hub/shared/auth';
import type { DbOrTrx } from '@hub/shared/db';
import { writeAudit } from '../audit/audit.repository';
import { findLead, findLeadByConversation, leadRowToRecord, updateLead } from '../leads/lead.repository';
import { findCampaignByAdId, findCampaignByRefCode, setLeadCtwaClid } from './campaign.repository';

// Ad → lead attribution, so a campaign's ROI runs from the ad click to the paid invoice.
//
// What the platforms put on the first inbound message of an ad click (kept by the inbound
// worker as the normalized event's `referral`):
//   WhatsApp click-to-WhatsApp: { source_type: 'ad', source_id: '<ad id>', source_url,
//     headline, ctwa_clid, … } — https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components#referral-object
//   Messenger: { source: 'ADS' | 'SHORTLINK' | …, type: 'OPEN_THREAD', ad_id?, ref? } —
//     https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_referrals
// A campaign claims ad ids (`adIds`) and a tagged-link code (`refCode`); the ad id wins over
// the code. The lead's campaign is set only when it has none (a lead keeps the campaign that
// brought it), and ctwa_clid is stored for reporting the conversion back to Meta.

export interface Attribution {
  campaignId: string | null;
  /** true when this call set the lead's campaign. */
  changed: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The ad id, click id and link code a referral carries (any of them may be missing). */
export function referralKeys(referral: Record<string, unknown> | null | undefined): {
  adId?: string | undefined;
  ctwaClid?: string | undefined;
  ref?: string | undefined;
} {
  if (!referral) return {};
  return {
    adId: str(referral['source_id']) ?? str(referral['ad_id']),
    ctwaClid: str(referral['ctwa_clid']),
    ref: str(referral['ref']),
  };
}

/**
 * For the inbound worker (after the conversation's lead exists) and for intake code: sets the
 * lead's campaign from an ad referral or a tagged-link code. Audited with the system as actor,
 * in the caller's transaction when `db` is one. Idempotent.
 */
export async function attributeLeadToCampaign(
  db: DbOrTrx,
  input: {
    workspaceId: string;
    /** The lead, or the conversation whose lead it is. */
    leadId?: string;
    conversationId?: string;
    referral?: Record<string, unknown> | null;
    /** A tagged-link code seen some other way (Telegram /start payload, utm_campaign). */
    ref?: string | null;
  },
): Promise<Attribution> {
  const keys = referralKeys(input.referral);
  const ref = keys.ref ?? str(input.ref);
  return systemScope(db, input.workspaceId).transaction(async (tx) => {
    const row = input.leadId
      ? await findLead(tx, input.leadId, { kind: 'all' })
      : input.conversationId
        ? await findLeadByConversation(tx, input.conversationId)
        : undefined;
    if (!row) return { campaignId: null, changed: false };
    if (row.campaign_id) {
      if (keys.ctwaClid && !row.ctwa_clid) await setLeadCtwaClid(tx, row.id, keys.ctwaClid);
      return { campaignId: row.campaign_id, changed: false };
    }
    const campaign =
      (keys.adId ? await findCampaignByAdId(tx, keys.adId) : undefined) ??
      (ref ? await findCampaignByRefCode(tx, ref) : undefined);
    if (!campaign) {
      if (keys.ctwaClid && !row.ctwa_clid) await setLeadCtwaClid(tx, row.id, keys.ctwaClid);
      return { campaignId: null, changed: false };
    }
    const full = await findLead(tx, row.id, { kind: 'all' });
    const before = full ? leadRowToRecord(full) : null;
    await updateLead(tx, row.id, { campaign_id: campaign.id }, new Date());
    if (keys.ctwaClid) await setLeadCtwaClid(tx, row.id, keys.ctwaClid);
    const after = await findLead(tx, row.id, { kind: 'all' });
    await writeAudit(tx, {
      table: 'leads',
      recordId: row.id,
      action: 'update',
      before,
      after: after ? { ...leadRowToRecord(after), attributedBy: keys.adId ? { adId: keys.adId } : { ref } } : null,
    });
    return { campaignId: campaign.id, changed: true };
  });
}
