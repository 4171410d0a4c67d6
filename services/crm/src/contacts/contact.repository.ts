import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { ContactIdentitiesTable, ContactsTable } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';
import { escapeLike } from '../users/user.repository';
import type { Contact, ContactCategory, ContactKind, ContactStatus } from './contact.schemas';

export type ContactRow = Selectable<ContactsTable>;
type IdentityRow = Pick<Selectable<ContactIdentitiesTable>, 'contact_id' | 'kind' | 'value'>;

export type ContactRecord = z.output<typeof Contact>;

export function contactRowToRecord(row: ContactRow, identities: IdentityRow[]): ContactRecord {
  return {
    id: row.id,
    name: row.name,
    phone: row.phone,
    email: row.email,
    kind: row.kind as z.output<typeof ContactKind>,
    category: row.category as z.output<typeof ContactCategory> | null,
    status: row.status as z.output<typeof ContactStatus>,
    country: row.country,
    address: row.address,
    tags: row.tags,
    notes: row.notes,
    identities: identities.filter((i) => i.contact_id === row.id).map((i) => ({ kind: i.kind, value: i.value })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type ContactValues = Partial<
  Pick<
    ContactRow,
    'name' | 'phone' | 'email' | 'kind' | 'category' | 'status' | 'country' | 'address' | 'tags' | 'notes'
  >
>;

export function findContact(scope: WorkspaceScope, id: string): Promise<ContactRow | undefined> {
  return scope
    .selectFrom('contacts')
    .selectAll()
    .where('contacts.id', '=', id)
    .where('contacts.deleted_at', 'is', null)
    .executeTakeFirst();
}

export function findContactByPhone(scope: WorkspaceScope, phone: string): Promise<ContactRow | undefined> {
  return scope
    .selectFrom('contacts')
    .selectAll()
    .where('contacts.phone', '=', phone)
    .where('contacts.deleted_at', 'is', null)
    .executeTakeFirst();
}

export function identitiesOf(scope: WorkspaceScope, contactIds: string[]): Promise<IdentityRow[]> {
  if (contactIds.length === 0) return Promise.resolve([]);
  return scope
    .selectFrom('contact_identities')
    .select(['contact_identities.contact_id', 'contact_identities.kind', 'contact_identities.value'])
    .where('contact_identities.contact_id', 'in', contactIds)
    .orderBy('contact_identities.created_at')
    .execute();
}

export function insertContact(scope: WorkspaceScope, values: ContactValues & { name: string }): Promise<ContactRow> {
  return scope.insertInto('contacts', values).returningAll().executeTakeFirstOrThrow();
}

export function updateContact(
  scope: WorkspaceScope,
  id: string,
  values: ContactValues & { deleted_at?: Date },
  now: Date,
) {
  return scope
    .updateTable('contacts')
    .set({ ...values, updated_at: now })
    .where('contacts.id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export interface ContactFilters {
  status?: string | undefined;
  category?: string | undefined;
  kind?: string | undefined;
  country?: string | undefined;
  tag?: string | undefined;
  q?: string | undefined;
}

export async function listContacts(scope: WorkspaceScope, f: ContactFilters & PageQuery): Promise<Page<ContactRecord>> {
  let q = scope
    .selectFrom('contacts')
    .selectAll('contacts')
    .select(cursorColumn('contacts.created_at'))
    .where('contacts.deleted_at', 'is', null);
  if (f.status) q = q.where('contacts.status', '=', f.status);
  if (f.category) q = q.where('contacts.category', '=', f.category);
  if (f.kind) q = q.where('contacts.kind', '=', f.kind);
  if (f.country) q = q.where('contacts.country', '=', f.country);
  if (f.tag) q = q.where(sql<boolean>`${f.tag} = any(contacts.tags)`);
  if (f.q) {
    const text = f.q;
    const like = `%${escapeLike(text)}%`;
    const digits = text.replace(/\D/g, '');
    // ILIKE and `%` (trigram similarity, catches typos) both use the gin_trgm_ops indexes.
    q = q.where((eb) =>
      eb.or([
        eb('contacts.name', 'ilike', like),
        sql<boolean>`contacts.name % ${text}`,
        eb('contacts.email', 'ilike', like),
        ...(digits.length >= 3 ? [eb('contacts.phone', 'like', `%${digits}%`)] : []),
      ]),
    );
  }
  const rows = await keysetPage(q, f, 'contacts.created_at', 'contacts.id').execute();
  const identities = await identitiesOf(
    scope,
    rows.map((r) => r.id),
  );
  return toPage(rows, f, (r) => contactRowToRecord(r, identities));
}
