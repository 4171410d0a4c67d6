import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  divRound,
  documentTotals,
  formatBasisPoints,
  formatMoney,
  lineAmounts,
  mulDivRound,
  ratioBasisPoints,
} from './money';

describe('money arithmetic', () => {
  it('rounds half away from zero', () => {
    expect(mulDivRound(45n, 1000n, 10000n)).toBe(5n); // 4.5
    expect(mulDivRound(44n, 1000n, 10000n)).toBe(4n); // 4.4
    expect(mulDivRound(-45n, 1000n, 10000n)).toBe(-5n);
    expect(divRound(10_001, 2)).toBe(5001); // 5000.5
    expect(divRound(10_000, 3)).toBe(3333);
    expect(ratioBasisPoints(-30_000, 30_000)).toBe(-10_000);
    expect(ratioBasisPoints(1, 3)).toBe(3333);
    expect(ratioBasisPoints(2, 3)).toBe(6667);
    expect(ratioBasisPoints(5, 0)).toBeNull();
  });

  it('prices a line and sums lines exactly', () => {
    const l = lineAmounts({ quantity: 3, unitPrice: 1999, discountBp: 1250, taxRateBp: 2100 });
    expect(l).toEqual({ subtotal: 5997, discount: 750, net: 5247, tax: 1102, total: 6349 });
    expect(documentTotals([l, l])).toEqual({ subtotal: 11_994, discountTotal: 1500, taxTotal: 2204, total: 12_698 });
  });

  it('stays exact above 2^53 in the intermediate products, and refuses totals it cannot store', () => {
    // 9e12 × 10000 bp would lose precision as a double.
    expect(lineAmounts({ quantity: 1, unitPrice: 9_000_000_000_001, discountBp: 0, taxRateBp: 2100 }).tax).toBe(
      1_890_000_000_000,
    );
    expect(() =>
      lineAmounts({ quantity: 1_000_000, unitPrice: Number.MAX_SAFE_INTEGER, discountBp: 0, taxRateBp: 0 }, 'lines.0'),
    ).toThrow(/lines\.0\.subtotal is too large/);
  });

  it('keeps every line consistent: net + tax = total, discount ≤ subtotal (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 30_000 }),
        (quantity, unitPrice, discountBp, taxRateBp) => {
          const l = lineAmounts({ quantity, unitPrice, discountBp, taxRateBp });
          expect(l.subtotal).toBe(quantity * unitPrice);
          expect(l.net + l.tax).toBe(l.total);
          expect(l.subtotal - l.discount).toBe(l.net);
          expect(l.discount).toBeLessThanOrEqual(l.subtotal);
          // Within half a minor unit of the exact value.
          expect(Math.abs(l.discount - (l.subtotal * discountBp) / 10_000)).toBeLessThanOrEqual(0.5);
        },
      ),
    );
  });

  it('formats amounts from integers, independent of locale', () => {
    expect(formatMoney(123_456, 'EUR')).toBe('1,234.56 EUR');
    expect(formatMoney(5, 'EUR')).toBe('0.05 EUR');
    expect(formatMoney(-1000, 'EUR')).toBe('-10.00 EUR');
    expect(formatMoney(1500, 'JPY')).toBe('1,500 JPY');
    expect(formatMoney(1_234_567, 'KWD')).toBe('1,234.567 KWD');
    expect(formatBasisPoints(2100)).toBe('21 %');
    expect(formatBasisPoints(1250)).toBe('12.5 %');
    expect(formatBasisPoints(5)).toBe('0.05 %');
  });
});
