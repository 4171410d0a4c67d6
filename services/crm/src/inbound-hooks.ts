// What the inbound worker calls inside the transaction that stores a customer's message (a
// small entry point: the worker loads these, not the whole CRM app).
export { createLeadForNewConversation, type NewConversationLead } from './leads/lead-auto';
export { attributeLeadToCampaign, referralKeys } from './campaigns/campaign.attribution';
