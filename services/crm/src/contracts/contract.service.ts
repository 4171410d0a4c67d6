import { createHash } from 'node:crypto';
import type { WorkspaceScope } from '@hub/shared/auth';
import { AppError, notFound } from '@hub/shared/errors';
import type { z } from 'zod';
import { writeAudit } from '../audit/audit.repository';
import { findContact } from '../contacts/contact.repository';
import { addContactNote } from '../customers/contact-note.repository';
import type { CrudContext } from '../http/crud';
import { isUniqueViolation } from '../http/db-errors';
import type { Page, PageQuery } from '../http/paging';
import { formatMoney } from '../money/money';
import { invalidField, stateConflict } from '../money/money.errors';
import { nextDocumentNumber } from '../money/numbering.repository';
import { renderContractPdf } from '../pdf/contract.pdf';
import { quoteRecord } from '../quotes/quote.service';
import type { ContractPatch, NewContract } from './contract.schemas';
import {
  contractHasLiveInvoices,
  contractRowToRecord,
  contractVersionPdf,
  findContractRow,
  findLiveContractOfQuote,
  insertContract,
  insertContractVersion,
  listContracts,
  listContractVersions,
  updateContract,
  type ContractFilters,
  type ContractRecord,
  type ContractValues,
} from './contract.repository';

// Contracts come from an accepted quote (one live contract per quote). Signing generates the
// PDF (version 1); every later change of its terms generates the next version; versions are
// kept in contract_versions. Creating, signing, changing and deleting a contract each write a
// note on the customer's record (contact_notes) and an audit row, in the change's transaction.

export async function contractRecord(
  scope: WorkspaceScope,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<ContractRecord> {
  const row = await findContractRow(scope, id, opts);
  if (!row) throw notFound('contract');
  return contractRowToRecord(row);
}

const quoteTaken = () =>
  new AppError('conflict', 'quote_has_contract', 'this quote already has a contract', [
    { field: 'quoteId', message: 'already has a contract' },
  ]);

const termsOf = (c: ContractRecord) => ({ title: c.title, terms: c.terms, startsOn: c.startsOn, endsOn: c.endsOn });

/** The contract's PDF as it stands (version = the number printed on it, null for a preview). */
async function renderFor(scope: WorkspaceScope, c: ContractRecord, version: number | null, now: Date): Promise<Buffer> {
  const [ws, quote, contact] = await Promise.all([
    scope.workspace(),
    quoteRecord(scope, c.quoteId),
    findContact(scope, c.contactId),
  ]);
  return renderContractPdf({
    seller: ws.name,
    contract: {
      reference: c.reference,
      title: c.title,
      terms: c.terms,
      startsOn: c.startsOn,
      endsOn: c.endsOn,
      signedAt: c.signedAt,
      signedBy: c.signedBy,
      version,
    },
    quote,
    customer: {
      name: contact?.name ?? c.contact.name,
      phone: contact?.phone ?? null,
      email: contact?.email ?? null,
      address: contact?.address ?? null,
    },
    now,
  });
}

/** Renders and stores the next PDF version of a signed contract; returns its number. */
async function newVersion(
  tx: WorkspaceScope,
  c: ContractRecord,
  reason: 'signed' | 'terms_changed',
  now: Date,
): Promise<number> {
  const version = c.version + 1;
  const pdf = await renderFor(tx, c, version, now);
  await insertContractVersion(tx, {
    contractId: c.id,
    version,
    reason,
    snapshot: termsOf(c),
    pdf,
    sha256: createHash('sha256').update(pdf).digest('hex'),
    at: now,
  });
  await updateContract(tx, c.id, { current_version: version }, now);
  return version;
}

function describeChange(before: ContractRecord, after: ContractRecord): string[] {
  const changed: string[] = [];
  if (before.title !== after.title) changed.push(`title “${after.title}”`);
  if (before.terms !== after.terms) changed.push('terms');
  if (before.startsOn !== after.startsOn) changed.push(`start ${after.startsOn ?? 'none'}`);
  if (before.endsOn !== after.endsOn) changed.push(`end ${after.endsOn ?? 'none'}`);
  return changed;
}

export const contractService = {
  async create(ctx: CrudContext, body: z.output<typeof NewContract>): Promise<ContractRecord> {
    try {
      return await ctx.scope.transaction(async (tx) => {
        const quote = await quoteRecord(tx, body.quoteId, { forUpdate: true }).catch((err: unknown) => {
          throw err instanceof AppError && err.code === 'quote_not_found'
            ? invalidField('quoteId', 'no such quote')
            : err;
        });
        if (quote.status !== 'accepted') {
          throw stateConflict(
            'quote_not_accepted',
            `a contract needs an accepted quote; this one is ${quote.status}`,
            'quoteId',
          );
        }
        if (await findLiveContractOfQuote(tx, quote.id)) throw quoteTaken();
        const number = await nextDocumentNumber(tx, 'contract');
        const row = await insertContract(tx, {
          number,
          quote_id: quote.id,
          lead_id: quote.leadId,
          contact_id: quote.contactId,
          title: body.title ?? `Contract for ${quote.reference}`,
          terms: body.terms ?? null,
          starts_on: body.startsOn ?? null,
          ends_on: body.endsOn ?? null,
          currency: quote.currency,
          total: quote.total,
          created_by: ctx.auth.userId,
        });
        const rec = await contractRecord(tx, row.id);
        await addContactNote(tx, {
          contactId: rec.contactId,
          kind: 'contract',
          body: `Contract ${rec.reference} created from quote ${quote.reference} (${formatMoney(rec.total, rec.currency)}).`,
          recordTable: 'contracts',
          recordId: rec.id,
          at: ctx.now,
        });
        await writeAudit(tx, { table: 'contracts', recordId: rec.id, action: 'create', after: rec });
        return rec;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'contracts_quote_key')) throw quoteTaken();
      throw err;
    }
  },

  list(ctx: CrudContext, q: ContractFilters & PageQuery): Promise<Page<ContractRecord>> {
    return listContracts(ctx.scope, q);
  },

  get(ctx: CrudContext, id: string): Promise<ContractRecord> {
    return contractRecord(ctx.scope, id);
  },

  update(ctx: CrudContext, id: string, patch: z.output<typeof ContractPatch>): Promise<ContractRecord> {
    return ctx.scope.transaction(async (tx) => {
      const before = await contractRecord(tx, id, { forUpdate: true });
      const v: ContractValues = {};
      if (patch.title !== undefined) v.title = patch.title;
      if (patch.terms !== undefined) v.terms = patch.terms;
      if (patch.startsOn !== undefined) v.starts_on = patch.startsOn;
      if (patch.endsOn !== undefined) v.ends_on = patch.endsOn;
      const starts = v.starts_on !== undefined ? v.starts_on : before.startsOn;
      const ends = v.ends_on !== undefined ? v.ends_on : before.endsOn;
      if (starts && ends && ends < starts) throw invalidField('endsOn', 'must not be before startsOn');
      const changed = describeChange(before, {
        ...before,
        ...(v.title !== undefined ? { title: v.title } : {}),
        ...(v.terms !== undefined ? { terms: v.terms } : {}),
        startsOn: starts,
        endsOn: ends,
      });
      if (changed.length === 0) return before;
      await updateContract(tx, id, v, ctx.now);
      let after = await contractRecord(tx, id);
      let version: number | null = null;
      if (after.status === 'signed') {
        version = await newVersion(tx, after, 'terms_changed', ctx.now);
        after = await contractRecord(tx, id);
      }
      await addContactNote(tx, {
        contactId: after.contactId,
        kind: 'contract',
        body: `Contract ${after.reference} changed: ${changed.join(', ')}${version ? ` — PDF version ${version}` : ''}.`,
        recordTable: 'contracts',
        recordId: id,
        at: ctx.now,
      });
      await writeAudit(tx, { table: 'contracts', recordId: id, action: 'update', before, after });
      return after;
    });
  },

  remove(ctx: CrudContext, id: string): Promise<void> {
    return ctx.scope.transaction(async (tx) => {
      const before = await contractRecord(tx, id, { forUpdate: true });
      if (await contractHasLiveInvoices(tx, id)) {
        throw stateConflict('contract_in_use', 'the contract has invoices that are not void; void them first');
      }
      await updateContract(tx, id, { deleted_at: ctx.now }, ctx.now);
      await addContactNote(tx, {
        contactId: before.contactId,
        kind: 'contract',
        body: `Contract ${before.reference} deleted${before.status === 'signed' ? ' (it was signed)' : ''}.`,
        recordTable: 'contracts',
        recordId: id,
        at: ctx.now,
      });
      await writeAudit(tx, { table: 'contracts', recordId: id, action: 'delete', before });
    });
  },

  sign(ctx: CrudContext, id: string, body: { signedBy?: string | undefined }): Promise<ContractRecord> {
    return ctx.scope.transaction(async (tx) => {
      const before = await contractRecord(tx, id, { forUpdate: true });
      if (before.status === 'signed')
        throw stateConflict('contract_already_signed', 'the contract is already signed', 'status');
      await updateContract(
        tx,
        id,
        { status: 'signed', signed_at: ctx.now, signed_by: body.signedBy ?? before.contact.name },
        ctx.now,
      );
      const version = await newVersion(tx, await contractRecord(tx, id), 'signed', ctx.now);
      const after = await contractRecord(tx, id);
      await addContactNote(tx, {
        contactId: after.contactId,
        kind: 'contract',
        body: `Contract ${after.reference} signed by ${after.signedBy} — PDF version ${version}.`,
        recordTable: 'contracts',
        recordId: id,
        at: ctx.now,
      });
      await writeAudit(tx, { table: 'contracts', recordId: id, action: 'sign', before, after });
      return after;
    });
  },

  async versions(ctx: CrudContext, id: string) {
    await contractRecord(ctx.scope, id);
    return { items: await listContractVersions(ctx.scope, id) };
  },

  /** The latest signed version's PDF, or a preview of a draft; or one given version. */
  async pdf(ctx: CrudContext, id: string, version?: number): Promise<{ fileName: string; bytes: Buffer }> {
    const c = await contractRecord(ctx.scope, id);
    if (version !== undefined) {
      const bytes = await contractVersionPdf(ctx.scope, id, version);
      if (!bytes) throw notFound('contract_version');
      return { fileName: `${c.reference}-v${version}.pdf`, bytes };
    }
    const stored = c.version > 0 ? await contractVersionPdf(ctx.scope, id) : undefined;
    if (stored) return { fileName: `${c.reference}-v${c.version}.pdf`, bytes: stored };
    return { fileName: `${c.reference}-draft.pdf`, bytes: await renderFor(ctx.scope, c, null, ctx.now) };
  },
};
