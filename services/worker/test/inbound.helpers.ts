import { randomUUID } from 'node:crypto';
import type { ChannelCredentials } from '@hub/shared/channels';
import { channelCredentialsKey } from '@hub/shared/crypto';
import type { Db } from '@hub/shared/db';
import { sealCredentials } from '@hub/shared/domain';
import type { ChannelType, InboundEvent, MessageEvent, Sender } from '@hub/shared/events';

// Test-only shortcuts for the worker suites: a workspace and channel straight in the database
// (the channels API has its own suite), and normalized events built by hand.

export const TEST_ENCRYPTION_KEY = 'test-encryption-key-0123456789abcdef';

export async function createWorkspace(db: Db, name = 'Acme'): Promise<string> {
  const row = await db
    .insertInto('workspaces')
    .values({ name, settings: {} })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function createChannel(
  db: Db,
  workspaceId: string,
  type: ChannelType,
  credentials: ChannelCredentials,
  externalId: string,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('channels')
    .values({
      id,
      workspace_id: workspaceId,
      type,
      name: `${type} ${externalId}`,
      credentials: sealCredentials(channelCredentialsKey(TEST_ENCRYPTION_KEY), id, credentials),
      external_id: externalId,
    })
    .execute();
  return id;
}

export const waCredentials = (phoneNumberId: string, appSecret = 'public-fixture-meta-app-secret') => ({
  phoneNumberId,
  accessToken: 'wa-access-token',
  appSecret,
  verifyToken: 'verify-me',
});

export function waSender(waId: string, name: string | null = 'Sheena Nelson'): Sender {
  return { identities: [{ kind: 'whatsapp', value: waId }], name, phone: waId };
}

let seq = 0;
export function textEvent(overrides: Partial<MessageEvent> & { text?: string | null } = {}): MessageEvent {
  seq += 1;
  return {
    v: 1,
    kind: 'message',
    channelType: 'whatsapp',
    routeKey: null,
    timestamp: new Date(Date.UTC(2025, 0, 1, 12, 0, seq)).toISOString(),
    providerMessageId: `wamid.test-${randomUUID()}`,
    direction: 'in',
    contact: waSender('16505551234'),
    type: 'text',
    text: 'hello',
    media: null,
    ...overrides,
  };
}

export function at(iso: string): string {
  return new Date(iso).toISOString();
}

export type { InboundEvent };
