import { z } from 'zod';
import { access, type ApiRouter } from '../http/route';
import { PageQuery, pageSchema } from '../http/paging';
import { Contact } from '../contacts/contact.schemas';
import { Lead } from '../leads/lead.schemas';
import { ContactNote, contactNoteKinds, listContactNotes } from './contact-note.repository';
import { convertLead } from './lead-convert.service';

/** Lead → customer conversion, and the notes on a customer's record. */
export function customerRoutes(api: ApiRouter): void {
  api.route({
    method: 'post',
    path: '/leads/:id/convert',
    access: access.can('leads', 'update'),
    summary: 'Convert a lead into a customer (lead won, contact active) in one action',
    description:
      'Sets the lead’s status to won and its contact’s status to active in one transaction, audits both and ' +
      'adds a note to the contact. Idempotent.',
    tags: ['Leads'],
    body: z
      .object({ note: z.string().trim().max(1000).optional() })
      .strict()
      .meta({ id: 'LeadConvert' }),
    response: z.object({ lead: Lead, contact: Contact }).meta({ id: 'LeadConverted' }),
    handler: (c) => convertLead(c, c.params.id!, c.body),
  });
  api.route({
    method: 'get',
    path: '/contact-notes',
    access: access.can('contacts', 'read'),
    summary: 'Notes on a customer’s record, newest first (contract events, conversions)',
    tags: ['Contacts'],
    query: z
      .object({
        contactId: z.uuid(),
        kind: z.enum(contactNoteKinds).optional(),
        recordId: z.uuid().optional().meta({ description: 'Only the notes about this record (e.g. a contract id)' }),
      })
      .extend(PageQuery.shape),
    response: pageSchema(ContactNote, 'ContactNotePage'),
    handler: (c) => listContactNotes(c.scope, c.query),
  });
}
