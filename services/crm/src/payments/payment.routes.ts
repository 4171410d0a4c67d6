import { access, type ApiRouter } from '../http/route';
import { crudRoutes } from '../http/crud';
import { NewPayment, Payment, PaymentFilters } from './payment.schemas';
import { paymentService } from './payment.service';

/** /api/v1/payments — money received against invoices; the invoice's status follows the balance. */
export function paymentRoutes(api: ApiRouter): void {
  // Declared on its own (not through crudRoutes) to document its 422.
  api.route({
    method: 'post',
    path: '/payments',
    access: access.can('payments', 'create'),
    summary: 'Record a payment against an invoice',
    description:
      'The invoice’s amountPaid and status (pending → partially_paid → paid) follow from the balance, and the payment’s ' +
      'kind is total when it leaves a zero balance, else partial. An amount above the balance is refused.',
    tags: ['Payments'],
    body: NewPayment,
    status: 201,
    response: Payment,
    errors: {
      409: 'The invoice is void (invoice_void).',
      422: 'The amount exceeds the balance due (payment_exceeds_balance, details name `amount`) or the currency differs (currency_mismatch).',
    },
    handler: (c) => paymentService.create(c, c.body),
  });
  crudRoutes(api, {
    path: '/payments',
    resource: 'payments',
    tag: 'Payments',
    noun: 'payment',
    record: Payment,
    filters: PaymentFilters,
    softDelete: true,
    service: { list: paymentService.list, get: paymentService.get, remove: paymentService.remove },
  });
}
