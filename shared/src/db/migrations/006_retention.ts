import { sql, type Kysely } from 'kysely';

// The retention sweep (services/worker/src/recovery/retention.ts) deletes by age: receipts
// still waiting for a message that never came. (Raw webhooks go by the existing
// (channel_id, received_at) index, one channel at a time.)
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists pending_updates_created on pending_updates (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists pending_updates_created`.execute(db);
}
