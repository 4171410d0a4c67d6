import { z } from 'zod';
import { Message } from '@hub/shared/domain';
import { access, type ApiRouter } from '../http/route';
import { crudRoutes } from '../http/crud';
import { pdfRoute } from '../pdf/pdf.route';
import { NewQuote, Quote, QuoteFilters, QuotePatch, QuoteStatusChange, SendQuote } from './quote.schemas';
import { quoteService, quoteRecord } from './quote.service';
import { quotePdf, sendQuoteToConversation, type QuoteDocumentDeps } from './quote-send.service';

/** /api/v1/quotes — numbered quotes with server-side totals, their PDF, and sending it into the chat. */
export function quoteRoutes(api: ApiRouter, deps: QuoteDocumentDeps): void {
  const tags = ['Quotes'];
  api.route({
    method: 'post',
    path: '/quotes/:id/status',
    access: access.can('quotes', 'update'),
    summary: 'Change a quote’s status',
    description:
      'Allowed: draft → sent; sent → accepted | rejected | expired | draft; rejected | expired → draft. ' +
      'Anything else answers 409 invalid_status_transition; accepting after validUntil answers 409 quote_expired.',
    tags,
    body: QuoteStatusChange,
    response: Quote,
    errors: { 409: 'Not an allowed transition (invalid_status_transition) or past validUntil (quote_expired).' },
    handler: (c) => quoteService.setStatus(c, c.params.id!, c.body.status),
  });
  api.route({
    method: 'post',
    path: '/quotes/:id/send-to-conversation',
    access: access.can('quotes', 'update'),
    summary: 'Send the quote’s PDF into the customer’s conversation as a document',
    description:
      'Adds an outbound document message (status queued, the PDF as its media) to the conversation named, else the ' +
      'lead’s conversation, else the customer’s latest one, and marks a draft quote sent. Works on any channel: the ' +
      'outbound pipeline uploads the document to the platform.',
    tags,
    body: SendQuote,
    status: 202,
    response: z.object({ message: Message, quote: Quote }).meta({ id: 'QuoteSent' }),
    errors: {
      409: 'The quote is rejected/expired (quote_not_sendable) or the customer has no conversation (no_conversation).',
    },
    handler: (c) => sendQuoteToConversation(deps, c, c.params.id!, c.body),
  });
  pdfRoute(api, {
    path: '/quotes/:id/pdf',
    resource: 'quotes',
    summary: 'The quote as a PDF',
    tags,
    render: async (c) => {
      const quote = await quoteRecord(c.scope, c.params.id!);
      return { fileName: `${quote.reference}.pdf`, bytes: await quotePdf(c.scope, quote, c.now) };
    },
  });
  crudRoutes(api, {
    path: '/quotes',
    resource: 'quotes',
    tag: 'Quotes',
    noun: 'quote',
    record: Quote,
    create: NewQuote,
    update: QuotePatch,
    filters: QuoteFilters,
    softDelete: true,
    conflicts: 'The quote is not a draft (quote_not_editable) or has a contract/invoice (quote_in_use).',
    service: quoteService,
  });
}
