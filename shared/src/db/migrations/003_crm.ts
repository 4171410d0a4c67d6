import { sql, type Kysely } from 'kysely';

// CRM core: sessions + login throttling, API tokens, funnels/stages, leads + stage history,
// audit log; and a few columns and search indexes on the core tables.
// conversation_id on leads has no foreign key on purpose: conversations belong to the ingest
// migration and a lead outlives a purged conversation.

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  const id = (c: any) => c.primaryKey().defaultTo(sql`gen_random_uuid()`);
  const ws = (c: any) => c.notNull().references('workspaces.id').onDelete('cascade');
  const now = (c: any) => c.notNull().defaultTo(sql`now()`);

  await db.schema.alterTable('workspaces').addColumn('updated_at', 'timestamptz', now).execute();
  await db.schema.alterTable('users').addColumn('last_login_at', 'timestamptz').execute();
  // Search by email and phone fragments (name already has its trigram index in 001).
  await sql`create index contacts_email_trgm on contacts using gin (email gin_trgm_ops)`.execute(db);
  await sql`create index contacts_phone_trgm on contacts using gin (phone gin_trgm_ops)`.execute(db);
  await sql`create index contacts_list on contacts (workspace_id, created_at desc, id desc) where deleted_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('family_id', 'uuid', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('last_used_at', 'timestamptz', now)
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('rotated_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_reason', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('sessions_family').on('sessions').column('family_id').execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('id', 'uuid', id)
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', now)
    .execute();
  await db.schema.createIndex('login_failures_key_at').on('login_failures').columns(['key', 'at']).execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_tokens_workspace').on('api_tokens').column('workspace_id').execute();

  await db.schema
    .createTable('funnels')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('updated_at', 'timestamptz', now)
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('funnels_workspace').on('funnels').column('workspace_id').execute();

  await db.schema
    .createTable('funnel_stages')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('funnel_id', 'uuid', (c) => c.notNull().references('funnels.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', now)
    .execute();
  await db.schema.createIndex('funnel_stages_funnel').on('funnel_stages').columns(['funnel_id', 'position']).execute();

  await db.schema
    .createTable('leads')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('contact_id', 'uuid', (c) => c.notNull().references('contacts.id'))
    .addColumn('conversation_id', 'uuid')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('case_type', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('new'))
    .addColumn('value', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('assignee_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('campaign_id', 'uuid')
    .addColumn('funnel_id', 'uuid', (c) => c.references('funnels.id').onDelete('set null'))
    .addColumn('stage_id', 'uuid', (c) => c.references('funnel_stages.id').onDelete('set null'))
    .addColumn('stage_entered_at', 'timestamptz')
    .addColumn('notes', 'text')
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('updated_at', 'timestamptz', now)
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await sql`create index leads_list on leads (workspace_id, created_at desc, id desc) where deleted_at is null`.execute(
    db,
  );
  await db.schema.createIndex('leads_contact').on('leads').column('contact_id').execute();
  await db.schema.createIndex('leads_assignee').on('leads').columns(['workspace_id', 'assignee_id']).execute();
  // One lead per conversation: the inbound worker's auto-created lead is idempotent on this.
  await sql`create unique index leads_conversation_key on leads (conversation_id) where conversation_id is not null and deleted_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('stage_history')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('lead_id', 'uuid', (c) => c.notNull().references('leads.id').onDelete('cascade'))
    .addColumn('funnel_id', 'uuid', (c) => c.notNull().references('funnels.id').onDelete('cascade'))
    .addColumn('stage_id', 'uuid', (c) => c.notNull().references('funnel_stages.id').onDelete('cascade'))
    .addColumn('from_stage_id', 'uuid')
    .addColumn('entered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('left_at', 'timestamptz')
    .addColumn('actor_id', 'uuid')
    .execute();
  await db.schema.createIndex('stage_history_lead').on('stage_history').columns(['lead_id', 'entered_at']).execute();
  await db.schema.createIndex('stage_history_funnel').on('stage_history').columns(['funnel_id', 'stage_id']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('table_name', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('actor_id', 'uuid')
    .addColumn('at', 'timestamptz', now)
    .execute();
  await sql`create index audit_log_list on audit_log (workspace_id, at desc, id desc)`.execute(db);
  await db.schema
    .createIndex('audit_log_record')
    .on('audit_log')
    .columns(['workspace_id', 'table_name', 'record_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'audit_log',
    'stage_history',
    'leads',
    'funnel_stages',
    'funnels',
    'api_tokens',
    'login_failures',
    'sessions',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`drop index if exists contacts_email_trgm`.execute(db);
  await sql`drop index if exists contacts_phone_trgm`.execute(db);
  await sql`drop index if exists contacts_list`.execute(db);
  await db.schema.alterTable('users').dropColumn('last_login_at').execute();
  await db.schema.alterTable('workspaces').dropColumn('updated_at').execute();
}
