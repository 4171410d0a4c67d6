import { createHash, randomUUID } from 'node:crypto';
import type { RealtimeBus } from '@hub/shared/bus';
import { adapterFor, SendError, type PlatformEndpoints } from '@hub/shared/channels';
import type { Db } from '@hub/shared/db';
import {
  findMessageById,
  insertMediaFile,
  lockMessageMedia,
  MediaJob,
  messageEvent,
  messageRowToMessage,
  publishAll,
  updateMessage,
  type ChannelCache,
  type MessageRow,
  type StoredMedia,
} from '@hub/shared/domain';
import type { Logger } from '@hub/shared/logger';
import type { Job } from '@hub/shared/queue';
import type { MediaStorage } from '@hub/shared/storage';

// Queue "media": download an inbound message's media from the platform (WhatsApp media id →
// URL with the bearer token, Telegram getFile, Messenger CDN URL), store it, and point the
// message at /api/v1/media/<id>. Retried with backoff; after the last try (or a permanent
// platform error) the message keeps media.url null and a note — the message itself is never lost.

export interface MediaDeps {
  db: Db;
  bus: RealtimeBus;
  channels: ChannelCache;
  storage: MediaStorage;
  endpoints: PlatformEndpoints;
  logger: Logger;
}

export function mediaHandler(deps: MediaDeps) {
  return async (job: Job<MediaJob>): Promise<void> => {
    const { messageId } = MediaJob.parse(job.data);
    const message = await findMessageById(deps.db, messageId);
    const media = message?.media;
    if (!message || !media || media.state !== 'pending') return;
    const channel = await deps.channels.get(message.channel_id);
    if (!channel) return fail(deps, message, 'the channel was deleted before the media was fetched');

    let fetched;
    try {
      fetched = await adapterFor(channel.type).fetchMedia(channel.credentials as never, deps.endpoints, {
        providerMediaId: media.providerMediaId,
        url: media.sourceUrl,
      });
    } catch (err) {
      const permanent = err instanceof SendError && !err.retryable;
      const reason = err instanceof Error ? err.message : String(err);
      if (!permanent && job.attempt < job.maxAttempts) throw err;
      deps.logger.warn({ err, messageId, attempt: job.attempt }, 'media download failed for good');
      return fail(deps, message, `media download failed: ${reason}`);
    }

    const fileId = randomUUID();
    const storageKey = `${message.workspace_id}/${fileId}`;
    await deps.storage.put(storageKey, fetched.data);
    const updated = await deps.db.transaction().execute(async (trx) => {
      const current = await lockMessageMedia(trx, message.id);
      // Another run got there first: keep its file.
      if (!current || current.state !== 'pending') return undefined;
      const fileName = media.fileName ?? fetched.fileName ?? null;
      const mimeType = media.mimeType ?? fetched.mimeType;
      await insertMediaFile(trx, {
        id: fileId,
        workspaceId: message.workspace_id,
        messageId: message.id,
        storageKey,
        mimeType,
        fileName,
        sizeBytes: fetched.data.length,
        sha256: createHash('sha256').update(fetched.data).digest('hex'),
      });
      const stored: StoredMedia = { ...current, fileId, mimeType, ...(fileName ? { fileName } : {}), state: 'stored' };
      delete stored.error;
      return updateMessage(trx, message.id, { media: JSON.stringify(stored) });
    });
    if (!updated) {
      await deps.storage.delete(storageKey);
      return;
    }
    await publish(deps, updated);
  };
}

async function fail(deps: MediaDeps, message: MessageRow, reason: string): Promise<void> {
  const updated = await deps.db.transaction().execute(async (trx) => {
    const current = await lockMessageMedia(trx, message.id);
    if (!current || current.state !== 'pending') return undefined;
    const failed: StoredMedia = { ...current, state: 'failed', error: reason };
    return updateMessage(trx, message.id, { media: JSON.stringify(failed) });
  });
  if (updated) await publish(deps, updated);
}

async function publish(deps: MediaDeps, row: MessageRow): Promise<void> {
  try {
    await publishAll(deps.bus, [messageEvent('message:updated', row.workspace_id, messageRowToMessage(row))]);
  } catch (err) {
    deps.logger.warn({ err }, 'realtime publish failed');
  }
}
