import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { AppError } from '@hub/shared/errors';

// Phones are stored in E.164 (+34612345678): one spelling per number, so "unique per workspace"
// and lookups by phone mean what they say. A number without "+" is read in the contact's
// country, else the workspace's default country.

export interface NormalizedPhone {
  e164: string;
  /** ISO 3166-1 alpha-2 of the number, when the number says (non-geographic ones do not). */
  country: string | undefined;
}

export function normalizePhone(input: string, defaultCountry?: string | null, field = 'phone'): NormalizedPhone {
  const parsed = parsePhoneNumberFromString(input.trim(), (defaultCountry ?? undefined) as CountryCode | undefined);
  if (!parsed || !parsed.isValid()) {
    throw new AppError('validation_failed', 'validation_failed', `invalid ${field}`, [
      {
        field,
        message:
          input.trim().startsWith('+') || defaultCountry
            ? 'not a valid phone number'
            : 'not a valid phone number (use international format, e.g. +34612345678)',
      },
    ]);
  }
  return { e164: parsed.number, country: parsed.country };
}
