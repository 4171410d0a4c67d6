import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';

// Notes on a customer's record. The system writes one for every contract event (created,
// signed, changed, deleted) and for a lead's conversion, in the same transaction as the change;
// they read as the customer's history next to the conversations.

export const contactNoteKinds = ['contract', 'conversion', 'note'] as const;

export const ContactNote = z
  .object({
    id: z.uuid(),
    contactId: z.uuid(),
    kind: z.enum(contactNoteKinds),
    body: z.string(),
    recordTable: z.string().nullable().meta({ description: "What the note is about, e.g. 'contracts'" }),
    recordId: z.uuid().nullable(),
    authorId: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ContactNote' });
export type ContactNoteRecord = z.output<typeof ContactNote>;

type NoteRow = Selectable<DB['contact_notes']>;

export function noteRowToRecord(r: NoteRow): ContactNoteRecord {
  return {
    id: r.id,
    contactId: r.contact_id,
    kind: r.kind as ContactNoteRecord['kind'],
    body: r.body,
    recordTable: r.record_table,
    recordId: r.record_id,
    authorId: r.author_id,
    createdAt: r.created_at.toISOString(),
  };
}

/** Adds a note authored by the scope's actor; call it inside the change's transaction. */
export async function addContactNote(
  tx: WorkspaceScope,
  note: {
    contactId: string;
    kind: (typeof contactNoteKinds)[number];
    body: string;
    recordTable?: string;
    recordId?: string;
    at?: Date;
  },
): Promise<void> {
  await tx
    .insertInto('contact_notes', {
      contact_id: note.contactId,
      kind: note.kind,
      body: note.body,
      record_table: note.recordTable ?? null,
      record_id: note.recordId ?? null,
      author_id: tx.actorId,
      ...(note.at ? { created_at: note.at } : {}),
    })
    .execute();
}

export async function listContactNotes(
  scope: WorkspaceScope,
  f: { contactId: string; kind?: string | undefined; recordId?: string | undefined } & PageQuery,
): Promise<Page<ContactNoteRecord>> {
  let q = scope
    .selectFrom('contact_notes')
    .selectAll('contact_notes')
    .select(cursorColumn('contact_notes.created_at'))
    .where('contact_notes.contact_id', '=', f.contactId);
  if (f.kind) q = q.where('contact_notes.kind', '=', f.kind);
  if (f.recordId) q = q.where('contact_notes.record_id', '=', f.recordId);
  const rows = await keysetPage(q, f, 'contact_notes.created_at', 'contact_notes.id').execute();
  return toPage(rows, f, noteRowToRecord);
}
