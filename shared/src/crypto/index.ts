import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

// Channel credentials at rest: AES-256-GCM with a key derived from HUB_ENCRYPTION_KEY by
// HKDF-SHA256. The stored form is "v1.<base64url(iv | tag | ciphertext)>"; the version prefix
// lets a later key rotation tell old ciphertexts from new ones.

const VERSION = 'v1';
const IV_BYTES = 12; // NIST SP 800-38D: 96-bit IVs for GCM.
const TAG_BYTES = 16;

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/** 32-byte key for one purpose ("channel-credentials", …) derived from the configured secret. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(secret, 'utf8'),
      Buffer.from('omnichannel-hub', 'utf8'),
      Buffer.from(`${purpose} ${VERSION}`, 'utf8'),
      32,
    ),
  );
}

/**
 * Encrypts `plaintext`. `aad` (e.g. the channel id) is authenticated but not stored: a
 * ciphertext copied onto another row does not decrypt there.
 */
export function encrypt(key: Buffer, plaintext: string, aad = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url')}`;
}

export function decrypt(key: Buffer, stored: string, aad = ''): string {
  const dot = stored.indexOf('.');
  if (dot < 0 || stored.slice(0, dot) !== VERSION) throw new DecryptionError('unknown ciphertext format');
  const raw = Buffer.from(stored.slice(dot + 1), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError('ciphertext does not authenticate (wrong key or tampered)');
  }
}

export function encryptJson(key: Buffer, value: unknown, aad = ''): string {
  return encrypt(key, JSON.stringify(value), aad);
}

export function decryptJson<T = unknown>(key: Buffer, stored: string, aad = ''): T {
  return JSON.parse(decrypt(key, stored, aad)) as T;
}

/** The key for channel credentials (one derivation per process is enough; callers cache it). */
export function channelCredentialsKey(encryptionKey: string): Buffer {
  return deriveKey(encryptionKey, 'channel-credentials');
}
