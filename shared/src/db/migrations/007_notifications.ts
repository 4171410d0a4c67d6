import { sql, type Kysely } from 'kysely';

// Stored notifications (e.g. an @mention in a private note): written in the same transaction as
// what caused them, so a user who was offline when the socket push went out still finds them.

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('workspace_id', 'uuid', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // 'mention' today
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'uuid')
    .addColumn('message_id', 'uuid')
    .addColumn('by_user_id', 'uuid')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    .execute();
  // A user's list, newest first (id breaks ties for the keyset cursor).
  await sql`create index notifications_user_list on notifications (user_id, created_at desc, id desc)`.execute(db);
  // The unread count and the unread filter.
  await sql`create index notifications_user_unread on notifications (user_id, created_at desc) where read_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notifications').ifExists().execute();
}
