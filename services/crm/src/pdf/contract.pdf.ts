import type { QuoteRecord } from '../quotes/quote.repository';
import { createPdf, footerNote, header, linesTable, party, section, totalsBlock } from './pdf.document';
import type { Customer } from './quote.pdf';

export interface ContractPdfData {
  reference: string;
  title: string;
  terms: string | null;
  startsOn: string | null;
  endsOn: string | null;
  signedAt: string | null;
  signedBy: string | null;
  version: number | null;
}

/** The contract: parties, the accepted quote's lines and totals, the terms, the signature. */
export async function renderContractPdf(input: {
  seller: string;
  contract: ContractPdfData;
  quote: QuoteRecord;
  customer: Customer;
  now: Date;
}): Promise<Buffer> {
  const { contract: c, quote: q } = input;
  const { doc, done } = createPdf({ title: `Contract ${c.reference}`, author: input.seller, now: input.now });
  const period = c.startsOn || c.endsOn ? `${c.startsOn ?? '…'} – ${c.endsOn ?? '…'}` : null;
  header(doc, {
    seller: input.seller,
    title: 'CONTRACT',
    reference: c.reference,
    facts: [
      ['Quote', q.reference],
      ...(period ? ([['Period', period]] as [string, string][]) : []),
      ['Status', c.signedAt ? 'signed' : 'draft'],
      ...(c.version ? ([['Version', String(c.version)]] as [string, string][]) : []),
    ],
  });
  doc.font('bold').fontSize(14).text(c.title);
  doc.moveDown(0.5);
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
  section(doc, 'Terms', c.terms);
  section(
    doc,
    'Signature',
    c.signedAt
      ? `Signed by ${c.signedBy ?? input.customer.name} on ${c.signedAt.slice(0, 10)}.`
      : 'Draft — not signed.',
  );
  footerNote(doc, `Generated ${input.now.toISOString()}${c.version ? ` · version ${c.version}` : ' · preview'}`);
  doc.end();
  return done;
}
