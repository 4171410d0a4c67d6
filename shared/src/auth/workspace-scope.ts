import type {
  DeleteQueryBuilder,
  DeleteResult,
  Insertable,
  InsertQueryBuilder,
  InsertResult,
  Selectable,
  SelectQueryBuilder,
  Updateable,
  UpdateQueryBuilder,
  UpdateResult,
} from 'kysely';
import type { DB, DbOrTrx, WorkspacesTable } from '../db';
import type { AuthContext } from './index';

// Workspace scoping by construction. Repositories of tenant data take a WorkspaceScope instead
// of a bare `db`: every select/update/delete it builds already carries
// `where <table>.workspace_id = scope.workspaceId` and every insert gets workspace_id set, so a
// query cannot forget the tenant. The raw connection is private; the only way in is through a
// scope made from the caller's AuthContext (or, for system jobs, an explicit workspace id).

/** Tables that carry a workspace_id column (everything tenant-owned). */
export type ScopedTable = {
  [K in keyof DB & string]: DB[K] extends { workspace_id: unknown } ? K : never;
}[keyof DB & string];

/** An insert row for a scoped table; workspace_id comes from the scope. */
export type ScopedInsert<T extends ScopedTable> = Omit<Insertable<DB[T]>, 'workspace_id'>;
export type ScopedUpdate<T extends ScopedTable> = Omit<Updateable<DB[T]>, 'workspace_id'>;

/* eslint-disable @typescript-eslint/no-explicit-any -- kysely cannot type a column reference
   built from a generic table name; the casts below only add `workspace_id` to T's own query. */
export class WorkspaceScope {
  readonly #db: DbOrTrx;

  constructor(
    db: DbOrTrx,
    readonly workspaceId: string,
    /** Who acts (audit actor); null for the system (webhooks, jobs, public intake). */
    readonly actorId: string | null,
  ) {
    if (!workspaceId) throw new Error('WorkspaceScope needs a workspace id');
    this.#db = db;
  }

  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  selectFrom<T extends ScopedTable>(table: T): SelectQueryBuilder<DB, T, {}> {
    return (this.#db.selectFrom(table as any) as any).where(`${table}.workspace_id`, '=', this.workspaceId);
  }

  insertInto<T extends ScopedTable>(
    table: T,
    values: ScopedInsert<T> | readonly ScopedInsert<T>[],
  ): InsertQueryBuilder<DB, T, InsertResult> {
    const rows = (Array.isArray(values) ? values : [values]).map((v) => ({ ...v, workspace_id: this.workspaceId }));
    return (this.#db.insertInto(table) as any).values(rows);
  }

  updateTable<T extends ScopedTable>(table: T): UpdateQueryBuilder<DB, T, T, UpdateResult> {
    return (this.#db.updateTable(table as any) as any).where(`${table}.workspace_id`, '=', this.workspaceId);
  }

  deleteFrom<T extends ScopedTable>(table: T): DeleteQueryBuilder<DB, T, DeleteResult> {
    return (this.#db.deleteFrom(table as any) as any).where(`${table}.workspace_id`, '=', this.workspaceId);
  }

  /** The scope's own workspace row. */
  workspace(): Promise<Selectable<WorkspacesTable>> {
    return this.#db.selectFrom('workspaces').selectAll().where('id', '=', this.workspaceId).executeTakeFirstOrThrow();
  }

  updateWorkspace(patch: Omit<Updateable<WorkspacesTable>, 'id'>): Promise<Selectable<WorkspacesTable>> {
    return this.#db
      .updateTable('workspaces')
      .set(patch)
      .where('id', '=', this.workspaceId)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  get isTransaction(): boolean {
    return this.#db.isTransaction;
  }

  /** Runs fn in a transaction on the same scope (joins the current one when already inside). */
  transaction<R>(fn: (tx: WorkspaceScope) => Promise<R>): Promise<R> {
    if (this.#db.isTransaction) return fn(this);
    return this.#db.transaction().execute((trx) => fn(new WorkspaceScope(trx, this.workspaceId, this.actorId)));
  }

  /** The same workspace acting as someone else (e.g. the system inside a user's request). */
  as(actorId: string | null): WorkspaceScope {
    return new WorkspaceScope(this.#db, this.workspaceId, actorId);
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The caller's scope: the workspace comes from the verified token, never from input. */
export function scoped(db: DbOrTrx, auth: Pick<AuthContext, 'workspaceId' | 'userId'>): WorkspaceScope {
  return new WorkspaceScope(db, auth.workspaceId, auth.userId);
}

/** For system work with no user behind it (webhooks, jobs, API-token intake). */
export function systemScope(db: DbOrTrx, workspaceId: string): WorkspaceScope {
  return new WorkspaceScope(db, workspaceId, null);
}
