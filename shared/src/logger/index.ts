import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({ level: opts.level ?? 'info', ...(opts.name ? { name: opts.name } : {}) });
}
