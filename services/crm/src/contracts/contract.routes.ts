import { z } from 'zod';
import { access, type ApiRouter } from '../http/route';
import { crudRoutes } from '../http/crud';
import { pdfRoute } from '../pdf/pdf.route';
import {
  Contract,
  ContractFilters,
  ContractPatch,
  ContractSign,
  ContractVersion,
  NewContract,
} from './contract.schemas';
import { contractService } from './contract.service';

/** /api/v1/contracts — contracts from accepted quotes, signed into versioned PDFs. */
export function contractRoutes(api: ApiRouter): void {
  const tags = ['Contracts'];
  api.route({
    method: 'post',
    path: '/contracts/:id/sign',
    access: access.can('contracts', 'update'),
    summary: 'Sign a contract: generates and keeps its PDF (version 1)',
    tags,
    body: ContractSign,
    response: Contract,
    errors: { 409: 'Already signed (contract_already_signed).' },
    handler: (c) => contractService.sign(c, c.params.id!, c.body),
  });
  api.route({
    method: 'get',
    path: '/contracts/:id/versions',
    access: access.can('contracts', 'read'),
    summary: 'The PDF versions of a contract, oldest first',
    tags,
    response: z.object({ items: z.array(ContractVersion) }).meta({ id: 'ContractVersionList' }),
    handler: (c) => contractService.versions(c, c.params.id!),
  });
  pdfRoute(api, {
    path: '/contracts/:id/pdf',
    resource: 'contracts',
    summary: 'The contract’s PDF: the latest signed version, or a preview of a draft',
    tags,
    render: (c) => contractService.pdf(c, c.params.id!),
  });
  pdfRoute(api, {
    path: '/contracts/:id/versions/:version/pdf',
    resource: 'contracts',
    summary: 'One PDF version of a contract',
    tags,
    params: z.object({ id: z.uuid(), version: z.coerce.number().int().min(1).max(1_000_000) }),
    render: (c) => contractService.pdf(c, c.params.id, c.params.version),
  });
  crudRoutes(api, {
    path: '/contracts',
    resource: 'contracts',
    tag: 'Contracts',
    noun: 'contract',
    record: Contract,
    create: NewContract,
    update: ContractPatch,
    filters: ContractFilters,
    softDelete: true,
    conflicts:
      'The quote is not accepted (quote_not_accepted) or already has a contract (quote_has_contract); ' +
      'a contract with invoices cannot be deleted (contract_in_use).',
    service: contractService,
  });
}
