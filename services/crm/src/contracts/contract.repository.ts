import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { ScopedInsert, WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';
import { documentReference } from '../money/numbering.repository';
import type { Contract, ContractStatus, ContractVersion } from './contract.schemas';

export type ContractRow = Selectable<DB['contracts']>;
export type ContractRecord = z.output<typeof Contract>;
type ContractWithRefs = ContractRow & { contact_name: string; contact_phone: string | null; quote_number: number };

export function contractRowToRecord(row: ContractWithRefs): ContractRecord {
  return {
    id: row.id,
    number: row.number,
    reference: documentReference('contract', row.number),
    quoteId: row.quote_id,
    quoteReference: documentReference('quote', row.quote_number),
    leadId: row.lead_id,
    contactId: row.contact_id,
    contact: { id: row.contact_id, name: row.contact_name, phone: row.contact_phone },
    title: row.title,
    terms: row.terms,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    currency: row.currency,
    total: Number(row.total),
    status: row.status as z.output<typeof ContractStatus>,
    signedAt: row.signed_at?.toISOString() ?? null,
    signedBy: row.signed_by,
    version: row.current_version,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function liveContracts(scope: WorkspaceScope) {
  return scope
    .selectFrom('contracts')
    .innerJoin('contacts', 'contacts.id', 'contracts.contact_id')
    .innerJoin('quotes', 'quotes.id', 'contracts.quote_id')
    .selectAll('contracts')
    .select(['contacts.name as contact_name', 'contacts.phone as contact_phone', 'quotes.number as quote_number'])
    .where('contracts.deleted_at', 'is', null);
}

export function findContractRow(
  scope: WorkspaceScope,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<ContractWithRefs | undefined> {
  let q = liveContracts(scope).where('contracts.id', '=', id);
  if (opts.forUpdate) q = q.forUpdate('contracts');
  return q.executeTakeFirst();
}

export function findLiveContractOfQuote(scope: WorkspaceScope, quoteId: string) {
  return scope
    .selectFrom('contracts')
    .select(['contracts.id', 'contracts.number'])
    .where('contracts.quote_id', '=', quoteId)
    .where('contracts.deleted_at', 'is', null)
    .executeTakeFirst();
}

export function insertContract(scope: WorkspaceScope, values: ScopedInsert<'contracts'>): Promise<ContractRow> {
  return scope.insertInto('contracts', values).returningAll().executeTakeFirstOrThrow();
}

export type ContractValues = Partial<
  Pick<
    ContractRow,
    | 'title'
    | 'terms'
    | 'starts_on'
    | 'ends_on'
    | 'status'
    | 'signed_at'
    | 'signed_by'
    | 'current_version'
    | 'deleted_at'
  >
>;

export async function updateContract(
  scope: WorkspaceScope,
  id: string,
  values: ContractValues,
  now: Date,
): Promise<void> {
  await scope
    .updateTable('contracts')
    .set({ ...values, updated_at: now })
    .where('contracts.id', '=', id)
    .execute();
}

export interface ContractFilters {
  status?: string | undefined;
  contactId?: string | undefined;
  leadId?: string | undefined;
  quoteId?: string | undefined;
}

export async function listContracts(
  scope: WorkspaceScope,
  f: ContractFilters & PageQuery,
): Promise<Page<ContractRecord>> {
  let q = liveContracts(scope).select(cursorColumn('contracts.created_at'));
  if (f.status) q = q.where('contracts.status', '=', f.status);
  if (f.contactId) q = q.where('contracts.contact_id', '=', f.contactId);
  if (f.leadId) q = q.where('contracts.lead_id', '=', f.leadId);
  if (f.quoteId) q = q.where('contracts.quote_id', '=', f.quoteId);
  const rows = await keysetPage(q, f, 'contracts.created_at', 'contracts.id').execute();
  return toPage(rows, f, contractRowToRecord);
}

// --- PDF versions ---

export async function insertContractVersion(
  scope: WorkspaceScope,
  v: {
    contractId: string;
    version: number;
    reason: 'signed' | 'terms_changed';
    snapshot: object;
    pdf: Buffer;
    sha256: string;
    at: Date;
  },
): Promise<void> {
  await scope
    .insertInto('contract_versions', {
      contract_id: v.contractId,
      version: v.version,
      reason: v.reason,
      snapshot: JSON.stringify(v.snapshot),
      pdf: v.pdf,
      size_bytes: v.pdf.length,
      sha256: v.sha256,
      created_by: scope.actorId,
      created_at: v.at,
    })
    .execute();
}

export async function listContractVersions(
  scope: WorkspaceScope,
  contractId: string,
): Promise<z.output<typeof ContractVersion>[]> {
  const rows = await scope
    .selectFrom('contract_versions')
    .select(['version', 'reason', 'snapshot', 'size_bytes', 'sha256', 'created_by', 'created_at'])
    .where('contract_versions.contract_id', '=', contractId)
    .orderBy('contract_versions.version')
    .execute();
  return rows.map((r) => ({
    version: r.version,
    reason: r.reason as 'signed' | 'terms_changed',
    terms: r.snapshot ?? {},
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
  }));
}

/** One version's PDF bytes (the latest when `version` is undefined). */
export async function contractVersionPdf(
  scope: WorkspaceScope,
  contractId: string,
  version?: number,
): Promise<Buffer | undefined> {
  let q = scope.selectFrom('contract_versions').select('pdf').where('contract_versions.contract_id', '=', contractId);
  q =
    version === undefined
      ? q.orderBy('contract_versions.version', 'desc').limit(1)
      : q.where('contract_versions.version', '=', version);
  const row = await q.executeTakeFirst();
  // pg gives a Buffer, PGlite a Uint8Array.
  return row ? Buffer.from(row.pdf) : undefined;
}

export async function contractHasLiveInvoices(scope: WorkspaceScope, contractId: string): Promise<boolean> {
  const row = await scope
    .selectFrom('invoices')
    .select('invoices.id')
    .where('invoices.contract_id', '=', contractId)
    .where('invoices.status', '<>', 'void')
    .executeTakeFirst();
  return row !== undefined;
}
