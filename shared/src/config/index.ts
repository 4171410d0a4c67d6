import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

// The only module that reads process.env (house rule 8).

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a ${protocols.join(' or ')} URL`,
  );
const secret = z.string().min(16, 'must be at least 16 characters');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  HUB_DATA_DIR: z.string().min(1).default('./.data'),
  JWT_SECRET: secret.optional(),
  HUB_ENCRYPTION_KEY: secret.optional(),
  HUB_PUBLIC_URL: url(['http:', 'https:']).optional(),
  HUB_BOOTSTRAP_EMAIL: z.email().optional(),
  HUB_BOOTSTRAP_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  HUB_BOOTSTRAP_WORKSPACE: z.string().min(1).optional(),
  HUB_ALLOW_SIGNUP: bool.default(false),
  HUB_DEMO: z
    .enum(['0', '1', 'true', 'false'])
    .transform((v) => v === '1' || v === 'true')
    .default(false),
  WHATSAPP_API_URL: url(['http:', 'https:']).default('https://graph.facebook.com'),
  MESSENGER_API_URL: url(['http:', 'https:']).default('https://graph.facebook.com'),
  TELEGRAM_API_URL: url(['http:', 'https:']).default('https://api.telegram.org'),
  GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v21.0')
    .default('v21.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HUB_WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  port: number;
  mode: 'embedded' | 'scaled';
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  jwtSecret: string;
  encryptionKey: string;
  publicUrl: string;
  bootstrap: { email: string; password: string; workspace: string } | undefined;
  allowSignup: boolean;
  demo: boolean;
  whatsappApiUrl: string;
  messengerApiUrl: string;
  telegramApiUrl: string;
  graphApiVersion: string;
  logLevel: Env['LOG_LEVEL'];
  /** Raw webhooks handled (processed/unhandled) are kept this many days; 0 = forever. */
  webhookRetentionDays: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
  }
}

/** Parses the environment once. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? '?'), issue.message);
  }
  const e = parsed.data;
  const dataDir = resolve(e.HUB_DATA_DIR);
  const scaled = e.DATABASE_URL !== undefined && e.REDIS_URL !== undefined;
  const bootstrapVars = [e.HUB_BOOTSTRAP_EMAIL, e.HUB_BOOTSTRAP_PASSWORD, e.HUB_BOOTSTRAP_WORKSPACE];
  const bootstrapSet = bootstrapVars.filter((v) => v !== undefined).length;
  if (bootstrapSet > 0 && bootstrapSet < 3) {
    const missing = ['HUB_BOOTSTRAP_EMAIL', 'HUB_BOOTSTRAP_PASSWORD', 'HUB_BOOTSTRAP_WORKSPACE'][
      bootstrapVars.findIndex((v) => v === undefined)
    ]!;
    throw new ConfigError(missing, 'is required when any HUB_BOOTSTRAP_* variable is set');
  }
  return {
    port: e.PORT,
    mode: scaled ? 'scaled' : 'embedded',
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir,
    jwtSecret: e.JWT_SECRET ?? persistedSecret('JWT_SECRET', dataDir, 'jwt-secret', scaled),
    encryptionKey: e.HUB_ENCRYPTION_KEY ?? persistedSecret('HUB_ENCRYPTION_KEY', dataDir, 'encryption-key', scaled),
    publicUrl: (e.HUB_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    bootstrap:
      bootstrapSet === 3
        ? { email: e.HUB_BOOTSTRAP_EMAIL!, password: e.HUB_BOOTSTRAP_PASSWORD!, workspace: e.HUB_BOOTSTRAP_WORKSPACE! }
        : undefined,
    allowSignup: e.HUB_ALLOW_SIGNUP,
    demo: e.HUB_DEMO,
    whatsappApiUrl: e.WHATSAPP_API_URL.replace(/\/+$/, ''),
    messengerApiUrl: e.MESSENGER_API_URL.replace(/\/+$/, ''),
    telegramApiUrl: e.TELEGRAM_API_URL.replace(/\/+$/, ''),
    graphApiVersion: e.GRAPH_API_VERSION,
    logLevel: e.LOG_LEVEL,
    webhookRetentionDays: e.HUB_WEBHOOK_RETENTION_DAYS,
  };
}

// Embedded mode generates secrets once and keeps them beside the data, so restarts keep
// sessions and stored credentials readable. Scaled mode must be given them explicitly.
function persistedSecret(variable: string, dataDir: string, file: string, scaled: boolean): string {
  if (scaled) throw new ConfigError(variable, 'is required when DATABASE_URL and REDIS_URL are set');
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = randomBytes(32).toString('hex');
  writeFileSync(path, value, { mode: 0o600 });
  return value;
}
