import { z } from 'zod';
import { ContactRef } from '../money/money.schemas';

export const consultationStatuses = ['pending', 'resolved'] as const;
export const ConsultationStatus = z.enum(consultationStatuses);

export const Consultation = z
  .object({
    id: z.uuid().meta({ description: 'The lead behind the consultation' }),
    leadId: z.uuid(),
    contact: ContactRef,
    conversationId: z.uuid().nullable(),
    channel: z.object({ id: z.uuid(), type: z.string() }).nullable(),
    status: ConsultationStatus,
    conversationStatus: z.enum(['open', 'pending', 'resolved']).nullable(),
    leadStatus: z.string(),
    funnelId: z.uuid().nullable(),
    stageId: z.uuid().nullable(),
    assigneeId: z.uuid().nullable(),
    notes: z.string().nullable(),
    lastActivityAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
  })
  .meta({
    id: 'Consultation',
    description:
      'A customer question handled in the inbox: a lead with caseType support or in a funnel of kind support, with its ' +
      'conversation. status: resolved when the conversation is resolved (or, without a conversation, when the lead is ' +
      'won/lost/discarded); pending otherwise.',
  });

export const ConsultationFilters = z.object({
  status: ConsultationStatus.optional(),
  assigneeId: z.uuid().optional(),
  contactId: z.uuid().optional(),
});
