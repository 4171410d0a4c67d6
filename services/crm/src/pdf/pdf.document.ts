import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { formatAmount, formatBasisPoints, formatMoney } from '../money/money';

// The building blocks of the hub's documents (quotes, contracts, invoices), drawn with pdfkit.
//
// pdfkit's 14 built-in fonts only cover WinAnsi: Cyrillic comes out as garbage and some accents
// are lost. We embed DejaVu Sans (assets/fonts, Bitstream Vera licence — see LICENSE there);
// pdfkit subsets it and writes a ToUnicode map, so the text can also be searched and copied.

const fontsDir = fileURLToPath(new URL('../../assets/fonts/', import.meta.url));
let fonts: { regular: Buffer; bold: Buffer } | undefined;

function loadFonts(): { regular: Buffer; bold: Buffer } {
  fonts ??= {
    regular: readFileSync(`${fontsDir}DejaVuSans.ttf`),
    bold: readFileSync(`${fontsDir}DejaVuSans-Bold.ttf`),
  };
  return fonts;
}

export const MARGIN = 50;
const GREY = '#555555';
const LINE = '#cccccc';

export type Doc = PDFKit.PDFDocument;

/** A new A4 document with the embedded fonts; `done` resolves to the PDF bytes after doc.end(). */
export function createPdf(meta: { title: string; author: string; now: Date }): { doc: Doc; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: meta.title, Author: meta.author, Creator: 'Omnichannel Hub', CreationDate: meta.now },
  });
  const { regular, bold } = loadFonts();
  doc.registerFont('body', regular);
  doc.registerFont('bold', bold);
  doc.font('body');
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

const usable = (doc: Doc) => doc.page.width - MARGIN * 2;

/** Starts a new page when `height` more points would not fit. */
export function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
}

/** Seller name on the left, document title and reference on the right, a rule below. */
export function header(
  doc: Doc,
  h: { seller: string; title: string; reference: string; facts: [string, string][] },
): void {
  const top = doc.y;
  doc
    .font('bold')
    .fontSize(16)
    .fillColor('black')
    .text(h.seller, MARGIN, top, { width: usable(doc) / 2 });
  doc
    .font('bold')
    .fontSize(18)
    .text(h.title, MARGIN + usable(doc) / 2, top, { width: usable(doc) / 2, align: 'right' });
  doc
    .font('body')
    .fontSize(11)
    .text(h.reference, { width: usable(doc) / 2, align: 'right' });
  doc.moveDown(0.5);
  doc.fontSize(9).fillColor(GREY);
  for (const [label, value] of h.facts) doc.text(`${label}: ${value}`, { width: usable(doc) / 2, align: 'right' });
  doc.fillColor('black');
  rule(doc);
}

export function rule(doc: Doc): void {
  doc.moveDown(0.5);
  doc
    .moveTo(MARGIN, doc.y)
    .lineTo(doc.page.width - MARGIN, doc.y)
    .strokeColor(LINE)
    .lineWidth(0.5)
    .stroke();
  doc.moveDown(0.5);
}

/** "Customer" block: name in bold, then whatever of phone/email/address is known. */
export function party(
  doc: Doc,
  label: string,
  p: { name: string; phone?: string | null; email?: string | null; address?: string | null },
): void {
  doc.x = MARGIN;
  doc.font('body').fontSize(9).fillColor(GREY).text(label.toUpperCase(), MARGIN);
  doc.font('bold').fontSize(12).fillColor('black').text(p.name, MARGIN);
  doc.font('body').fontSize(10);
  for (const v of [p.phone, p.email, p.address]) if (v) doc.text(v, MARGIN);
  doc.moveDown(0.8);
}

export interface PdfLine {
  description: string;
  quantity: number;
  unitPrice: number;
  discountBp: number;
  taxRateBp: number;
  total: number;
}

/** The lines table. Amounts without the currency code (the header row names it). */
export function linesTable(doc: Doc, lines: readonly PdfLine[], currency: string): void {
  const w = usable(doc);
  const cols = [
    { title: 'Description', width: w * 0.38, align: 'left' as const },
    { title: 'Qty', width: w * 0.08, align: 'right' as const },
    { title: `Unit (${currency})`, width: w * 0.16, align: 'right' as const },
    { title: 'Disc.', width: w * 0.1, align: 'right' as const },
    { title: 'Tax', width: w * 0.1, align: 'right' as const },
    { title: `Total (${currency})`, width: w * 0.18, align: 'right' as const },
  ];
  const row = (cells: string[], font: 'body' | 'bold') => {
    doc.font(font).fontSize(9);
    const height = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: cols[i]!.width - 6 })));
    ensureRoom(doc, height + 6);
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      doc.text(c, x + 3, y, { width: cols[i]!.width - 6, align: cols[i]!.align });
      x += cols[i]!.width;
    });
    doc.y = y + height + 4;
    doc
      .moveTo(MARGIN, doc.y - 2)
      .lineTo(MARGIN + w, doc.y - 2)
      .strokeColor(LINE)
      .lineWidth(0.5)
      .stroke();
  };
  row(
    cols.map((c) => c.title),
    'bold',
  );
  for (const l of lines) {
    row(
      [
        l.description,
        String(l.quantity),
        formatAmount(l.unitPrice, currency),
        l.discountBp ? formatBasisPoints(l.discountBp) : '—',
        formatBasisPoints(l.taxRateBp),
        formatAmount(l.total, currency),
      ],
      'body',
    );
  }
  doc.x = MARGIN;
  doc.moveDown(0.5);
}

/** Label/amount pairs right-aligned under the table; the last one in bold. */
export function totalsBlock(doc: Doc, rows: [string, number][], currency: string): void {
  const w = usable(doc);
  ensureRoom(doc, rows.length * 16 + 10);
  rows.forEach(([label, amount], i) => {
    const last = i === rows.length - 1;
    const y = doc.y;
    doc.font(last ? 'bold' : 'body').fontSize(last ? 12 : 10);
    doc.text(label, MARGIN + w * 0.45, y, { width: w * 0.25, align: 'right' });
    doc.text(formatMoney(amount, currency), MARGIN + w * 0.7, y, { width: w * 0.3, align: 'right' });
    doc.moveDown(0.2);
  });
  doc.x = MARGIN;
  doc.font('body').fontSize(10);
  doc.moveDown(1);
}

/** A titled block of free text (notes, terms). */
export function section(doc: Doc, title: string, text: string | null | undefined): void {
  if (!text) return;
  ensureRoom(doc, 40);
  doc.x = MARGIN;
  doc.font('bold').fontSize(11).text(title, MARGIN);
  doc
    .font('body')
    .fontSize(10)
    .text(text, MARGIN, doc.y, { width: usable(doc) });
  doc.moveDown(1);
}

/** Small grey line at the end (generation time, version). */
export function footerNote(doc: Doc, text: string): void {
  doc.x = MARGIN;
  doc.font('body').fontSize(8).fillColor(GREY).text(text, MARGIN);
  doc.fillColor('black');
}

export const utcDay = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString()).slice(0, 10);
