import type { Runtime } from '@hub/shared/runtime';
import { createMediaStorage } from '@hub/shared/storage';
import type { ApiRouter } from '../http/route';
import { catalogRoutes } from '../catalog/catalog.routes';
import { campaignRoutes } from '../campaigns/campaign.routes';
import { consultationRoutes } from '../consultations/consultation.routes';
import { contractRoutes } from '../contracts/contract.routes';
import { customerRoutes } from '../customers/customer.routes';
import { invoiceRoutes } from '../invoices/invoice.routes';
import { paymentRoutes } from '../payments/payment.routes';
import { defaultOutboundHandOff, type OutboundHandOff } from '../quotes/outbound.handoff';
import { quoteRoutes } from '../quotes/quote.routes';

/**
 * "From chat to cash": services, campaigns (+ stats), quotes (+ PDF, send to conversation),
 * contracts (+ versioned PDFs), invoices (+ PDF), payments, lead conversion, contact notes and
 * consultations — all declared on the v1 ApiRouter (auth, permission matrix, zod, OpenAPI).
 */
export function moneyRoutes(api: ApiRouter, rt: Runtime, opts: { handOff?: OutboundHandOff } = {}): void {
  const logger = rt.logger.child({ module: 'money' });
  catalogRoutes(api);
  campaignRoutes(api);
  quoteRoutes(api, {
    db: rt.database.db,
    storage: createMediaStorage(rt.config),
    bus: rt.bus,
    logger,
    handOff: opts.handOff ?? defaultOutboundHandOff(logger),
  });
  contractRoutes(api);
  invoiceRoutes(api);
  paymentRoutes(api);
  customerRoutes(api);
  consultationRoutes(api);
}
