import type { WorkspaceScope } from '@hub/shared/auth';
import type { RealtimeBus } from '@hub/shared/bus';
import type { Db } from '@hub/shared/db';
import {
  conversationEvent,
  conversationRowToConversation,
  loadConversationViews,
  publishAll,
} from '@hub/shared/domain';
import type { Logger } from '@hub/shared/logger';
import { AppError, notFound } from '@hub/shared/errors';
import type { z } from 'zod';
import { writeAudit } from '../audit/audit.repository';
import type { CrudContext } from '../http/crud';
import { isUniqueViolation } from '../http/db-errors';
import type { Page, PageQuery } from '../http/paging';
import { settingsOf } from '../workspaces/workspace.settings';
import {
  contactRowToRecord,
  findContact,
  findContactByPhone,
  identitiesOf,
  insertContact,
  listContacts,
  updateContact,
  type ContactFilters,
  type ContactRecord,
  type ContactRow,
  type ContactValues,
} from './contact.repository';
import { moveConversations, moveIdentities, moveLeads, type MovedConversations } from './contact-merge.repository';
import type { ContactPatch, NewContact } from './contact.schemas';
import { normalizePhone } from './phone';

const phoneTaken = (contactId?: string) =>
  new AppError('conflict', 'contact_phone_taken', 'another contact of this workspace has this phone', [
    { field: 'phone', message: 'already used by another contact', ...(contactId ? { contactId } : {}) },
  ]);

async function recordOf(scope: WorkspaceScope, row: ContactRow): Promise<ContactRecord> {
  return contactRowToRecord(row, await identitiesOf(scope, [row.id]));
}

async function mustFind(scope: WorkspaceScope, id: string): Promise<ContactRow> {
  const row = await findContact(scope, id);
  if (!row) throw notFound('contact');
  return row;
}

/** E.164 of a phone typed any way; a local number is read in `country`, else the workspace's. */
export async function normalizeContactPhone(
  scope: WorkspaceScope,
  phone: string,
  country: string | null | undefined,
): Promise<{ e164: string; country: string | undefined }> {
  const fallback =
    country ?? (phone.trim().startsWith('+') ? null : settingsOf((await scope.workspace()).settings).defaultCountry);
  return normalizePhone(phone, fallback);
}

async function assertPhoneFree(scope: WorkspaceScope, phone: string, selfId?: string): Promise<void> {
  const other = await findContactByPhone(scope, phone);
  if (other && other.id !== selfId) throw phoneTaken(other.id);
}

/** Runs a contact write, turning a lost race on the phone index into the same 409. */
async function guardPhone<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err, 'contacts_phone_key')) throw phoneTaken();
    throw err;
  }
}

/** What a merge needs to tell the inboxes (absent: nothing is published). */
export interface MergeLive {
  db: Db;
  bus: RealtimeBus;
  logger: Logger;
}

/**
 * After the commit: every conversation now on the kept contact shows its new contact, and a
 * folded survivor its new counts and last message. The removed conversation has no event of its
 * own (the contract has none); the survivor's `conversation:updated` stands for it.
 */
async function publishMovedConversations(live: MergeLive, workspaceId: string, c: MovedConversations): Promise<void> {
  const ids = [...c.moved, ...c.folded.map((f) => f.keptId)];
  if (ids.length === 0) return;
  try {
    const views = await loadConversationViews(live.db, ids);
    await publishAll(
      live.bus,
      ids.flatMap((cid) => {
        const view = views.get(cid);
        return view
          ? [conversationEvent('conversation:updated', workspaceId, conversationRowToConversation(view))]
          : [];
      }),
    );
  } catch (err) {
    live.logger.warn({ err, conversations: ids }, 'realtime publish after a contact merge failed');
  }
}

export const contactService = {
  create(ctx: CrudContext, body: z.output<typeof NewContact>): Promise<ContactRecord> {
    return guardPhone(() =>
      ctx.scope.transaction(async (tx) => {
        const values: ContactValues & { name: string } = {
          name: body.name,
          email: body.email?.toLowerCase() ?? null,
          kind: body.kind,
          category: body.category ?? null,
          status: body.status,
          country: body.country ?? null,
          address: body.address ?? null,
          tags: [...new Set(body.tags)],
          notes: body.notes ?? null,
        };
        if (body.phone) {
          const p = await normalizeContactPhone(tx, body.phone, body.country);
          await assertPhoneFree(tx, p.e164);
          values.phone = p.e164;
          values.country = body.country ?? p.country ?? null;
        }
        const row = await insertContact(tx, values);
        const rec = await recordOf(tx, row);
        await writeAudit(tx, { table: 'contacts', recordId: row.id, action: 'create', after: rec });
        return rec;
      }),
    );
  },

  list(ctx: CrudContext, q: ContactFilters & PageQuery): Promise<Page<ContactRecord>> {
    return listContacts(ctx.scope, q);
  },

  async get(ctx: CrudContext, id: string): Promise<ContactRecord> {
    return recordOf(ctx.scope, await mustFind(ctx.scope, id));
  },

  async lookup(ctx: CrudContext, phone: string): Promise<ContactRecord> {
    const p = await normalizeContactPhone(ctx.scope, phone, undefined);
    const row = await findContactByPhone(ctx.scope, p.e164);
    if (!row) throw notFound('contact');
    return recordOf(ctx.scope, row);
  },

  update(ctx: CrudContext, id: string, patch: z.output<typeof ContactPatch>): Promise<ContactRecord> {
    return guardPhone(() =>
      ctx.scope.transaction(async (tx) => {
        const beforeRow = await mustFind(tx, id);
        const before = await recordOf(tx, beforeRow);
        const values: ContactValues = {};
        if (patch.name !== undefined) values.name = patch.name;
        if (patch.email !== undefined) values.email = patch.email?.toLowerCase() ?? null;
        if (patch.kind !== undefined) values.kind = patch.kind;
        if (patch.category !== undefined) values.category = patch.category;
        if (patch.status !== undefined) values.status = patch.status;
        if (patch.country !== undefined) values.country = patch.country;
        if (patch.address !== undefined) values.address = patch.address;
        if (patch.tags !== undefined) values.tags = [...new Set(patch.tags)];
        if (patch.notes !== undefined) values.notes = patch.notes;
        if (patch.phone === null) values.phone = null;
        else if (patch.phone !== undefined) {
          const p = await normalizeContactPhone(tx, patch.phone, patch.country ?? beforeRow.country);
          await assertPhoneFree(tx, p.e164, id);
          values.phone = p.e164;
          if (patch.country === undefined && !beforeRow.country && p.country) values.country = p.country;
        }
        const row = (await updateContact(tx, id, values, ctx.now))!;
        const after = await recordOf(tx, row);
        await writeAudit(tx, { table: 'contacts', recordId: id, action: 'update', before, after });
        return after;
      }),
    );
  },

  /** Soft delete: the row stays for history (conversations, leads, audit) and leaves lists. */
  remove(ctx: CrudContext, id: string): Promise<void> {
    return ctx.scope.transaction(async (tx) => {
      const before = await recordOf(tx, await mustFind(tx, id));
      await updateContact(tx, id, { deleted_at: ctx.now }, ctx.now);
      await writeAudit(tx, { table: 'contacts', recordId: id, action: 'delete', before });
    });
  },

  /**
   * Folds `otherId` into `id`: its channel identities, conversations and leads move over, empty
   * fields are filled from it, tags are joined, and it is soft-deleted. One transaction.
   */
  async merge(ctx: CrudContext, id: string, otherId: string, live?: MergeLive): Promise<ContactRecord> {
    if (id === otherId) {
      throw new AppError('validation_failed', 'validation_failed', 'invalid otherId', [
        { field: 'otherId', message: 'a contact cannot be merged into itself' },
      ]);
    }
    const outcome = await guardPhone(() =>
      ctx.scope.transaction(async (tx) => {
        const keepRow = await mustFind(tx, id);
        const otherRow = await mustFind(tx, otherId);
        const before = await recordOf(tx, keepRow);
        const otherBefore = await recordOf(tx, otherRow);

        const identities = await moveIdentities(tx, otherId, id);
        const conversations = await moveConversations(tx, otherId, id, ctx.now);
        const leads = await moveLeads(tx, otherId, id, ctx.now);
        const moved = {
          identities,
          conversations: conversations.moved.length + conversations.folded.length,
          leads,
        };
        // The other goes first, so its phone is free for the kept contact (unique among live rows).
        await updateContact(tx, otherId, { deleted_at: ctx.now }, ctx.now);
        const fill: ContactValues = {
          tags: [...new Set([...keepRow.tags, ...otherRow.tags])],
        };
        if (!keepRow.phone && otherRow.phone) fill.phone = otherRow.phone;
        if (!keepRow.email && otherRow.email) fill.email = otherRow.email;
        if (!keepRow.category && otherRow.category) fill.category = otherRow.category;
        if (!keepRow.country && otherRow.country) fill.country = otherRow.country;
        if (!keepRow.address && otherRow.address) fill.address = otherRow.address;
        if (otherRow.notes) fill.notes = keepRow.notes ? `${keepRow.notes}\n\n${otherRow.notes}` : otherRow.notes;
        const row = (await updateContact(tx, id, fill, ctx.now))!;
        const after = await recordOf(tx, row);
        await writeAudit(tx, {
          table: 'contacts',
          recordId: id,
          action: 'merge',
          before,
          after: { ...after, mergedFrom: otherId, moved, foldedConversations: conversations.folded },
        });
        for (const f of conversations.folded) {
          await writeAudit(tx, {
            table: 'conversations',
            recordId: f.removedId,
            action: 'delete',
            after: { mergedInto: f.keptId, contactMerge: { keptContactId: id, otherContactId: otherId }, ...f },
          });
        }
        await writeAudit(tx, {
          table: 'contacts',
          recordId: otherId,
          action: 'delete',
          before: otherBefore,
          after: { mergedInto: id },
        });
        return { record: after, conversations };
      }),
    );
    if (live) await publishMovedConversations(live, ctx.auth.workspaceId, outcome.conversations);
    return outcome.record;
  },
};
