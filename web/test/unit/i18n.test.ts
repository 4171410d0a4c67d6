import { describe, expect, it } from 'vitest';
import { en } from '../../src/lib/i18n/en';
import { es } from '../../src/lib/i18n/es';
import { formatDuration, interpolate } from '../../src/lib/i18n/format';

describe('i18n', () => {
  it('has every Spanish key in English and no extra one', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(es).sort());
  });

  it('uses the same placeholders in both languages', () => {
    const names = (s: string) => [...s.matchAll(/(?<!\{)\{(\w+)\}(?!\})/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(es) as (keyof typeof es)[]) expect(names(en[key]), key).toEqual(names(es[key]));
  });

  it('fills placeholders and leaves unknown ones and template variables alone', () => {
    expect(interpolate('{n} sin leer', { n: 3 })).toBe('3 sin leer');
    expect(interpolate('Hola {name} {{contact.name}}', {})).toBe('Hola {name} {{contact.name}}');
  });

  it('formats durations without rounding a 23 h 59 min window up to a day', () => {
    const units = {
      s: (n: number) => `${n}s`,
      m: (n: number) => `${n}m`,
      hm: (h: number, m: number) => `${h}h${m}m`,
      d: (n: number) => `${n}d`,
    };
    expect(formatDuration(86_399.6, units)).toBe('23h59m');
    expect(formatDuration(59.9, units)).toBe('59s');
    expect(formatDuration(3 * 86_400, units)).toBe('3d');
  });
});
