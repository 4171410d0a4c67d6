import { sql, type Kysely } from 'kysely';

// The live inbox: what agents do to conversations (assign to a team, labels, snooze), what the
// outbound dispatcher needs on messages (idempotency keys, private notes, the send claim), the
// reporting events the metrics are computed from, reply templates, WhatsApp approved templates,
// uploads waiting to be sent, and the round-robin cursor of auto-assignment.
// Columns on other domains' tables are added with `if not exists`, so this migration never
// fights a sibling that adds a column of the same name.

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  const id = (c: any) => c.primaryKey().defaultTo(sql`gen_random_uuid()`);
  const ws = (c: any) => c.notNull().references('workspaces.id').onDelete('cascade');
  const now = (c: any) => c.notNull().defaultTo(sql`now()`);

  await db.schema
    .createTable('teams')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('updated_at', 'timestamptz', now)
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await sql`create unique index teams_name_key on teams (workspace_id, lower(name)) where deleted_at is null`.execute(
    db,
  );

  // Conversations: team, labels, snooze, and the reporting cycle (see outbound.reporting.ts).
  await sql`alter table conversations
    add column if not exists team_id uuid references teams(id) on delete set null,
    add column if not exists labels text[] not null default '{}'::text[],
    add column if not exists snoozed_at timestamptz,
    add column if not exists snoozed_until timestamptz,
    add column if not exists cycle_started_at timestamptz,
    add column if not exists first_reply_at timestamptz,
    add column if not exists awaiting_since timestamptz,
    add column if not exists resolved_at timestamptz`.execute(db);
  await sql`create index if not exists conversations_labels on conversations using gin (labels)`.execute(db);
  await sql`create index if not exists conversations_open_assignee on conversations (workspace_id, assignee_id) where status = 'open'`.execute(
    db,
  );

  // Messages: the agent's idempotency key, private notes, and the send claim.
  await sql`alter table messages
    add column if not exists idempotency_key text,
    add column if not exists private boolean not null default false,
    add column if not exists send_attempts integer not null default 0,
    add column if not exists sending_at timestamptz,
    add column if not exists retry_round integer not null default 0`.execute(db);
  // The same Idempotency-Key twice in one conversation is one message.
  await sql`create unique index if not exists messages_idempotency_key on messages (conversation_id, idempotency_key) where idempotency_key is not null`.execute(
    db,
  );
  // The recovery sweep looks for queued outbound messages nobody is working on.
  await sql`create index if not exists messages_outbound_queued on messages (created_at) where status = 'queued' and direction = 'out'`.execute(
    db,
  );

  // Per-agent capacity for auto-assignment (null: the channel's or the default).
  await sql`alter table users add column if not exists conversation_capacity integer`.execute(db);

  await db.schema
    .createTable('reporting_events')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('channel_id', 'uuid', (c) => c.notNull())
    // 'first_response' | 'reply' | 'resolution'
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('message_id', 'uuid')
    .addColumn('value_seconds', 'double precision', (c) => c.notNull())
    .addColumn('value_business_seconds', 'double precision')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', now)
    .execute();
  await sql`create index reporting_events_window on reporting_events (workspace_id, kind, at)`.execute(db);
  // One sample per reply message and kind, however often the reply is processed.
  await sql`create unique index reporting_events_message_key on reporting_events (kind, message_id) where message_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable('reply_templates')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('platforms', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('updated_at', 'timestamptz', now)
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await sql`create unique index reply_templates_shortcut_key on reply_templates (workspace_id, lower(shortcut)) where deleted_at is null`.execute(
    db,
  );
  await sql`create index reply_templates_list on reply_templates (workspace_id, created_at desc, id desc) where deleted_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('channel_templates')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('channel_id', 'uuid', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('variable_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', now)
    .addUniqueConstraint('channel_templates_key', ['channel_id', 'name', 'language'])
    .execute();

  await db.schema
    .createTable('media_uploads')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', now)
    .execute();

  await db.schema
    .createTable('assignment_cursors')
    .addColumn('channel_id', 'uuid', (c) => c.primaryKey().references('channels.id').onDelete('cascade'))
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('last_user_id', 'uuid')
    .addColumn('updated_at', 'timestamptz', now)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['assignment_cursors', 'media_uploads', 'channel_templates', 'reply_templates', 'reporting_events']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`alter table users drop column if exists conversation_capacity`.execute(db);
  await sql`drop index if exists messages_outbound_queued`.execute(db);
  await sql`drop index if exists messages_idempotency_key`.execute(db);
  await sql`alter table messages
    drop column if exists idempotency_key, drop column if exists private, drop column if exists send_attempts,
    drop column if exists sending_at, drop column if exists retry_round`.execute(db);
  await sql`drop index if exists conversations_open_assignee`.execute(db);
  await sql`drop index if exists conversations_labels`.execute(db);
  await sql`alter table conversations
    drop column if exists team_id, drop column if exists labels, drop column if exists snoozed_at,
    drop column if exists snoozed_until, drop column if exists cycle_started_at, drop column if exists first_reply_at,
    drop column if exists awaiting_since, drop column if exists resolved_at`.execute(db);
  await db.schema.dropTable('teams').ifExists().execute();
}
