import { sql, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import { AppError } from '@hub/shared/errors';

// Keyset paging for lists, newest first: `{ items, nextCursor }`. The cursor is the last row's
// (timestamp, id). The timestamp travels as PostgreSQL's own text form, not a JS Date: Dates
// keep milliseconds, timestamptz keeps microseconds, and a cursor rounded to the millisecond
// would skip rows created within the same millisecond.

export const PageQuery = z.object({
  cursor: z.string().min(1).optional().meta({ description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type PageQuery = z.infer<typeof PageQuery>;

export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({ items: z.array(item), nextCursor: z.string().nullable() })
    .meta({ id, description: 'A page, newest first; pass nextCursor back as `cursor` for the next one.' });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Cursor {
  ts: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.ts, c.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && !Number.isNaN(Date.parse(v[0]))) {
      const id = z.uuid().safeParse(v[1]);
      if (id.success) return { ts: v[0], id: id.data };
    }
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'validation_failed', 'invalid cursor', [
    { field: 'cursor', message: 'not a cursor from a previous page' },
  ]);
}

/** The column to select as `_cursor_ts` next to the row (timestamptz as exact text). */
export function cursorColumn(tsColumn: string) {
  return sql<string>`${sql.ref(tsColumn)}::text`.as('_cursor_ts');
}

/**
 * Adds `(ts, id) < cursor`, newest-first order and limit + 1 (to know if there is a next page).
 * `tsColumn`/`idColumn` are qualified column names, e.g. 'contacts.created_at'.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function keysetPage<QB extends SelectQueryBuilder<any, any, any>>(
  qb: QB,
  page: PageQuery,
  tsColumn: string,
  idColumn: string,
): QB {
  let q = qb;
  if (page.cursor) {
    const c = decodeCursor(page.cursor);
    q = q.where(
      sql<boolean>`(${sql.ref(tsColumn)}, ${sql.ref(idColumn)}) < (${c.ts}::timestamptz, ${c.id}::uuid)`,
    ) as QB;
  }
  return q
    .orderBy(sql.ref(tsColumn), 'desc')
    .orderBy(sql.ref(idColumn), 'desc')
    .limit(page.limit + 1) as QB;
}

/** Rows fetched with keysetPage (limit + 1) → the page and its next cursor. */
export function toPage<R extends { _cursor_ts: string; id: string }, T>(
  rows: R[],
  page: PageQuery,
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > page.limit;
  const kept = more ? rows.slice(0, page.limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(map),
    nextCursor: more && last ? encodeCursor({ ts: last._cursor_ts, id: last.id }) : null,
  };
}
