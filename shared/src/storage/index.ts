import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';

// Where downloaded media lives, behind a small port: local disk under HUB_DATA_DIR/media now;
// an S3-compatible driver implements the same three calls later.

export interface StoredObject {
  size: number;
  stream(): Readable;
}

export interface MediaStorage {
  readonly kind: 'local' | 's3';
  put(key: string, data: Buffer): Promise<void>;
  /** undefined when there is no such object. */
  get(key: string): Promise<StoredObject | undefined>;
  delete(key: string): Promise<void>;
}

// Keys are ours (workspace/uuid); still, refuse anything that could leave the base directory.
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export function assertStorageKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`invalid storage key: ${key}`);
  }
}

export function createLocalStorage(baseDir: string): MediaStorage {
  const base = resolve(baseDir);
  const pathOf = (key: string) => {
    assertStorageKey(key);
    const p = resolve(join(base, key));
    if (!p.startsWith(base + sep)) throw new Error(`invalid storage key: ${key}`);
    return p;
  };
  return {
    kind: 'local',
    async put(key, data) {
      const p = pathOf(key);
      await mkdir(dirname(p), { recursive: true });
      // Write-then-rename: a reader never sees half a file.
      const tmp = `${p}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, data);
      await rename(tmp, p);
    },
    async get(key) {
      const p = pathOf(key);
      try {
        const s = await stat(p);
        if (!s.isFile()) return undefined;
        return { size: s.size, stream: () => createReadStream(p) };
      } catch {
        return undefined;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}

/** The media store for this configuration: HUB_DATA_DIR/media on local disk. */
export function createMediaStorage(config: { dataDir: string }): MediaStorage {
  return createLocalStorage(join(config.dataDir, 'media'));
}
