import type { VerifyResult, WebhookRequest, WhatsAppCredentials } from '../channel.port';
import { verifyMetaHandshake, verifyMetaSignature } from '../meta/meta.signature';

export function verifyWhatsAppWebhook(credentials: WhatsAppCredentials, req: WebhookRequest): VerifyResult {
  return verifyMetaSignature(credentials.appSecret, req);
}

export function verifyWhatsAppHandshake(credentials: WhatsAppCredentials, query: Record<string, unknown>) {
  return verifyMetaHandshake(credentials.verifyToken, query);
}
