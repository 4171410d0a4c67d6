import { access, type ApiRouter } from '../http/route';
import { crudRoutes } from '../http/crud';
import { Contact, ContactFilters, ContactLookup, ContactMerge, ContactPatch, NewContact } from './contact.schemas';
import { contactService } from './contact.service';

export function contactRoutes(api: ApiRouter): void {
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
    tags,
    body: ContactMerge,
    response: Contact,
    handler: (c) => contactService.merge(c, c.params.id!, c.body.otherId),
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
