import type { Selectable } from 'kysely';
import type { DbOrTrx } from '../db';
import type { MediaFilesTable } from '../db/tables/ingest.tables';
import type { VisibilityFilter } from './conversation.repository';

export type MediaFileRow = Selectable<MediaFilesTable>;

export function insertMediaFile(
  trx: DbOrTrx,
  row: {
    workspaceId: string;
    messageId: string;
    storageKey: string;
    mimeType: string;
    fileName: string | null;
    sizeBytes: number;
    sha256: string;
    id: string;
  },
): Promise<MediaFileRow> {
  return trx
    .insertInto('media_files')
    .values({
      id: row.id,
      workspace_id: row.workspaceId,
      message_id: row.messageId,
      storage_key: row.storageKey,
      mime_type: row.mimeType,
      file_name: row.fileName,
      size_bytes: row.sizeBytes,
      sha256: row.sha256,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A media file the caller may see: through its message's conversation and the visibility rule. */
export function findVisibleMediaFile(
  db: DbOrTrx,
  visible: VisibilityFilter,
  id: string,
): Promise<MediaFileRow | undefined> {
  return db
    .selectFrom('media_files')
    .selectAll('media_files')
    .where('media_files.id', '=', id)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('messages')
          .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
          .select('messages.id')
          .whereRef('messages.id', '=', 'media_files.message_id')
          .where((eb2) => visible(eb2 as never)),
      ),
    )
    .executeTakeFirst();
}
