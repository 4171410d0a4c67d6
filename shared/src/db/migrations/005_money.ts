import { sql, type Kysely } from 'kysely';

// From chat to cash: services catalogue, campaigns, per-workspace document numbering, quotes +
// lines, contracts + PDF versions, invoices, payments, and notes on a contact's record.
// Money: bigint minor units + an ISO 4217 currency per row. Day-only dates: 'YYYY-MM-DD' text
// (see tables/money.tables.ts for why). leads.campaign_id comes from 003_crm without a foreign
// key (a lead may name a campaign id given by an outside form); stats only count real campaigns.

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  const id = (c: any) => c.primaryKey().defaultTo(sql`gen_random_uuid()`);
  const ws = (c: any) => c.notNull().references('workspaces.id').onDelete('cascade');
  const now = (c: any) => c.notNull().defaultTo(sql`now()`);
  const day = (col: string) => sql`check (${sql.ref(col)} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')`;

  await sql`alter table leads add column if not exists campaign_id uuid`.execute(db);
  await sql`alter table leads add column if not exists ctwa_clid text`.execute(db);
  await sql`create index if not exists leads_campaign on leads (workspace_id, campaign_id) where campaign_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable('services')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('price', 'bigint', (c) => c.notNull().check(sql`price >= 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('updated_at', 'timestamptz', now)
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await sql`create index services_list on services (workspace_id, created_at desc, id desc) where deleted_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('budget', 'bigint', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`budget >= 0`),
    )
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz')
    .addColumn('ends_at', 'timestamptz')
    .addColumn('landing_url', 'text')
    .addColumn('ad_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('ref_code', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('updated_at', 'timestamptz', now)
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await sql`create index campaigns_list on campaigns (workspace_id, created_at desc, id desc) where deleted_at is null`.execute(
    db,
  );
  await sql`create unique index campaigns_ref_code_key on campaigns (workspace_id, ref_code) where ref_code is not null and deleted_at is null`.execute(
    db,
  );
  await sql`create index campaigns_ad_ids on campaigns using gin (ad_ids)`.execute(db);

  // Numbering: `insert … on conflict do update set last_number = last_number + 1 returning`
  // inside the document's own transaction. The row lock serialises concurrent creates of one
  // workspace, and a rolled-back create rolls its number back too: no duplicates, no gaps.
  await db.schema
    .createTable('document_counters')
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('last_number', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('document_counters_pkey', ['workspace_id', 'kind'])
    .execute();

  await db.schema
    .createTable('quotes')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('lead_id', 'uuid', (c) => c.references('leads.id'))
    .addColumn('contact_id', 'uuid', (c) => c.notNull().references('contacts.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('valid_until', 'text', (c) => c.modifyEnd(day('valid_until')))
    .addColumn('notes', 'text')
    .addColumn('subtotal', 'bigint', (c) => c.notNull())
    .addColumn('discount_total', 'bigint', (c) => c.notNull())
    .addColumn('tax_total', 'bigint', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('updated_at', 'timestamptz', now)
    .addColumn('deleted_at', 'timestamptz')
    .addUniqueConstraint('quotes_number_key', ['workspace_id', 'number'])
    .execute();
  await sql`create index quotes_list on quotes (workspace_id, created_at desc, id desc) where deleted_at is null`.execute(
    db,
  );
  await db.schema.createIndex('quotes_lead').on('quotes').column('lead_id').execute();

  await db.schema
    .createTable('quote_lines')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('quote_id', 'uuid', (c) => c.notNull().references('quotes.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('service_id', 'uuid', (c) => c.references('services.id'))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('unit_price', 'bigint', (c) => c.notNull().check(sql`unit_price >= 0`))
    .addColumn('discount_bp', 'integer', (c) => c.notNull().check(sql`discount_bp between 0 and 10000`))
    .addColumn('tax_rate_bp', 'integer', (c) => c.notNull().check(sql`tax_rate_bp >= 0`))
    .addColumn('subtotal', 'bigint', (c) => c.notNull())
    .addColumn('discount', 'bigint', (c) => c.notNull())
    .addColumn('net', 'bigint', (c) => c.notNull())
    .addColumn('tax', 'bigint', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('quote_lines_quote').on('quote_lines').columns(['quote_id', 'position']).execute();
  await db.schema.createIndex('quote_lines_service').on('quote_lines').column('service_id').execute();

  await db.schema
    .createTable('contracts')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('quote_id', 'uuid', (c) => c.notNull().references('quotes.id'))
    .addColumn('lead_id', 'uuid', (c) => c.references('leads.id'))
    .addColumn('contact_id', 'uuid', (c) => c.notNull().references('contacts.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('terms', 'text')
    .addColumn('starts_on', 'text', (c) => c.modifyEnd(day('starts_on')))
    .addColumn('ends_on', 'text', (c) => c.modifyEnd(day('ends_on')))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('signed_at', 'timestamptz')
    .addColumn('signed_by', 'text')
    .addColumn('current_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('updated_at', 'timestamptz', now)
    .addColumn('deleted_at', 'timestamptz')
    .addUniqueConstraint('contracts_number_key', ['workspace_id', 'number'])
    .execute();
  await sql`create index contracts_list on contracts (workspace_id, created_at desc, id desc) where deleted_at is null`.execute(
    db,
  );
  // One live contract per quote.
  await sql`create unique index contracts_quote_key on contracts (quote_id) where deleted_at is null`.execute(db);
  await db.schema.createIndex('contracts_lead').on('contracts').column('lead_id').execute();

  await db.schema
    .createTable('contract_versions')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('contract_id', 'uuid', (c) => c.notNull().references('contracts.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'jsonb')
    .addColumn('pdf', 'bytea', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', now)
    .addUniqueConstraint('contract_versions_key', ['contract_id', 'version'])
    .execute();

  await db.schema
    .createTable('invoices')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('contract_id', 'uuid', (c) => c.references('contracts.id'))
    .addColumn('quote_id', 'uuid', (c) => c.notNull().references('quotes.id'))
    .addColumn('lead_id', 'uuid', (c) => c.references('leads.id'))
    .addColumn('contact_id', 'uuid', (c) => c.notNull().references('contacts.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('subtotal', 'bigint', (c) => c.notNull())
    .addColumn('discount_total', 'bigint', (c) => c.notNull())
    .addColumn('tax_total', 'bigint', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('amount_paid', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('issued_on', 'text', (c) => c.notNull().modifyEnd(day('issued_on')))
    .addColumn('due_on', 'text', (c) => c.notNull().modifyEnd(day('due_on')))
    .addColumn('notes', 'text')
    .addColumn('voided_at', 'timestamptz')
    .addColumn('void_reason', 'text')
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('updated_at', 'timestamptz', now)
    .addUniqueConstraint('invoices_number_key', ['workspace_id', 'number'])
    // The last line of defence against an overpayment that slipped past the service's check.
    .addCheckConstraint('invoices_paid_within_total', sql`amount_paid >= 0 and amount_paid <= total`)
    .execute();
  await sql`create index invoices_list on invoices (workspace_id, created_at desc, id desc)`.execute(db);
  // One live (not void) invoice per quote: a second one would bill the same work twice.
  await sql`create unique index invoices_quote_key on invoices (quote_id) where status <> 'void'`.execute(db);
  await db.schema.createIndex('invoices_lead').on('invoices').column('lead_id').execute();

  await db.schema
    .createTable('payments')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('invoice_id', 'uuid', (c) => c.notNull().references('invoices.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('paid_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('notes', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('balance_after', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await sql`create index payments_list on payments (workspace_id, created_at desc, id desc) where deleted_at is null`.execute(
    db,
  );
  await db.schema.createIndex('payments_invoice').on('payments').column('invoice_id').execute();

  await db.schema
    .createTable('contact_notes')
    .addColumn('id', 'uuid', id)
    .addColumn('workspace_id', 'uuid', ws)
    .addColumn('contact_id', 'uuid', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('record_table', 'text')
    .addColumn('record_id', 'uuid')
    .addColumn('author_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', now)
    .execute();
  await sql`create index contact_notes_list on contact_notes (workspace_id, contact_id, created_at desc, id desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'contact_notes',
    'payments',
    'invoices',
    'contract_versions',
    'contracts',
    'quote_lines',
    'quotes',
    'document_counters',
    'campaigns',
    'services',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`drop index if exists leads_campaign`.execute(db);
  await sql`alter table leads drop column if exists ctwa_clid`.execute(db);
}
