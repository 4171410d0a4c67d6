import { sql, type Kysely } from 'kysely';

// Conversations, messages, the raw webhook log, early statuses/edits and stored media.
// The unique keys here are what make the inbound worker idempotent: a retried or duplicated
// webhook hits them and becomes a no-op.

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  // One channel per platform number/page/bot per workspace; webhooks route by it.
  await sql`create unique index channels_workspace_external_key on channels (workspace_id, type, external_id) where deleted_at is null`.execute(
    db,
  );

  await db.schema
    .alterTable('contact_identities')
    .addColumn('reachable', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('reachability_changed_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('workspace_id', 'uuid', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('channel_id', 'uuid', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('contact_id', 'uuid', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('assignee_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('unread_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_id', 'uuid')
    .addColumn('last_message_at', 'timestamptz')
    .addColumn('last_activity_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_inbound_at', 'timestamptz')
    .addColumn('last_outbound_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // One conversation per contact × channel: the get-or-create is an insert … on conflict.
    .addUniqueConstraint('conversations_contact_channel_key', ['channel_id', 'contact_id'])
    .execute();
  await sql`create index conversations_inbox on conversations (workspace_id, last_activity_at desc, id desc)`.execute(
    db,
  );
  await db.schema.createIndex('conversations_contact').on('conversations').column('contact_id').execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('workspace_id', 'uuid', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('channel_id', 'uuid', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('media', 'jsonb')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text')
    .addColumn('error', 'jsonb')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('reply_to_provider_message_id', 'text')
    .addColumn('sender_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('edited_at', 'timestamptz')
    .addColumn('edit_history', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('status_history', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A provider message is stored once, however often it is delivered (NULLs — unsent
    // outbound messages — do not collide).
    .addUniqueConstraint('messages_provider_key', ['channel_id', 'provider_message_id'])
    .execute();
  await sql`create index messages_timeline on messages (conversation_id, sent_at desc, seq desc)`.execute(db);

  await db.schema
    .createTable('pending_updates')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('channel_id', 'uuid', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'jsonb')
    .addColumn('text', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The same early receipt delivered twice is kept once.
    .addUniqueConstraint('pending_updates_key', ['channel_id', 'provider_message_id', 'kind', 'status', 'occurred_at'])
    .execute();

  await db.schema
    .createTable('webhook_events')
    // Generated by whoever logs it first (ingest or worker) so both can insert … on conflict.
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('workspace_id', 'uuid', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('channel_id', 'uuid', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('channel_type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('received'))
    .addColumn('notes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('event_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz')
    .addColumn('requeued_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index webhook_events_channel_received on webhook_events (channel_id, received_at)`.execute(db);
  await sql`create index webhook_events_unprocessed on webhook_events (received_at) where status = 'received'`.execute(
    db,
  );

  await db.schema
    .createTable('media_files')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('workspace_id', 'uuid', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('message_id', 'uuid', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('media_files_message').on('media_files').column('message_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['media_files', 'webhook_events', 'pending_updates', 'messages', 'conversations']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await db.schema
    .alterTable('contact_identities')
    .dropColumn('reachable')
    .dropColumn('reachability_changed_at')
    .execute();
  await sql`drop index if exists channels_workspace_external_key`.execute(db);
}
