import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AuthContext } from '@hub/shared/auth';
import { adapterFor, type ChannelCredentials, type PlatformEndpoints } from '@hub/shared/channels';
import type { Db } from '@hub/shared/db';
import {
  configSchemaFor,
  findChannel,
  findChannelByExternalId,
  findChannelsByExternalId,
  insertChannel,
  listChannels,
  openCredentials,
  publishChannelChanged,
  sealCredentials,
  softDeleteChannel,
  updateChannel,
  type ChannelRow,
  type ChannelView,
  type CreateChannelBody,
  type UpdateChannelBody,
} from '@hub/shared/domain';
import type { RealtimeBus } from '@hub/shared/bus';
import { AppError, assertNever, notFound } from '@hub/shared/errors';
import { ChannelType } from '@hub/shared/events';
import type { Logger } from '@hub/shared/logger';

export interface ChannelDeps {
  db: Db;
  bus: RealtimeBus;
  key: Buffer;
  publicUrl: string;
  endpoints: PlatformEndpoints;
  logger: Logger;
}

export function webhookUrlFor(publicUrl: string, type: string, id: string): string {
  return `${publicUrl}/webhooks/${type}/${id}`;
}

/** The only non-secret parts of a channel's configuration. */
function publicConfig(type: ChannelType, externalId: string): Record<string, string> {
  switch (type) {
    case 'whatsapp':
      return { phoneNumberId: externalId };
    case 'messenger':
      return { pageId: externalId };
    case 'telegram':
      return { botId: externalId };
    default:
      return assertNever(type);
  }
}

export function channelRowToView(row: ChannelRow, publicUrl: string): ChannelView {
  const type = ChannelType.parse(row.type);
  return {
    id: row.id,
    type,
    name: row.name,
    webhookUrl: webhookUrlFor(publicUrl, type, row.id),
    externalId: row.external_id,
    config: publicConfig(type, row.external_id),
    createdAt: new Date(row.created_at as unknown as Date).toISOString(),
    updatedAt: new Date(row.updated_at as unknown as Date).toISOString(),
  };
}

const alreadyConnected = (type: ChannelType) =>
  new AppError(
    'conflict',
    'channel_exists',
    `this ${type} ${type === 'telegram' ? 'bot' : type === 'whatsapp' ? 'number' : 'page'} is already a channel of the workspace`,
    [
      {
        field: `config.${type === 'whatsapp' ? 'phoneNumberId' : type === 'messenger' ? 'pageId' : 'botToken'}`,
        message: 'already connected',
      },
    ],
  );

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/** Telegram: setWebhook at the Bot API. A refusal creates/changes nothing (502). */
async function register(
  deps: ChannelDeps,
  type: ChannelType,
  credentials: ChannelCredentials,
  webhookUrl: string,
): Promise<void> {
  const adapter = adapterFor(type);
  if (!adapter.register) return;
  try {
    await adapter.register(credentials as never, deps.endpoints, webhookUrl);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    deps.logger.warn({ err, type }, 'webhook registration failed');
    throw new AppError('bad_gateway', `${type}_register_failed`, `${type} refused the webhook registration: ${reason}`);
  }
}

export async function createChannel(
  deps: ChannelDeps,
  auth: AuthContext,
  body: CreateChannelBody,
): Promise<ChannelView> {
  const id = randomUUID();
  const credentials = body.config as ChannelCredentials;
  const externalId = adapterFor(body.type).externalId(credentials as never);
  if (await findChannelByExternalId(deps.db, auth.workspaceId, body.type, externalId))
    throw alreadyConnected(body.type);
  await register(deps, body.type, credentials, webhookUrlFor(deps.publicUrl, body.type, id));
  try {
    const row = await insertChannel(deps.db, {
      id,
      workspace_id: auth.workspaceId,
      type: body.type,
      name: body.name,
      credentials: sealCredentials(deps.key, id, credentials),
      external_id: externalId,
    });
    await announce(deps, auth.workspaceId, id);
    return channelRowToView(row, deps.publicUrl);
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyConnected(body.type);
    throw err;
  }
}

export async function listChannelViews(deps: ChannelDeps, auth: AuthContext): Promise<ChannelView[]> {
  return (await listChannels(deps.db, auth.workspaceId)).map((r) => channelRowToView(r, deps.publicUrl));
}

export async function getChannelView(deps: ChannelDeps, auth: AuthContext, id: string): Promise<ChannelView> {
  const row = await findChannel(deps.db, auth.workspaceId, id);
  if (!row) throw notFound('channel');
  return channelRowToView(row, deps.publicUrl);
}

export async function updateChannelSettings(
  deps: ChannelDeps,
  auth: AuthContext,
  id: string,
  body: UpdateChannelBody,
): Promise<ChannelView> {
  const row = await findChannel(deps.db, auth.workspaceId, id);
  if (!row) throw notFound('channel');
  const type = ChannelType.parse(row.type);
  let sealed: string | undefined;
  let externalId: string | undefined;
  if (body.config !== undefined) {
    const current = openCredentials(deps.key, row) as unknown as Record<string, unknown>;
    // Parsed under "config" so a bad field is reported as config.<field>.
    const merged = z.object({ config: configSchemaFor[type] }).parse({ config: { ...current, ...body.config } })
      .config as ChannelCredentials;
    externalId = adapterFor(type).externalId(merged as never);
    if (externalId !== row.external_id) {
      const clash = await findChannelByExternalId(deps.db, auth.workspaceId, type, externalId);
      if (clash && clash.id !== row.id) throw alreadyConnected(type);
    }
    const changed = (k: string) => current[k] !== (merged as unknown as Record<string, unknown>)[k];
    if (type === 'telegram' && (changed('botToken') || changed('secretToken'))) {
      await register(deps, type, merged, webhookUrlFor(deps.publicUrl, type, row.id));
    }
    sealed = sealCredentials(deps.key, row.id, merged);
  }
  let updated: ChannelRow | undefined;
  try {
    updated = await updateChannel(deps.db, auth.workspaceId, id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(sealed !== undefined ? { credentials: sealed } : {}),
      ...(externalId !== undefined ? { external_id: externalId } : {}),
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyConnected(type);
    throw err;
  }
  if (!updated) throw notFound('channel');
  await announce(deps, auth.workspaceId, id);
  // Another bot now: the old one would keep posting here with the same secret token.
  if (externalId !== undefined && externalId !== row.external_id) await unregister(deps, row);
  return channelRowToView(updated, deps.publicUrl);
}

/**
 * Best effort, after the change: undoes `register` (Telegram deleteWebhook) for a bot no live
 * channel uses any more. A platform failure is logged; it never undoes or blocks the change.
 */
async function unregister(deps: ChannelDeps, row: ChannelRow): Promise<void> {
  const type = ChannelType.parse(row.type);
  const adapter = adapterFor(type);
  if (!adapter.unregister) return;
  try {
    // The same bot may be a channel of another workspace: its webhook is that channel's now.
    if ((await findChannelsByExternalId(deps.db, type, row.external_id)).length > 0) return;
    await adapter.unregister(openCredentials(deps.key, row) as never, deps.endpoints);
  } catch (err) {
    deps.logger.warn(
      { err, type, channelId: row.id },
      'webhook removal at the platform failed; the channel is gone anyway',
    );
  }
}

export async function deleteChannel(deps: ChannelDeps, auth: AuthContext, id: string): Promise<void> {
  const row = await findChannel(deps.db, auth.workspaceId, id);
  if (!row || !(await softDeleteChannel(deps.db, auth.workspaceId, id))) throw notFound('channel');
  await announce(deps, auth.workspaceId, id);
  await unregister(deps, row);
}

// Webhook and worker processes cache decrypted channels: tell them (their TTL covers a miss).
async function announce(deps: ChannelDeps, workspaceId: string, channelId: string): Promise<void> {
  try {
    await publishChannelChanged(deps.bus, workspaceId, channelId);
  } catch (err) {
    deps.logger.warn({ err }, 'channel change not announced; caches expire on their own');
  }
}
