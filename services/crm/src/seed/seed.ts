import { randomUUID } from 'node:crypto';
import { scoped, type AuthContext, type Role } from '@hub/shared/auth';
import type { Db } from '@hub/shared/db';
import { getOrCreateConversation, insertMessage, recordMessageOnConversation } from '@hub/shared/domain';
import { catalogService } from '../catalog/catalog.service';
import { NewService } from '../catalog/catalog.schemas';
import { campaignService } from '../campaigns/campaign.service';
import { NewCampaign } from '../campaigns/campaign.schemas';
import { contactService } from '../contacts/contact.service';
import { NewContact } from '../contacts/contact.schemas';
import { contractService } from '../contracts/contract.service';
import { convertLead } from '../customers/lead-convert.service';
import { listFunnelRows, stagesOf } from '../funnels/funnel.repository';
import type { CrudContext } from '../http/crud';
import { invoiceService } from '../invoices/invoice.service';
import { leadService } from '../leads/lead.service';
import { NewLead } from '../leads/lead.schemas';
import { addDays, dayOf } from '../money/money.schemas';
import { paymentService } from '../payments/payment.service';
import { quoteService } from '../quotes/quote.service';
import { NewQuote } from '../quotes/quote.schemas';
import { userService, NewUser } from '../users/user.service';
import {
  activeUsersOf,
  contactIdByPhone,
  findWorkspaceById,
  firstChannelOf,
  hasServices,
  resolveConversation,
} from './seed.repository';
import { demoCampaigns, demoConsultations, demoContacts, demoDeals, demoServices, demoUsers } from './seed.data';

// Fills one workspace with the demo data set (seed.data.ts) through the same services the API
// uses — so numbering, totals, audit rows, contract PDFs and notes are exactly what real use
// produces. Conversations are only added when the workspace has a channel to hang them on.

export interface SeedOptions {
  workspaceId: string;
  /** Password of the demo users created for the roles the workspace lacks. */
  password: string;
  now?: Date;
  /** Seed even when the workspace already has services (adds a second batch of everything but users/contacts). */
  force?: boolean;
}

export interface SeedSummary {
  skipped: boolean;
  users: { email: string; role: string; created: boolean }[];
  services: number;
  campaigns: number;
  contacts: number;
  leads: number;
  quotes: number;
  contracts: number;
  invoices: number;
  payments: number;
  consultations: number;
  conversations: number;
}

export async function seedWorkspace(db: Db, opts: SeedOptions): Promise<SeedSummary> {
  const now = opts.now ?? new Date();
  const today = dayOf(now);
  const summary: SeedSummary = {
    skipped: false,
    users: [],
    services: 0,
    campaigns: 0,
    contacts: 0,
    leads: 0,
    quotes: 0,
    contracts: 0,
    invoices: 0,
    payments: 0,
    consultations: 0,
    conversations: 0,
  };
  const ws = await findWorkspaceById(db, opts.workspaceId);
  if (!ws) throw new Error(`no workspace ${opts.workspaceId}`);
  const users = await activeUsersOf(db, ws.id);
  const admin = users.find((u) => u.role === 'admin');
  if (!admin) throw new Error(`workspace ${ws.name} has no active admin`);
  const ctxOf = (userId: string, role: Role): CrudContext => {
    const auth: AuthContext = { userId, workspaceId: ws.id, role };
    return { auth, scope: scoped(db, auth), now };
  };
  const adminCtx = ctxOf(admin.id, 'admin');
  if ((await hasServices(db, ws.id)) && !opts.force) return { ...summary, skipped: true };

  // One user per role (the ones the workspace lacks), so every screen can be tried.
  const byRole = new Map<string, string>(users.map((u) => [u.role, u.id]));
  for (const u of users) summary.users.push({ email: u.email, role: u.role, created: false });
  const short = ws.id.slice(0, 8);
  for (const d of demoUsers) {
    if (byRole.has(d.role)) continue;
    const email = `${d.slug}.${short}@example.com`;
    const rec = await userService.create(
      adminCtx,
      NewUser.parse({ name: d.name, email, password: opts.password, role: d.role }),
    );
    byRole.set(d.role, rec.id);
    summary.users.push({ email, role: d.role, created: true });
  }
  const marketer = ctxOf(byRole.get('marketer')!, 'marketer');
  const manager = ctxOf(byRole.get('manager')!, 'manager');
  const agentId = byRole.get('agent')!;

  const services = new Map<string, string>();
  for (const s of demoServices) {
    const rec = await catalogService.create(
      marketer,
      NewService.parse({
        name: s.name,
        description: s.description,
        price: s.price,
        currency: 'EUR',
        active: 'active' in s ? s.active : true,
      }),
    );
    services.set(s.key, rec.id);
    summary.services++;
  }

  const campaigns = new Map<string, string>();
  for (const c of demoCampaigns) {
    const [from, to] = c.days;
    const rec = await campaignService.create(
      marketer,
      NewCampaign.parse({
        name: c.name,
        channel: c.channel,
        source: c.source,
        budget: c.budget,
        currency: 'EUR',
        startsAt: new Date(now.getTime() + from * 86_400_000).toISOString(),
        endsAt: to === null ? null : new Date(now.getTime() + to * 86_400_000).toISOString(),
        ...('adIds' in c ? { adIds: [...c.adIds] } : {}),
        ...('landingUrl' in c ? { landingUrl: c.landingUrl } : {}),
        ...('refCode' in c ? { refCode: c.refCode } : {}),
      }),
    );
    campaigns.set(c.key, rec.id);
    summary.campaigns++;
  }

  // Contacts: reuse the ones already there (same phone), create the others.
  const contacts = new Map<string, string>();
  for (const c of demoContacts) {
    const found = await contactIdByPhone(db, ws.id, c.phone);
    if (found) {
      contacts.set(c.key, found);
      continue;
    }
    const { key, ...body } = c;
    const rec = await contactService.create(adminCtx, NewContact.parse(body));
    contacts.set(key, rec.id);
    summary.contacts++;
  }

  // A channel to hang conversations on, if the workspace has one (the seed never invents channels).
  const channel = await firstChannelOf(db, ws.id);
  /** The contact's conversation on the channel (null without a channel), and whether it is new. */
  const conversationWith = async (
    contactKey: string,
    inbound: string[],
  ): Promise<{ id: string; created: boolean } | null> => {
    if (!channel) return null;
    return db.transaction().execute(async (trx) => {
      const at = new Date(now.getTime() - 3_600_000);
      const conv = await getOrCreateConversation(trx, {
        workspaceId: ws.id,
        channelId: channel.id,
        contactId: contacts.get(contactKey)!,
        at,
      });
      for (const [i, text] of inbound.entries()) {
        const sentAt = new Date(at.getTime() + i * 60_000);
        const m = await insertMessage(trx, {
          workspace_id: ws.id,
          conversation_id: conv.row.id,
          channel_id: channel.id,
          direction: 'in',
          type: 'text',
          text,
          status: 'received',
          provider_message_id: `seed-${randomUUID()}`,
          sent_at: sentAt,
        });
        await recordMessageOnConversation(trx, conv.row.id, {
          messageId: m.id,
          sentAt,
          direction: 'in',
          countsAsUnread: true,
          becomesLastMessage: true,
        });
      }
      if (conv.created) summary.conversations++;
      return { id: conv.row.id, created: conv.created };
    });
  };

  const sales = (await listFunnelRows(adminCtx.scope, 'sales'))[0];
  const salesStages = sales ? await stagesOf(adminCtx.scope, [sales.id]) : [];

  for (const deal of demoDeals) {
    const conversationId =
      deal.source === 'whatsapp' || deal.source === 'telegram' || deal.source === 'messenger'
        ? ((await conversationWith(deal.contact, ['Hola, quería información sobre vuestros servicios.']))?.id ?? null)
        : null;
    const lead = await leadService.create(
      adminCtx,
      NewLead.parse({
        contactId: contacts.get(deal.contact)!,
        source: deal.source,
        caseType: 'sale',
        status: deal.status === 'won' ? 'negotiation' : deal.status,
        currency: 'EUR',
        ...(conversationId ? { conversationId } : {}),
        ...(deal.campaign ? { campaignId: campaigns.get(deal.campaign) } : {}),
        ...(deal.assignToAgent ? { assigneeId: agentId } : {}),
      }),
    );
    summary.leads++;
    // Walk the funnel stage by stage, so the stage history reads like real work.
    for (let i = 1; i <= deal.stage && i < salesStages.length; i++)
      await leadService.move(adminCtx, lead.id, salesStages[i]!.id);
    if (!deal.quote) continue;

    const quote = await quoteService.create(
      manager,
      NewQuote.parse({
        leadId: lead.id,
        currency: 'EUR',
        validUntil: addDays(today, 30),
        lines: deal.quote.lines.map((l) => ({
          serviceId: services.get(l.service),
          quantity: l.quantity,
          discountBp: l.discountBp ?? 0,
          taxRateBp: l.taxRateBp ?? 0,
        })),
      }),
    );
    summary.quotes++;
    const q = deal.quote.status;
    if (q !== 'draft') await quoteService.setStatus(manager, quote.id, 'sent');
    if (q === 'accepted' || q === 'rejected') await quoteService.setStatus(manager, quote.id, q);

    let contractId: string | undefined;
    if (deal.contract) {
      const contract = await contractService.create(manager, {
        quoteId: quote.id,
        title: `Contrato de servicios — ${quote.reference}`,
        terms:
          'Duración de 12 meses desde la firma. Pago a 30 días desde la emisión de cada factura. ' +
          'Cualquiera de las partes puede resolver el contrato con un preaviso de 30 días.',
        startsOn: today,
        endsOn: addDays(today, 365),
      });
      summary.contracts++;
      if (deal.contract === 'signed') await contractService.sign(manager, contract.id, {});
      contractId = contract.id;
    }
    if (deal.invoice) {
      const issuedOn = addDays(today, -deal.invoice.issuedDaysAgo);
      const invoice = await invoiceService.create(manager, {
        ...(contractId && deal.contract === 'signed' ? { contractId } : { quoteId: quote.id }),
        issuedOn,
        dueOn: addDays(issuedOn, 30),
      });
      summary.invoices++;
      let balance = invoice.total;
      for (const [i, p] of deal.invoice.payments.entries()) {
        const amount = p === 'rest' ? balance : Math.min(p, balance);
        if (amount <= 0) break;
        await paymentService.create(manager, {
          invoiceId: invoice.id,
          amount,
          method: i === 0 ? 'transfer' : 'bizum',
          paidAt: new Date(now.getTime() - (deal.invoice.issuedDaysAgo - i - 1) * 86_400_000).toISOString(),
          reference: `DEMO-${invoice.number}-${i + 1}`,
        });
        balance -= amount;
        summary.payments++;
      }
    }
    if (deal.convert) await convertLead(adminCtx, lead.id, {});
  }

  // Consultations: support leads (their own funnel), with a conversation when there is a channel.
  for (const c of demoConsultations) {
    // A conversation has one lead: a customer already chatting about a sale asks in that chat.
    const conv = await conversationWith(c.contact, [c.notes]);
    const conversationId = conv?.created ? conv.id : null;
    const lead = await leadService.create(
      adminCtx,
      NewLead.parse({
        contactId: contacts.get(c.contact)!,
        source: channel && conversationId ? (channel.type as 'whatsapp') : 'manual',
        caseType: 'support',
        notes: c.notes,
        ...(conversationId ? { conversationId } : {}),
      }),
    );
    summary.consultations++;
    if (c.resolved) {
      if (conversationId) {
        await resolveConversation(db, conversationId, now);
      } else {
        await leadService.setStatus(adminCtx, lead.id, 'won');
      }
    }
  }
  return summary;
}
