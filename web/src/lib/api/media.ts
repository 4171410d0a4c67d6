import { fetchAuthedBlob } from './client';

// Object URLs for protected media, one fetch per file for the whole session.
const cache = new Map<string, Promise<string>>();

export function mediaObjectUrl(url: string): Promise<string> {
  // Public URLs (a CDN, a data: URL) need no token.
  if (!url.startsWith('/api/')) return Promise.resolve(url);
  let p = cache.get(url);
  if (!p) {
    p = fetchAuthedBlob(url).then((b) => URL.createObjectURL(b));
    cache.set(url, p);
    p.catch(() => cache.delete(url));
  }
  return p;
}
