import type { Insertable, Selectable, Updateable } from 'kysely';
import type { ChannelCredentials } from '../channels/channel.port';
import { decryptJson, encryptJson } from '../crypto';
import type { ChannelsTable, DbOrTrx } from '../db';
import { ChannelType } from '../events';

export type ChannelRow = Selectable<ChannelsTable>;

/** A channel with its credentials decrypted: for the webhook path and the workers only. */
export interface LoadedChannel {
  id: string;
  workspaceId: string;
  type: ChannelType;
  name: string;
  externalId: string;
  credentials: ChannelCredentials;
}

// The channel id is the AAD: a ciphertext copied onto another channel's row won't decrypt.
export function sealCredentials(key: Buffer, channelId: string, credentials: ChannelCredentials): string {
  return encryptJson(key, credentials, `channel:${channelId}`);
}

export function openCredentials(key: Buffer, row: Pick<ChannelRow, 'id' | 'credentials'>): ChannelCredentials {
  return decryptJson<ChannelCredentials>(key, row.credentials, `channel:${row.id}`);
}

export function loadChannelRow(key: Buffer, row: ChannelRow): LoadedChannel {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    type: ChannelType.parse(row.type),
    name: row.name,
    externalId: row.external_id,
    credentials: openCredentials(key, row),
  };
}

export async function insertChannel(db: DbOrTrx, row: Insertable<ChannelsTable> & { id: string }): Promise<ChannelRow> {
  return db.insertInto('channels').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A live channel of this workspace. */
export function findChannel(db: DbOrTrx, workspaceId: string, id: string): Promise<ChannelRow | undefined> {
  return db
    .selectFrom('channels')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Unscoped, for the webhook path (the URL names the channel) and the workers. */
export function findChannelById(db: DbOrTrx, id: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

/** Also a soft-deleted one: a webhook acknowledged just before the delete is still logged. */
export function findChannelIncludingDeleted(db: DbOrTrx, id: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Live channels with this platform id, any workspace (multi-number/page routing). */
export function findChannelsByExternalId(db: DbOrTrx, type: ChannelType, externalId: string): Promise<ChannelRow[]> {
  return db
    .selectFrom('channels')
    .selectAll()
    .where('type', '=', type)
    .where('external_id', '=', externalId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

export function findChannelByExternalId(
  db: DbOrTrx,
  workspaceId: string,
  type: ChannelType,
  externalId: string,
): Promise<ChannelRow | undefined> {
  return db
    .selectFrom('channels')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('type', '=', type)
    .where('external_id', '=', externalId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export function listChannels(db: DbOrTrx, workspaceId: string): Promise<ChannelRow[]> {
  return db
    .selectFrom('channels')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function updateChannel(
  db: DbOrTrx,
  workspaceId: string,
  id: string,
  patch: Pick<Updateable<ChannelsTable>, 'name' | 'credentials' | 'external_id'>,
): Promise<ChannelRow | undefined> {
  return db
    .updateTable('channels')
    .set({ ...patch, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Soft: conversations and messages keep pointing at it. */
export async function softDeleteChannel(db: DbOrTrx, workspaceId: string, id: string): Promise<boolean> {
  const res = await db
    .updateTable('channels')
    .set({ deleted_at: new Date(), updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
