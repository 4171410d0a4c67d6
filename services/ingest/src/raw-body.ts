import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The request body as raw bytes (signatures are over the bytes as sent), up to `limit`.
 * Past the limit the rest is drained unbuffered before rejecting, so the client reads the 413
 * instead of a reset connection; a sender that goes on far beyond it is cut off.
 */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > limit * 8) req.destroy();
        return;
      }
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      tooLarge
        ? reject(new BodyTooLargeError(limit))
        : resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)),
    );
    req.on('error', reject);
    req.on('close', () => {
      if (tooLarge) reject(new BodyTooLargeError(limit));
    });
  });
}
