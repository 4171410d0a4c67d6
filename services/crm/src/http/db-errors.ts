// PostgreSQL error codes, the same from pg and PGlite (both surface the server's SQLSTATE).
// https://www.postgresql.org/docs/current/errcodes-appendix.html

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code !== '23505') return false;
  if (!constraint) return true;
  return e.constraint === constraint || (typeof e.message === 'string' && e.message.includes(constraint));
}
