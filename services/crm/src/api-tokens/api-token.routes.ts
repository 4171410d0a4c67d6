import { z } from 'zod';
import { notFound } from '@hub/shared/errors';
import { access, type ApiRouter } from '../http/route';
import { writeAudit } from '../audit/audit.repository';
import { hashSecretToken, newSecretToken } from '../auth/secret-token';
import {
  apiTokenRowToRecord,
  findApiToken,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
} from './api-token.repository';

// Workspace API tokens for integrations (web forms, ad platforms → lead intake). The token is
// shown once, at creation; only its sha256 is kept.

export const ApiTokenRecord = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().meta({ description: 'First characters of the token' }),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiToken' });

export const NewApiToken = z.object({ name: z.string().trim().min(1).max(120) }).meta({ id: 'NewApiToken' });

export const CreatedApiToken = z
  .object({
    id: z.uuid(),
    name: z.string(),
    token: z.string().meta({ description: 'Shown once: store it now. Use as `Authorization: Token <token>`.' }),
  })
  .meta({ id: 'CreatedApiToken' });

export function apiTokenRoutes(api: ApiRouter): void {
  const tags = ['API tokens'];
  api.route({
    method: 'post',
    path: '/api-tokens',
    access: access.can('apiTokens', 'create'),
    summary: 'Create an API token (shown once)',
    tags,
    body: NewApiToken,
    status: 201,
    response: CreatedApiToken,
    handler: (c) =>
      c.scope.transaction(async (tx) => {
        const token = newSecretToken('hub_');
        const row = await insertApiToken(tx, {
          name: c.body.name,
          token_hash: hashSecretToken(token),
          prefix: token.slice(0, 10),
          created_by: c.auth.userId,
        });
        await writeAudit(tx, {
          table: 'api_tokens',
          recordId: row.id,
          action: 'create',
          after: apiTokenRowToRecord(row),
        });
        return { id: row.id, name: row.name, token };
      }),
  });

  api.route({
    method: 'get',
    path: '/api-tokens',
    access: access.can('apiTokens', 'read'),
    summary: 'List API tokens (without the tokens)',
    tags,
    response: z.object({ items: z.array(ApiTokenRecord), nextCursor: z.null() }),
    handler: async (c) => ({ items: (await listApiTokens(c.scope)).map(apiTokenRowToRecord), nextCursor: null }),
  });

  api.route({
    method: 'delete',
    path: '/api-tokens/:id',
    access: access.can('apiTokens', 'delete'),
    summary: 'Revoke an API token',
    tags,
    status: 204,
    handler: (c) =>
      c.scope.transaction(async (tx) => {
        const before = await findApiToken(tx, c.params.id!);
        if (!before) throw notFound('api_token');
        if (before.revoked_at) return; // already revoked: nothing changes
        const after = await revokeApiToken(tx, before.id, c.now);
        await writeAudit(tx, {
          table: 'api_tokens',
          recordId: before.id,
          action: 'delete',
          before: apiTokenRowToRecord(before),
          after: after ? apiTokenRowToRecord(after) : null,
        });
      }),
  });
}
