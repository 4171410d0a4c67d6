import type { Selectable } from 'kysely';
import type { WorkspaceScope } from '@hub/shared/auth';
import type { DB } from '@hub/shared/db';
import { cursorColumn, keysetPage, toPage, type Page, type PageQuery } from '../http/paging';

export type AuditAction = 'create' | 'update' | 'delete' | (string & {});

export interface AuditEntry {
  table: string;
  recordId: string;
  action: AuditAction;
  /** The record as the API shows it (never secrets such as password hashes). */
  before?: object | null;
  after?: object | null;
  at?: Date;
}

export interface AuditRecord {
  id: string;
  table: string;
  recordId: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  actorId: string | null;
  at: string;
}

/**
 * Writes one audit row. Must run inside the transaction of the change it records, so the two
 * commit or roll back together: calling it outside one is a bug, and fails loudly.
 */
export async function writeAudit(tx: WorkspaceScope, entry: AuditEntry): Promise<void> {
  if (!tx.isTransaction) throw new Error(`audit of ${entry.table} written outside a transaction`);
  await tx
    .insertInto('audit_log', {
      table_name: entry.table,
      record_id: entry.recordId,
      action: entry.action,
      before: entry.before ? JSON.stringify(entry.before) : null,
      after: entry.after ? JSON.stringify(entry.after) : null,
      actor_id: tx.actorId,
      ...(entry.at ? { at: entry.at } : {}),
    })
    .execute();
}

export function auditRowToRecord(row: Selectable<DB['audit_log']>): AuditRecord {
  return {
    id: row.id,
    table: row.table_name,
    recordId: row.record_id,
    action: row.action,
    before: row.before,
    after: row.after,
    actorId: row.actor_id,
    at: row.at.toISOString(),
  };
}

export interface AuditFilters {
  table?: string | undefined;
  recordId?: string | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
}

export async function listAudit(scope: WorkspaceScope, f: AuditFilters & PageQuery): Promise<Page<AuditRecord>> {
  let q = scope.selectFrom('audit_log').selectAll('audit_log').select(cursorColumn('audit_log.at'));
  if (f.table) q = q.where('audit_log.table_name', '=', f.table);
  if (f.recordId) q = q.where('audit_log.record_id', '=', f.recordId);
  if (f.actorId) q = q.where('audit_log.actor_id', '=', f.actorId);
  if (f.action) q = q.where('audit_log.action', '=', f.action);
  const rows = await keysetPage(q, f, 'audit_log.at', 'audit_log.id').execute();
  return toPage(rows, f, auditRowToRecord);
}
