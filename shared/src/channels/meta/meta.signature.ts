import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifyResult, WebhookRequest } from '../channel.port';
import { headerValue, secureEquals } from '../common/secure-compare';

// Meta (WhatsApp and Messenger) signs every POST with X-Hub-Signature-256:
// sha256=<hex HMAC-SHA256(app secret, body)>. The HMAC covers the bytes as sent, where Meta
// has escaped non-ASCII as \uXXXX, so it must run over the raw body, never re-serialised JSON.
// https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

export function verifyMetaSignature(appSecret: string, req: WebhookRequest): VerifyResult {
  if (!appSecret) return { ok: false, reason: 'channel has no app secret' };
  const header = headerValue(req.headers, 'x-hub-signature-256');
  if (header === undefined) {
    // The legacy SHA-1 header alone is not accepted: SHA-1 HMACs are deprecated by Meta.
    return headerValue(req.headers, 'x-hub-signature') !== undefined
      ? { ok: false, reason: 'only the legacy sha1 X-Hub-Signature was sent; X-Hub-Signature-256 is required' }
      : { ok: false, reason: 'missing X-Hub-Signature-256 header' };
  }
  const match = SIGNATURE.exec(header.trim());
  if (!match) return { ok: false, reason: 'malformed X-Hub-Signature-256 header (expected sha256=<64 hex>)' };
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', appSecret).update(req.rawBody).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature mismatch' };
  }
  return { ok: true };
}

/** `sha256=<hex>` for a body, as Meta computes it (used by tests and the fake platforms). */
export function metaSignature(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

// GET handshake, sent when the callback URL or verify token is edited:
// ?hub.mode=subscribe&hub.challenge=<n>&hub.verify_token=<ours> → 200 with the raw challenge.
// https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
export function verifyMetaHandshake(
  verifyToken: string,
  query: Record<string, unknown>,
): { ok: true; challenge: string } | { ok: false } {
  const mode = queryParam(query, 'mode');
  const token = queryParam(query, 'verify_token');
  const challenge = queryParam(query, 'challenge');
  if (mode !== 'subscribe' || token === undefined || challenge === undefined || !verifyToken) return { ok: false };
  return secureEquals(token, verifyToken) ? { ok: true, challenge } : { ok: false };
}

// `hub.mode` arrives as a flat key with a simple query parser, or nested ({hub:{mode}}) with
// qs's allowDots; accept both. Repeated parameters (arrays) are refused.
function queryParam(query: Record<string, unknown>, name: string): string | undefined {
  const flat = query[`hub.${name}`];
  if (typeof flat === 'string') return flat;
  const hub = query['hub'];
  if (hub && typeof hub === 'object' && !Array.isArray(hub)) {
    const nested = (hub as Record<string, unknown>)[name];
    if (typeof nested === 'string') return nested;
  }
  return undefined;
}
