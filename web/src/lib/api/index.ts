export * as api from './endpoints';
export { ApiError, configureClient, API_BASE } from './client';
export type * from './schemas';
export type {
  SendBody,
  ConversationQuery,
  LeadQuery,
  ContactQuery,
  ContactInput,
  LeadInput,
  LeadPatch,
} from './endpoints';
