import { z } from 'zod';

// Field schemas shared by the money resources (services, campaigns, quotes, invoices, payments).

export const Currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
  .meta({ description: 'ISO 4217 currency code', example: 'EUR' });

/** A non-negative amount in integer minor units. */
export const Money = z
  .number()
  .int('must be an integer amount in minor units (cents)')
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .meta({ description: 'Integer minor units of `currency` (1999 = 19.99 EUR)', example: 1999 });

/** An amount that must be above zero (payments). */
export const PositiveMoney = Money.min(1, 'must be at least 1 (minor unit)');

/** Integer minor units, possibly negative (profit). */
export const SignedMoney = z.number().int().meta({ description: 'Integer minor units; negative for a loss' });

export const BasisPoints = z
  .number()
  .int('must be an integer number of basis points')
  .min(0)
  .meta({ description: 'Basis points: 1 bp = 0.01 %, 1000 = 10 %, 10000 = 100 %' });

/** A calendar day, 'YYYY-MM-DD'. */
export const Day = z.iso.date().meta({ description: 'Calendar day, YYYY-MM-DD', example: '2025-06-30' });

export const Timestamp = z.iso.datetime({ offset: true });

export const ContactRef = z
  .object({ id: z.uuid(), name: z.string(), phone: z.string().nullable() })
  .meta({ id: 'ContactRef', description: 'The customer (contact) in short' });

/** The UTC calendar day of an instant. */
export function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD' + n days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return dayOf(d);
}
