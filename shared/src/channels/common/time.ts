// Platforms give times as unix seconds (WhatsApp strings, Telegram numbers) or milliseconds
// (Messenger). Out-of-range or garbled values yield null so callers can fall back.

const MAX_MS = 8.64e15; // the Date range limit

export function fromUnixSeconds(value: unknown): string | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n * 1000 > MAX_MS) return null;
  return new Date(Math.round(n * 1000)).toISOString();
}

export function fromUnixMillis(value: unknown): string | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > MAX_MS) return null;
  return new Date(Math.round(n)).toISOString();
}

export function nowIso(): string {
  return new Date().toISOString();
}
