import { describe, expect, it } from 'vitest';
import { normalizePhone, whatsappIdVariants } from './phone';

describe('normalizePhone', () => {
  it('turns a WhatsApp wa_id into E.164 with its country', () => {
    expect(normalizePhone('16505551234')).toEqual({ e164: '+16505551234', country: 'US' });
    expect(normalizePhone('+1 (650) 555-1234')).toEqual({ e164: '+16505551234', country: 'US' });
  });

  it('maps the Mexican legacy 521… form to +52…', () => {
    expect(normalizePhone('5215512345678')).toEqual({ e164: '+525512345678', country: 'MX' });
    expect(normalizePhone('525512345678')).toEqual({ e164: '+525512345678', country: 'MX' });
  });

  it('returns null for what cannot be a phone', () => {
    expect(normalizePhone('US.13491208655302741918')).toBeNull();
    expect(normalizePhone('')).toBeNull();
    expect(normalizePhone(null)).toBeNull();
    expect(normalizePhone('2423423243')).toBeNull();
  });

  it('lists both Mexican forms as WhatsApp ids', () => {
    expect(whatsappIdVariants('5215512345678')).toEqual(['5215512345678', '525512345678']);
    expect(whatsappIdVariants('525512345678')).toEqual(['525512345678', '5215512345678']);
    expect(whatsappIdVariants('16505551234')).toEqual(['16505551234']);
  });
});
