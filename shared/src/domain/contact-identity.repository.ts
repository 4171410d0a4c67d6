import { sql } from 'kysely';
import type { DbOrTrx } from '../db';
import type { IdentityKind, Sender } from '../events';
import { normalizePhone, whatsappIdVariants } from './phone';

export interface Identity {
  kind: IdentityKind | string;
  value: string;
}

/**
 * Transaction-scoped advisory lock on a string key. Serialises the few places where
 * "look, then insert" must not race (two first messages of one sender; a receipt and the
 * send that records its provider id). Released at commit/rollback.
 */
export async function lockKey(trx: DbOrTrx, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}

/** The sender's identities plus the forms they may also arrive under (Mexican wa_id twins). */
export function expandIdentities(identities: readonly Identity[]): Identity[] {
  const out: Identity[] = [];
  const seen = new Set<string>();
  for (const id of identities) {
    const values = id.kind === 'whatsapp' ? whatsappIdVariants(id.value) : [id.value];
    for (const value of values) {
      const k = `${id.kind}|${value}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ kind: id.kind, value });
    }
  }
  return out;
}

function findIdentityRows(db: DbOrTrx, workspaceId: string, identities: readonly Identity[]) {
  return db
    .selectFrom('contact_identities')
    .select(['contact_id', 'kind', 'value'])
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or(identities.map((i) => eb.and([eb('kind', '=', i.kind), eb('value', '=', i.value)]))))
    .execute();
}

function firstOwner(rows: { contact_id: string; kind: string; value: string }[], identities: readonly Identity[]) {
  for (const i of identities) {
    const hit = rows.find((r) => r.kind === i.kind && r.value === i.value);
    if (hit) return hit.contact_id;
  }
  return undefined;
}

/** The contact one of these identities belongs to, preferring earlier identities. */
export async function findContactIdByIdentities(
  db: DbOrTrx,
  workspaceId: string,
  identities: readonly Identity[],
): Promise<string | undefined> {
  if (identities.length === 0) return undefined;
  return firstOwner(await findIdentityRows(db, workspaceId, identities), identities);
}

export async function insertIdentities(
  db: DbOrTrx,
  workspaceId: string,
  contactId: string,
  identities: readonly Identity[],
): Promise<void> {
  if (identities.length === 0) return;
  await db
    .insertInto('contact_identities')
    .values(identities.map((i) => ({ workspace_id: workspaceId, contact_id: contactId, kind: i.kind, value: i.value })))
    .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'value']).doNothing())
    .execute();
}

export async function setIdentitiesReachable(
  db: DbOrTrx,
  workspaceId: string,
  identities: readonly Identity[],
  reachable: boolean,
  at: Date,
): Promise<number> {
  if (identities.length === 0) return 0;
  const res = await db
    .updateTable('contact_identities')
    .set({ reachable, reachability_changed_at: at })
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or(identities.map((i) => eb.and([eb('kind', '=', i.kind), eb('value', '=', i.value)]))))
    .where((eb) => eb.or([eb('reachability_changed_at', 'is', null), eb('reachability_changed_at', '<=', at)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * The advisory-lock keys claimContact takes for a sender. A transaction claiming several
 * senders takes all of them first, in one sorted set (lockKeys), so two such transactions
 * never wait on each other in a cycle.
 */
export function identityLockKeys(workspaceId: string, sender: Sender): string[] {
  return expandIdentities(sender.identities).map((i) => `contact-identity|${workspaceId}|${i.kind}|${i.value}`);
}

export interface ClaimedContact {
  contactId: string;
  created: boolean;
}

/**
 * The contact behind a platform sender, created on first sight — atomically: two concurrent
 * events of one sender end with one contact. Runs inside the caller's transaction.
 *
 * 1. Lock the sender's identities (sorted, so two claimers never deadlock).
 * 2. An identity already known → its contact; attach any new identities to it.
 * 3. Else a contact with the same E.164 phone (created by the CRM, a lead form…) → reuse it.
 * 4. Else create the contact; the identities go in with `on conflict do nothing`, and the
 *    contact is re-read from them, so even without the lock the loser adopts the winner's row.
 */
export async function claimContact(trx: DbOrTrx, workspaceId: string, sender: Sender): Promise<ClaimedContact> {
  const identities = expandIdentities(sender.identities);
  const keys = identityLockKeys(workspaceId, sender).sort();
  for (const k of keys) await lockKey(trx, k);

  const known = await findIdentityRows(trx, workspaceId, identities);
  const existing = firstOwner(known, identities);
  if (existing) {
    // A new way to reach a known person (e.g. the wa_id next to a BSUID): attach it.
    const missing = identities.filter((i) => !known.some((r) => r.kind === i.kind && r.value === i.value));
    await insertIdentities(trx, workspaceId, existing, missing);
    return { contactId: existing, created: false };
  }

  const phone = normalizePhone(sender.phone);
  let contactId: string | undefined;
  let created = false;
  if (phone) {
    const byPhone = await trx
      .selectFrom('contacts')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('phone', '=', phone.e164)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    contactId = byPhone?.id;
  }
  if (!contactId) {
    const name = sender.name?.trim() || phone?.e164 || identities[0]?.value || 'Unknown';
    const inserted = await trx
      .insertInto('contacts')
      .values({ workspace_id: workspaceId, name, phone: phone?.e164 ?? null, country: phone?.country ?? null })
      // The CRM may create the same phone concurrently: then that contact is the one.
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'phone'])
          .where('phone', 'is not', null)
          .where('deleted_at', 'is', null)
          .doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      contactId = inserted.id;
      created = true;
    } else {
      const byPhone = await trx
        .selectFrom('contacts')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('phone', '=', phone!.e164)
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      contactId = byPhone.id;
    }
  }
  await insertIdentities(trx, workspaceId, contactId, identities);
  const owner = await findContactIdByIdentities(trx, workspaceId, identities);
  if (owner && owner !== contactId) {
    // Lost a race we could not lock against: adopt the winner, drop our fresh row.
    if (created) await trx.deleteFrom('contacts').where('id', '=', contactId).execute();
    return { contactId: owner, created: false };
  }
  return { contactId, created };
}
