import type { Selectable } from 'kysely';
import type { DbOrTrx } from '../db';
import type { WebhookEventsTable, WebhookNote } from '../db/tables/ingest.tables';

export type WebhookEventRow = Selectable<WebhookEventsTable>;
export type WebhookEventStatus = 'received' | 'processed' | 'unhandled' | 'failed';

export interface NewWebhookEvent {
  id: string;
  workspaceId: string;
  channelId: string;
  channelType: string;
  body: string;
  receivedAt: Date;
}

/** Logs a raw webhook once (whoever logs it first — ingest or worker — wins; retries are no-ops). */
export async function insertWebhookEvent(db: DbOrTrx, e: NewWebhookEvent): Promise<void> {
  await db
    .insertInto('webhook_events')
    .values({
      id: e.id,
      workspace_id: e.workspaceId,
      channel_id: e.channelId,
      channel_type: e.channelType,
      body: e.body,
      received_at: e.receivedAt,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export interface WebhookOutcome {
  status: WebhookEventStatus;
  notes: WebhookNote[];
  eventCount: number;
  at: Date;
}

/**
 * The raw row with its outcome in one write (insert, or update the row ingest logged): the
 * worker's path when the queue held the payload until now.
 */
export async function saveWebhookEvent(db: DbOrTrx, e: NewWebhookEvent, result: WebhookOutcome): Promise<void> {
  await saveWebhookEvents(db, [{ event: e, result }]);
}

/** saveWebhookEvent for many: the raw rows with their outcome, inserted or updated. */
export async function saveWebhookEvents(
  db: DbOrTrx,
  events: {
    event: NewWebhookEvent;
    result: WebhookOutcome;
  }[],
): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('webhook_events')
    .values(
      events.map(({ event: e, result: r }) => ({
        id: e.id,
        workspace_id: e.workspaceId,
        channel_id: e.channelId,
        channel_type: e.channelType,
        body: e.body,
        received_at: e.receivedAt,
        status: r.status,
        notes: JSON.stringify(r.notes),
        event_count: r.eventCount,
        processed_at: r.at,
      })),
    )
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        notes: eb.ref('excluded.notes'),
        event_count: eb.ref('excluded.event_count'),
        processed_at: eb.ref('excluded.processed_at'),
      })),
    )
    .execute();
}

export async function markWebhookEvent(
  db: DbOrTrx,
  id: string,
  result: { status: WebhookEventStatus; notes: WebhookNote[]; eventCount: number; at: Date },
): Promise<void> {
  await db
    .updateTable('webhook_events')
    .set({
      status: result.status,
      notes: JSON.stringify(result.notes),
      event_count: result.eventCount,
      processed_at: result.at,
    })
    .where('id', '=', id)
    .execute();
}

export function findWebhookEvent(db: DbOrTrx, id: string): Promise<WebhookEventRow | undefined> {
  return db.selectFrom('webhook_events').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface WebhookEventFilter {
  channelId?: string | undefined;
  workspaceId?: string | undefined;
  since?: Date | undefined;
  status?: WebhookEventStatus | undefined;
}

/** Oldest first, in pages (keyset on received_at, id) for replay. */
export function listWebhookEvents(
  db: DbOrTrx,
  filter: WebhookEventFilter,
  page: { after?: { receivedAt: Date; id: string } | undefined; limit: number },
): Promise<WebhookEventRow[]> {
  let q = db.selectFrom('webhook_events').selectAll();
  if (filter.channelId) q = q.where('channel_id', '=', filter.channelId);
  if (filter.workspaceId) q = q.where('workspace_id', '=', filter.workspaceId);
  if (filter.since) q = q.where('received_at', '>=', filter.since);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (page.after) {
    const { receivedAt, id } = page.after;
    q = q.where((eb) =>
      eb.or([eb('received_at', '>', receivedAt), eb.and([eb('received_at', '=', receivedAt), eb('id', '>', id)])]),
    );
  }
  return q.orderBy('received_at').orderBy('id').limit(page.limit).execute();
}

/**
 * Logged but never processed (the queue add failed, or the in-process queue died with the
 * process) and not put back recently: the recovery sweep re-enqueues these.
 */
export function listStrandedWebhookEvents(db: DbOrTrx, olderThan: Date, limit: number): Promise<WebhookEventRow[]> {
  return db
    .selectFrom('webhook_events')
    .selectAll()
    .where('status', '=', 'received')
    .where('received_at', '<', olderThan)
    .where((eb) => eb.or([eb('requeued_at', 'is', null), eb('requeued_at', '<', olderThan)]))
    .orderBy('received_at')
    .limit(limit)
    .execute();
}

export async function markRequeued(db: DbOrTrx, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('webhook_events').set({ requeued_at: at }).where('id', 'in', ids).execute();
}

/**
 * Deletes handled raw webhooks (processed / unhandled) received before `before`, at most
 * `limit` per channel per call, one channel at a time (each delete walks the
 * (channel_id, received_at) index). Failed and not-yet-processed rows are kept: they are what
 * replay and recovery need. Returns how many went.
 */
export async function deleteHandledWebhookEvents(db: DbOrTrx, before: Date, limit: number): Promise<number> {
  const channels = await db.selectFrom('channels').select('id').execute();
  let deleted = 0;
  for (const { id } of channels) {
    const res = await db
      .deleteFrom('webhook_events')
      .where(
        'id',
        'in',
        db
          .selectFrom('webhook_events')
          .select('id')
          .where('channel_id', '=', id)
          .where('received_at', '<', before)
          .where('status', 'in', ['processed', 'unhandled'])
          .orderBy('received_at')
          .limit(limit),
      )
      .executeTakeFirst();
    deleted += Number(res.numDeletedRows);
  }
  return deleted;
}

/** Receipts and edits that waited since before `before` for a message that never came. */
export async function deleteStalePendingUpdates(db: DbOrTrx, before: Date, limit: number): Promise<number> {
  const res = await db
    .deleteFrom('pending_updates')
    .where(
      'id',
      'in',
      db.selectFrom('pending_updates').select('id').where('created_at', '<', before).orderBy('created_at').limit(limit),
    )
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
