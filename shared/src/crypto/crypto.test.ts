import { describe, expect, it } from 'vitest';
import { channelCredentialsKey, decrypt, decryptJson, DecryptionError, encrypt, encryptJson } from './index';

describe('credentials crypto', () => {
  const key = channelCredentialsKey('test-encryption-key-0123456789abcdef');

  it('round-trips JSON and never stores the plaintext', () => {
    const stored = encryptJson(key, { appSecret: 's3cr3t-value' }, 'channel-1');
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain('s3cr3t');
    expect(decryptJson(key, stored, 'channel-1')).toEqual({ appSecret: 's3cr3t-value' });
  });

  it('uses a fresh IV each time', () => {
    expect(encrypt(key, 'same')).not.toBe(encrypt(key, 'same'));
  });

  it('refuses another key, another row (AAD) and a tampered ciphertext', () => {
    const stored = encrypt(key, 'hello', 'a');
    expect(() => decrypt(channelCredentialsKey('another-key-0123456789abcdef'), stored, 'a')).toThrow(DecryptionError);
    expect(() => decrypt(key, stored, 'b')).toThrow(DecryptionError);
    const raw = Buffer.from(stored.slice(3), 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(() => decrypt(key, `v1.${raw.toString('base64url')}`, 'a')).toThrow(DecryptionError);
    expect(() => decrypt(key, 'garbage', 'a')).toThrow(DecryptionError);
  });
});
