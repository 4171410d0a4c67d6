import type { MessengerCredentials, VerifyResult, WebhookRequest } from '../channel.port';
import { verifyMetaHandshake, verifyMetaSignature } from '../meta/meta.signature';

export function verifyMessengerWebhook(credentials: MessengerCredentials, req: WebhookRequest): VerifyResult {
  return verifyMetaSignature(credentials.appSecret, req);
}

export function verifyMessengerHandshake(credentials: MessengerCredentials, query: Record<string, unknown>) {
  return verifyMetaHandshake(credentials.verifyToken, query);
}
