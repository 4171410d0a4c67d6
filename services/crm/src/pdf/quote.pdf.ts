import type { QuoteRecord } from '../quotes/quote.repository';
import { createPdf, footerNote, header, linesTable, party, section, totalsBlock, utcDay } from './pdf.document';

export interface Customer {
  name: string;
  phone?: string | null;
  email?: string | null;
  address?: string | null;
}

/** The quote as the customer receives it: lines, discounts, taxes and totals. */
export async function renderQuotePdf(input: {
  seller: string;
  quote: QuoteRecord;
  customer: Customer;
  now: Date;
}): Promise<Buffer> {
  const { quote: q } = input;
  const { doc, done } = createPdf({ title: `Quote ${q.reference}`, author: input.seller, now: input.now });
  header(doc, {
    seller: input.seller,
    title: 'QUOTE',
    reference: q.reference,
    facts: [
      ['Date', utcDay(q.createdAt)],
      ...(q.validUntil ? ([['Valid until', q.validUntil]] as [string, string][]) : []),
      ['Status', q.status],
    ],
  });
  party(doc, 'Customer', input.customer);
  linesTable(doc, q.lines, q.currency);
  totalsBlock(
    doc,
    [
      ['Subtotal', q.subtotal],
      ...(q.discountTotal ? ([['Discount', -q.discountTotal]] as [string, number][]) : []),
      ['Tax', q.taxTotal],
      ['Total', q.total],
    ],
    q.currency,
  );
  section(doc, 'Notes', q.notes);
  footerNote(
    doc,
    `Amounts in ${q.currency}. Each line is rounded to the cent on its own; totals are sums of the lines.`,
  );
  doc.end();
  return done;
}
