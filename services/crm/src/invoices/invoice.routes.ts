import { access, type ApiRouter } from '../http/route';
import { crudRoutes } from '../http/crud';
import { pdfRoute } from '../pdf/pdf.route';
import { Invoice, InvoiceFilters, InvoicePatch, InvoiceVoid, NewInvoice } from './invoice.schemas';
import { invoiceService } from './invoice.service';

/** /api/v1/invoices — numbered invoices from a signed contract or an accepted quote. */
export function invoiceRoutes(api: ApiRouter): void {
  const tags = ['Invoices'];
  api.route({
    method: 'post',
    path: '/invoices/:id/void',
    access: access.can('invoices', 'update'),
    summary: 'Void an invoice nothing was paid on',
    tags,
    body: InvoiceVoid,
    response: Invoice,
    errors: { 409: 'Payments were received (invoice_has_payments).' },
    handler: (c) => invoiceService.void(c, c.params.id!, c.body),
  });
  pdfRoute(api, {
    path: '/invoices/:id/pdf',
    resource: 'invoices',
    summary: 'The invoice as a PDF',
    tags,
    render: (c) => invoiceService.pdf(c, c.params.id!),
  });
  // No DELETE: an invoice is voided, never removed (numbering has no gaps).
  crudRoutes(api, {
    path: '/invoices',
    resource: 'invoices',
    tag: 'Invoices',
    noun: 'invoice',
    record: Invoice,
    create: NewInvoice,
    update: InvoicePatch,
    filters: InvoiceFilters,
    conflicts:
      'The contract is not signed (contract_not_signed), the quote is not accepted (quote_not_accepted) or already ' +
      'invoiced (already_invoiced); a void invoice cannot change (invoice_void).',
    service: {
      create: invoiceService.create,
      list: invoiceService.list,
      get: invoiceService.get,
      update: invoiceService.update,
    },
  });
}
