// Repositories, mappers and rules shared by the services that touch channels, contacts'
// platform identities, conversations and messages (ingest, worker, crm, gateway).
export * from './channel.schemas';
export * from './channel.repository';
export * from './channel.cache';
export * from './contact-identity.repository';
export * from './conversation.repository';
export * from './conversation.visibility';
export * from './media.repository';
export * from './message.mapper';
export * from './message.repository';
export * from './message-status';
export * from './phone';
export * from './realtime';
export * from './webhook-event.repository';
export * from './ingest.jobs';
export * from './inbound.bulk';
export * from './outbound';
export type { EditHistoryEntry, StatusHistoryEntry, StoredMedia, WebhookNote } from '../db/tables/ingest.tables';
