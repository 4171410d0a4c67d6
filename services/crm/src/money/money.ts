import { AppError } from '@hub/shared/errors';

// Money arithmetic for quotes, invoices and campaign figures: integer minor units only (no
// floats anywhere), intermediate products in BigInt so `amount × basis points` cannot lose
// precision above 2^53.
//
// Rounding rule (the one rule, documented in the API):
//   * percentages are basis points (1 bp = 0.01 %; 10000 = 100 %);
//   * each line is rounded on its own, half away from zero ("half-up" for the non-negative
//     amounts of a quote), then lines are summed — the totals are exact sums of rounded lines:
//       subtotal = quantity × unitPrice
//       discount = round(subtotal × discountBp / 10000)
//       net      = subtotal − discount
//       tax      = round(net × taxRateBp / 10000)
//       total    = net + tax
//     quote.subtotal/discountTotal/taxTotal/total = Σ of the lines' values.
//   * campaign ratios (cost per lead, ROI, conversion rate) use the same rounding; ROI is given
//     in basis points, so ROI = 1.2345 (123.45 %) is 12345.

const BP = 10_000n;

/** round(a × b / d), half away from zero; d > 0. */
export function mulDivRound(a: bigint, b: bigint, d: bigint): bigint {
  if (d <= 0n) throw new Error('divisor must be positive');
  const p = a * b;
  const neg = p < 0n;
  const abs = neg ? -p : p;
  const q = (abs * 2n + d) / (2n * d);
  return neg ? -q : q;
}

/** round(n / d) half away from zero, on plain integers (both within Number.MAX_SAFE_INTEGER). */
export function divRound(n: number, d: number): number {
  return Number(mulDivRound(BigInt(n), 1n, BigInt(d)));
}

/** round(n × bp / 10000). */
export function applyBasisPoints(n: bigint, bp: number): bigint {
  return mulDivRound(n, BigInt(bp), BP);
}

/** n / d as basis points (12345 = 123.45 %), rounded half away from zero; null when d is 0. */
export function ratioBasisPoints(n: number, d: number): number | null {
  if (d === 0) return null;
  const neg = d < 0;
  return Number(mulDivRound(BigInt(neg ? -n : n), BP, BigInt(neg ? -d : d)));
}

export interface LineInput {
  quantity: number;
  unitPrice: number;
  discountBp: number;
  taxRateBp: number;
}

export interface LineAmounts {
  subtotal: number;
  discount: number;
  net: number;
  tax: number;
  total: number;
}

export interface DocumentTotals {
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
}

function safe(n: bigint, field: string): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new AppError('unprocessable', 'amount_too_large', `${field} is too large`, [
      { field, message: 'the amount exceeds what can be stored exactly' },
    ]);
  }
  return Number(n);
}

/** One line's amounts. `field` names the line in errors (e.g. 'lines.2'). */
export function lineAmounts(line: LineInput, field = 'lines'): LineAmounts {
  const subtotal = BigInt(line.quantity) * BigInt(line.unitPrice);
  const discount = applyBasisPoints(subtotal, line.discountBp);
  const net = subtotal - discount;
  const tax = applyBasisPoints(net, line.taxRateBp);
  return {
    subtotal: safe(subtotal, `${field}.subtotal`),
    discount: safe(discount, `${field}.discount`),
    net: safe(net, `${field}.net`),
    tax: safe(tax, `${field}.tax`),
    total: safe(net + tax, `${field}.total`),
  };
}

/** Totals = exact sums of the (already rounded) lines. */
export function documentTotals(lines: readonly LineAmounts[]): DocumentTotals {
  const sum = (k: keyof LineAmounts) => lines.reduce((s, l) => s + BigInt(l[k]), 0n);
  return {
    subtotal: safe(sum('subtotal'), 'subtotal'),
    discountTotal: safe(sum('discount'), 'discountTotal'),
    taxTotal: safe(sum('tax'), 'taxTotal'),
    total: safe(sum('total'), 'total'),
  };
}

/** Digits after the decimal point of a currency (EUR 2, JPY 0, KWD 3), from ICU. */
export function currencyExponent(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * 123456 EUR → "1,234.56". Built from the integer, never through a float, and the same
 * whatever the server's locale (PDFs and notes must not depend on it).
 */
export function formatAmount(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const neg = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp) || '0';
  const frac = exp > 0 ? `.${digits.slice(digits.length - exp)}` : '';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}${frac}`;
}

/** 123456 EUR → "1,234.56 EUR". */
export function formatMoney(minor: number, currency: string): string {
  return `${formatAmount(minor, currency)} ${currency}`;
}

/** 2150 bp → "21.5 %"; 1000 → "10 %". */
export function formatBasisPoints(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const frac = String(Math.abs(bp % 100))
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${whole}${frac ? `.${frac}` : ''} %`;
}
