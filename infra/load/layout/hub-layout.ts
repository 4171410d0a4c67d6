import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FakePlatforms } from '../../fake-platforms';
import { HubApi } from '../hub-api';
import { freePort } from './servers';
import { ServiceProcess, type ServiceName } from './service-process';

// The hub as the bench and chaos runs stand it up:
//   scaled   — crm, ingest, worker and gateway each their own process (the README's "scaled"
//              mode) on PostgreSQL + Redis, any of them killable;
//   embedded — the one `npm start` process on PGlite and the in-process queue.
// Then a workspace (HUB_BOOTSTRAP_*), its admin's login, and a WhatsApp channel whose Graph
// API is the fake platform, created through POST /api/v1/channels.

export const ADMIN = { email: 'bench-admin@example.com', password: 'bench-password-1', workspace: 'Bench' };
export const JWT_SECRET = 'bench-jwt-secret-0123456789abcdef';
export const ENCRYPTION_KEY = 'bench-encryption-key-0123456789abcdef';

export interface BenchChannel {
  id: string;
  phoneNumberId: string;
  appSecret: string;
  accessToken: string;
  webhookPath: string;
}

interface LayoutBase {
  api: HubApi;
  workspaceId: string;
  adminUserId: string;
  channel: BenchChannel;
  /** Where webhooks go, where sockets connect, where the REST API is. */
  ingestUrl: string;
  gatewayUrl: string;
  apiUrl: string;
  processes: ServiceProcess[];
  dataDir: string;
  /** A fresh access token (the 15-minute ones expire during long runs). */
  login(): Promise<string>;
  close(): Promise<void>;
}

export interface ScaledLayout extends LayoutBase {
  kind: 'scaled';
  crm: ServiceProcess;
  ingest: ServiceProcess;
  worker: ServiceProcess;
  gateway: ServiceProcess;
}

export interface EmbeddedLayout extends LayoutBase {
  kind: 'embedded';
  hub: ServiceProcess;
}

const ENTRY: Record<ServiceName, string> = {
  crm: 'services/crm/src/main.ts',
  ingest: 'services/ingest/src/main.ts',
  worker: 'services/worker/src/main.ts',
  gateway: 'services/gateway/src/main.ts',
  hub: 'services/hub/src/main.ts',
};

function baseEnv(fake: FakePlatforms, dataDir: string, extra: Record<string, string>): Record<string, string> {
  return {
    JWT_SECRET,
    HUB_ENCRYPTION_KEY: ENCRYPTION_KEY,
    HUB_DATA_DIR: dataDir,
    LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
    WHATSAPP_API_URL: fake.graphUrl,
    MESSENGER_API_URL: fake.graphUrl,
    TELEGRAM_API_URL: fake.telegramUrl,
    NODE_ENV: 'production',
    ...extra,
  };
}

async function finishSetup(apiUrl: string, name: string) {
  const api = new HubApi(apiUrl);
  const session = await api.login(ADMIN.email, ADMIN.password);
  const phoneNumberId = String(100_000_000 + Math.floor(Math.random() * 800_000_000));
  const channelConfig = {
    phoneNumberId,
    accessToken: `bench-token-${phoneNumberId}`,
    appSecret: `bench-app-secret-${phoneNumberId}`,
    verifyToken: 'bench-verify',
  };
  const created = await api.createWhatsAppChannel(name, channelConfig);
  return {
    api,
    workspaceId: session.user.workspaceId,
    adminUserId: session.user.id,
    channel: {
      id: created.id,
      phoneNumberId,
      appSecret: channelConfig.appSecret,
      accessToken: channelConfig.accessToken,
      webhookPath: `/webhooks/whatsapp/${created.id}`,
    },
    async login() {
      return (await api.login(ADMIN.email, ADMIN.password)).accessToken;
    },
  };
}

export interface ScaledOptions {
  databaseUrl: string;
  redisUrl: string;
  fake: FakePlatforms;
  logDir: string;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** Restart a service that crashes, as the deployment's process manager would (default true). */
  supervise?: boolean;
}

export async function startScaled(opts: ScaledOptions): Promise<ScaledLayout> {
  mkdirSync(opts.logDir, { recursive: true });
  // Under the run's log dir: an interrupted run leaves everything in one place.
  const dataDir = mkdtempSync(join(opts.logDir, 'data-'));
  const env = baseEnv(opts.fake, dataDir, { DATABASE_URL: opts.databaseUrl, REDIS_URL: opts.redisUrl, ...opts.env });
  const make = async (name: Exclude<ServiceName, 'hub'>, extra: Record<string, string> = {}) =>
    new ServiceProcess(name, ENTRY[name], { ...env, ...extra }, await freePort(), join(opts.logDir, `${name}.log`));
  const crm = await make('crm', {
    HUB_BOOTSTRAP_EMAIL: ADMIN.email,
    HUB_BOOTSTRAP_PASSWORD: ADMIN.password,
    HUB_BOOTSTRAP_WORKSPACE: ADMIN.workspace,
  });
  const ingest = await make('ingest');
  const worker = await make('worker');
  const gateway = await make('gateway');
  const processes = [crm, ingest, worker, gateway];
  for (const p of processes) p.supervise = opts.supervise ?? true;
  try {
    // The API first: it migrates the fresh database and creates the workspace; the others
    // then find the schema in place.
    await crm.start();
    await Promise.all([ingest.start(), worker.start(), gateway.start()]);
    const setup = await finishSetup(crm.url, 'bench whatsapp');
    return {
      kind: 'scaled',
      ...setup,
      crm,
      ingest,
      worker,
      gateway,
      processes,
      dataDir,
      ingestUrl: ingest.url,
      gatewayUrl: gateway.url,
      apiUrl: crm.url,
      async close() {
        await Promise.all(processes.map((p) => p.close()));
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(processes.map((p) => p.close()));
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** One extra ingest process (e.g. on another Redis), same database and secrets. */
export async function startExtraIngest(opts: ScaledOptions, name: string): Promise<ServiceProcess> {
  mkdirSync(opts.logDir, { recursive: true });
  const dataDir = mkdtempSync(join(opts.logDir, 'data-'));
  const env = baseEnv(opts.fake, dataDir, { DATABASE_URL: opts.databaseUrl, REDIS_URL: opts.redisUrl, ...opts.env });
  const p = new ServiceProcess(name, ENTRY.ingest, env, await freePort(), join(opts.logDir, `${name}.log`), () =>
    rmSync(dataDir, { recursive: true, force: true }),
  );
  return p.start();
}

export async function startEmbedded(opts: { fake: FakePlatforms; logDir: string }): Promise<EmbeddedLayout> {
  mkdirSync(opts.logDir, { recursive: true });
  const dataDir = mkdtempSync(join(opts.logDir, 'data-embedded-'));
  const hub = new ServiceProcess(
    'hub',
    ENTRY.hub,
    baseEnv(opts.fake, dataDir, {
      HUB_BOOTSTRAP_EMAIL: ADMIN.email,
      HUB_BOOTSTRAP_PASSWORD: ADMIN.password,
      HUB_BOOTSTRAP_WORKSPACE: ADMIN.workspace,
    }),
    await freePort(),
    join(opts.logDir, 'hub-embedded.log'),
  );
  try {
    await hub.start(120_000);
    const setup = await finishSetup(hub.url, 'bench whatsapp (embedded)');
    return {
      kind: 'embedded',
      ...setup,
      hub,
      processes: [hub],
      dataDir,
      ingestUrl: hub.url,
      gatewayUrl: hub.url,
      apiUrl: hub.url,
      async close() {
        await hub.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await hub.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
