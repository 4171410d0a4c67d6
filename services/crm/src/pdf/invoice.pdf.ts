import type { PdfLine } from './pdf.document';
import { createPdf, footerNote, header, linesTable, party, section, totalsBlock } from './pdf.document';
import type { Customer } from './quote.pdf';

export interface InvoicePdfData {
  reference: string;
  issuedOn: string;
  dueOn: string;
  status: string;
  currency: string;
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  amountPaid: number;
  balance: number;
  notes: string | null;
  quoteReference: string;
  contractReference: string | null;
}

/** The invoice: lines of the quote it bills, totals, what was paid and what is due. */
export async function renderInvoicePdf(input: {
  seller: string;
  invoice: InvoicePdfData;
  lines: readonly PdfLine[];
  customer: Customer;
  now: Date;
}): Promise<Buffer> {
  const { invoice: i } = input;
  const { doc, done } = createPdf({ title: `Invoice ${i.reference}`, author: input.seller, now: input.now });
  header(doc, {
    seller: input.seller,
    title: 'INVOICE',
    reference: i.reference,
    facts: [
      ['Issued', i.issuedOn],
      ['Due', i.dueOn],
      ['Status', i.status.replace('_', ' ')],
      [i.contractReference ? 'Contract' : 'Quote', i.contractReference ?? i.quoteReference],
    ],
  });
  party(doc, 'Bill to', input.customer);
  linesTable(doc, input.lines, i.currency);
  totalsBlock(
    doc,
    [
      ['Subtotal', i.subtotal],
      ...(i.discountTotal ? ([['Discount', -i.discountTotal]] as [string, number][]) : []),
      ['Tax', i.taxTotal],
      ['Total', i.total],
    ],
    i.currency,
  );
  totalsBlock(
    doc,
    [
      ['Paid', i.amountPaid],
      ['Balance due', i.balance],
    ],
    i.currency,
  );
  section(doc, 'Notes', i.notes);
  footerNote(doc, `Amounts in ${i.currency}.`);
  doc.end();
  return done;
}
