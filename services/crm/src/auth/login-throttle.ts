import type { Db } from '@hub/shared/db';

// Login throttling: failed logins are counted per account and per client IP over a sliding
// window; past the limit, logins for that key answer 429 until old failures leave the window.
// The counters sit behind this small port; the database implementation works the same on
// PGlite and PostgreSQL and is shared by every API process in scaled mode.

export interface ThrottleKey {
  key: string;
  limit: number;
}

export type ThrottleVerdict = { blocked: false } | { blocked: true; key: string; retryAfterSeconds: number };

export interface LoginThrottle {
  check(keys: ThrottleKey[], now: Date): Promise<ThrottleVerdict>;
  recordFailure(keys: ThrottleKey[], now: Date): Promise<void>;
  /** A successful login forgives the account's failures (the IP's stay). */
  reset(key: string): Promise<void>;
}

export const loginThrottlePolicy = {
  windowMs: 15 * 60_000,
  /** Guessing one account's password. */
  perAccount: 10,
  /** Spraying many accounts from one address; higher, since offices share an address. */
  perIp: 50,
};

export function loginThrottleKeys(email: string, ip: string | undefined): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ key: `email:${email.trim().toLowerCase()}`, limit: loginThrottlePolicy.perAccount }];
  if (ip) keys.push({ key: `ip:${ip}`, limit: loginThrottlePolicy.perIp });
  return keys;
}

export function createDbLoginThrottle(db: Db, windowMs = loginThrottlePolicy.windowMs): LoginThrottle {
  return {
    async check(keys, now) {
      const since = new Date(now.getTime() - windowMs);
      for (const k of keys) {
        const rows = await db
          .selectFrom('login_failures')
          .select('at')
          .where('key', '=', k.key)
          .where('at', '>', since)
          .orderBy('at', 'desc')
          .limit(k.limit)
          .execute();
        if (rows.length >= k.limit) {
          // Unblocked once the oldest of the last `limit` failures leaves the window.
          const oldest = rows[rows.length - 1]!.at;
          const retryAfterSeconds = Math.max(1, Math.ceil((oldest.getTime() + windowMs - now.getTime()) / 1000));
          return { blocked: true, key: k.key, retryAfterSeconds };
        }
      }
      return { blocked: false };
    },
    async recordFailure(keys, now) {
      await db
        .insertInto('login_failures')
        .values(keys.map((k) => ({ key: k.key, at: now })))
        .execute();
      // Keep the table small: what left the window no longer counts.
      await db
        .deleteFrom('login_failures')
        .where(
          'key',
          'in',
          keys.map((k) => k.key),
        )
        .where('at', '<=', new Date(now.getTime() - windowMs))
        .execute();
    },
    async reset(key) {
      await db.deleteFrom('login_failures').where('key', '=', key).execute();
    },
  };
}
