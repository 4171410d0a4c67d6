import { createHash, randomBytes } from 'node:crypto';

// Refresh tokens and API tokens are 256 random bits: a fast hash is enough to store them
// (nothing to brute-force, unlike a password), and lets us look a token up by its hash.

export function newSecretToken(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
