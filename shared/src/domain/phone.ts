import { parsePhoneNumberFromString } from 'libphonenumber-js';

export interface NormalizedPhone {
  /** E.164, e.g. +525512345678 */
  e164: string;
  /** ISO 3166-1 alpha-2 derived from the number; null when the number is shared by regions and not pinned down. */
  country: string | null;
}

// Mexico dropped the mobile "1" after +52 in 2019, but WhatsApp still sends many Mexican
// wa_ids in the legacy form 521 + 10 digits; E.164 today is +52 + 10 digits.
const MX_LEGACY = /^521(\d{10})$/;

/**
 * A phone as a platform gives it ("16505551234" WhatsApp wa_id without '+', "+1 (650) 555-1234",
 * a Telegram shared contact) → E.164 and country; null when it cannot be a phone number.
 */
export function normalizePhone(raw: string | null | undefined): NormalizedPhone | null {
  if (!raw) return null;
  const trimmed = raw.trim();
  const digits = trimmed.replace(/[^\d]/g, '');
  if (digits.length < 6 || digits.length > 15) return null;
  const mx = MX_LEGACY.exec(digits);
  const international = mx ? `+52${mx[1]}` : `+${digits}`;
  const parsed = parsePhoneNumberFromString(international);
  if (!parsed || !parsed.isPossible()) return null;
  return { e164: parsed.number, country: parsed.country ?? null };
}

/**
 * Every form under which WhatsApp may name this wa_id: as received, plus the legacy/current
 * Mexican twin, so a contact is found whichever form a later webhook uses.
 */
export function whatsappIdVariants(waId: string): string[] {
  const mx = MX_LEGACY.exec(waId);
  if (mx) return [waId, `52${mx[1]}`];
  const mxNew = /^52(\d{10})$/.exec(waId);
  if (mxNew) return [waId, `521${mxNew[1]}`];
  return [waId];
}
