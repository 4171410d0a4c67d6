import { createHmac, timingSafeEqual } from 'node:crypto';

// Media we send is fetched by the platform from us: WhatsApp `link`, Messenger attachment
// `payload.url` and Telegram's "pass an HTTP URL" all take a public URL. So a stored file gets
// a signed, expiring link — `${HUB_PUBLIC_URL}/api/v1/media/public/<token>` — that needs no
// login and names one file until it expires. The token is `<fileId>.<expiry s>.<hmac>`; the
// key is derived from HUB_ENCRYPTION_KEY, so it never equals a key used for anything else.

/** How long a platform may take to fetch (Meta fetches within minutes; Telegram at once). */
export const PUBLIC_MEDIA_TTL_MS = 24 * 60 * 60 * 1000;

export function mediaUrlKey(encryptionKey: string): Buffer {
  return createHmac('sha256', encryptionKey).update('hub:public-media-url:v1').digest();
}

function mac(key: Buffer, fileId: string, exp: number): string {
  return createHmac('sha256', key).update(`${fileId}.${exp}`).digest('base64url');
}

export function signMediaToken(key: Buffer, fileId: string, expiresAt: Date): string {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  return `${fileId}.${exp}.${mac(key, fileId, exp)}`;
}

/** The file id the token names, if it is genuine and not expired. */
export function verifyMediaToken(key: Buffer, token: string, now: Date): string | undefined {
  const m = /^([0-9a-f-]{36})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return undefined;
  const [, fileId, expText, given] = m as unknown as [string, string, string, string];
  const exp = Number(expText);
  const want = Buffer.from(mac(key, fileId, exp));
  const got = Buffer.from(given);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  if (exp * 1000 < now.getTime()) return undefined;
  return fileId;
}

export function publicMediaUrl(publicUrl: string, key: Buffer, fileId: string, now: Date): string {
  const token = signMediaToken(key, fileId, new Date(now.getTime() + PUBLIC_MEDIA_TTL_MS));
  return `${publicUrl}/api/v1/media/public/${token}`;
}
