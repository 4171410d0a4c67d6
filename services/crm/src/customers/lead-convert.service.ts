import { notFound } from '@hub/shared/errors';
import { writeAudit } from '../audit/audit.repository';
import {
  contactRowToRecord,
  findContact,
  identitiesOf,
  updateContact,
  type ContactRecord,
} from '../contacts/contact.repository';
import type { CrudContext } from '../http/crud';
import { findLead, leadRowToRecord, updateLead, type LeadRecord } from '../leads/lead.repository';
import { callerVisibility } from '../money/caller-visibility';
import { addContactNote } from './contact-note.repository';

/**
 * POST /leads/:id/convert — a lead becomes a customer in one action: the lead is won and its
 * contact becomes `active`, in one transaction, each change audited, plus a note on the
 * contact's record. Converting again changes nothing (and writes nothing).
 */
export async function convertLead(
  ctx: CrudContext,
  leadId: string,
  body: { note?: string | undefined },
): Promise<{ lead: LeadRecord; contact: ContactRecord }> {
  const vis = await callerVisibility(ctx);
  return ctx.scope.transaction(async (tx) => {
    const leadRow = await findLead(tx, leadId, vis);
    if (!leadRow) throw notFound('lead');
    const contactRow = await findContact(tx, leadRow.contact_id);
    if (!contactRow) throw notFound('contact');
    const leadBefore = leadRowToRecord(leadRow);
    const identities = await identitiesOf(tx, [contactRow.id]);
    const contactBefore = contactRowToRecord(contactRow, identities);
    let changed = false;
    if (leadBefore.status !== 'won') {
      await updateLead(tx, leadId, { status: 'won' }, ctx.now);
      const after = leadRowToRecord((await findLead(tx, leadId, { kind: 'all' }))!);
      await writeAudit(tx, { table: 'leads', recordId: leadId, action: 'update', before: leadBefore, after });
      changed = true;
    }
    if (contactBefore.status !== 'active') {
      const row = (await updateContact(tx, contactRow.id, { status: 'active' }, ctx.now))!;
      await writeAudit(tx, {
        table: 'contacts',
        recordId: contactRow.id,
        action: 'update',
        before: contactBefore,
        after: contactRowToRecord(row, identities),
      });
      changed = true;
    }
    if (changed) {
      await addContactNote(tx, {
        contactId: contactRow.id,
        kind: 'conversion',
        body: `Became a customer: lead won${body.note ? ` — ${body.note}` : ''}.`,
        recordTable: 'leads',
        recordId: leadId,
        at: ctx.now,
      });
    }
    const lead = leadRowToRecord((await findLead(tx, leadId, { kind: 'all' }))!);
    const contact = contactRowToRecord((await findContact(tx, contactRow.id))!, identities);
    return { lead, contact };
  });
}
