import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from './index';

describe('local media storage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-storage-'));
  const storage = createLocalStorage(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores, reads back and deletes an object', async () => {
    await storage.put('ws-1/abc.bin', Buffer.from('hello'));
    const obj = await storage.get('ws-1/abc.bin');
    expect(obj?.size).toBe(5);
    const chunks: Buffer[] = [];
    for await (const c of obj!.stream()) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
    await storage.delete('ws-1/abc.bin');
    expect(await storage.get('ws-1/abc.bin')).toBeUndefined();
  });

  it('refuses keys that would leave its directory', async () => {
    await expect(storage.put('../escape', Buffer.from('x'))).rejects.toThrow(/invalid storage key/);
    await expect(storage.put('a/../../b', Buffer.from('x'))).rejects.toThrow(/invalid storage key/);
    await expect(storage.get('/etc/passwd')).rejects.toThrow(/invalid storage key/);
  });
});
