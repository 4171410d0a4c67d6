import { sql } from 'kysely';
import type { WorkspaceScope } from '@hub/shared/auth';

// Per-workspace document numbers (quotes, contracts, invoices): 1, 2, 3… with no duplicates
// and no gaps, however many creates run at once.
//
// `insert … on conflict do update set last_number = last_number + 1 returning last_number`
// takes the counter row's lock and keeps it until the document's transaction ends, so
// concurrent creates of one workspace get their numbers one after the other; a create that
// rolls back rolls its increment back with it. The first create of a workspace inserts the row;
// two racing first creates are resolved by ON CONFLICT (the loser waits, then increments).

export type DocumentKind = 'quote' | 'contract' | 'invoice';

export const documentPrefix = {
  quote: 'Q',
  contract: 'C',
  invoice: 'INV',
} as const satisfies Record<DocumentKind, string>;

/** Q-0007, C-0012, INV-0003 */
export function documentReference(kind: DocumentKind, n: number): string {
  return `${documentPrefix[kind]}-${String(n).padStart(4, '0')}`;
}

/** The next number of `kind` in the scope's workspace. Must run inside the document's transaction. */
export async function nextDocumentNumber(tx: WorkspaceScope, kind: DocumentKind): Promise<number> {
  if (!tx.isTransaction) throw new Error(`${kind} number taken outside a transaction`);
  const row = await tx
    .insertInto('document_counters', { kind, last_number: 1 })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'kind']).doUpdateSet({ last_number: sql<number>`document_counters.last_number + 1` }),
    )
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return Number(row.last_number);
}
