import type { Runtime } from '@hub/shared/runtime';
import { access, type ApiRouter } from '../http/route';
import { crudRoutes } from '../http/crud';
import { Contact, ContactFilters, ContactLookup, ContactMerge, ContactPatch, NewContact } from './contact.schemas';
import { contactService, type MergeLive } from './contact.service';

/** With `rt`, a merge tells the inboxes about the conversations it moved or folded. */
export function contactRoutes(api: ApiRouter, rt?: Pick<Runtime, 'database' | 'bus' | 'logger'>): void {
  const live: MergeLive | undefined = rt
    ? { db: rt.database.db, bus: rt.bus, logger: rt.logger.child({ module: 'contacts' }) }
    : undefined;
  const tags = ['Contacts'];
  // Before the CRUD routes: /contacts/lookup is not an :id.
  api.route({
    method: 'get',
    path: '/contacts/lookup',
    access: access.can('contacts', 'read'),
    summary: 'Find the contact with a phone number (any format)',
    tags,
    query: ContactLookup,
    response: Contact,
    errors: {},
    handler: (c) => contactService.lookup(c, c.query.phone),
  });
  api.route({
    method: 'post',
    path: '/contacts/:id/merge',
    access: access.can('contacts', 'update'),
    summary: 'Merge another contact into this one (identities, conversations and leads move; the other is deleted)',
    description:
      'Conversations are one per channel × contact: where both contacts have one on the same channel, the other one is folded into the kept one (its messages, lead and reporting samples move; counts and last message are recomputed) and removed.',
    tags,
    body: ContactMerge,
    response: Contact,
    handler: (c) => contactService.merge(c, c.params.id!, c.body.otherId, live),
  });
  crudRoutes(api, {
    path: '/contacts',
    resource: 'contacts',
    tag: 'Contacts',
    noun: 'contact',
    record: Contact,
    create: NewContact,
    update: ContactPatch,
    filters: ContactFilters,
    softDelete: true,
    conflicts: 'Another contact of the workspace has this phone (contact_phone_taken; details name `phone`).',
    service: contactService,
  });
}
