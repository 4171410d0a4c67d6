import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createTestRuntime, describeDrivers } from '@hub/shared/testing';
import { sweepRetention } from '../src/recovery/retention';
import { createChannel, createWorkspace, waCredentials } from './inbound.helpers';

// Old handled raw webhooks and receipts that waited a week for nothing are deleted; what
// replay and recovery still need (failed, not yet processed, recent) stays.

const DAY = 24 * 3600 * 1000;

describeDrivers(
  'retention sweep',
  async (set) => {
    const rt = await createTestRuntime(set);
    return { rt, cleanup: () => rt.cleanup() };
  },
  (ctx) => {
    const db = () => ctx().rt.database.db;

    it('deletes handled raw webhooks past the retention and stale receipts, keeps the rest', async () => {
      const now = new Date('2026-06-01T00:00:00Z');
      const ws = await createWorkspace(db());
      const channels = [
        await createChannel(db(), ws, 'whatsapp', waCredentials('pn-ret-1'), `pn-ret-${randomUUID()}`),
        await createChannel(db(), ws, 'whatsapp', waCredentials('pn-ret-2'), `pn-ret-${randomUUID()}`),
      ];
      const raw = async (channelId: string, status: string, ageDays: number) => {
        const id = randomUUID();
        await db()
          .insertInto('webhook_events')
          .values({
            id,
            workspace_id: ws,
            channel_id: channelId,
            channel_type: 'whatsapp',
            body: '{}',
            received_at: new Date(now.getTime() - ageDays * DAY),
            status,
          })
          .execute();
        return id;
      };
      const old: string[] = [];
      for (const ch of channels) {
        for (let i = 0; i < 7; i++) old.push(await raw(ch, i % 2 ? 'processed' : 'unhandled', 31 + i));
      }
      const kept = [
        await raw(channels[0]!, 'failed', 90),
        await raw(channels[0]!, 'received', 90),
        await raw(channels[1]!, 'processed', 29),
      ];
      const pending = async (ageDays: number) => {
        const row = await db()
          .insertInto('pending_updates')
          .values({
            channel_id: channels[0]!,
            provider_message_id: `wamid.${randomUUID()}`,
            kind: 'status',
            status: 'delivered',
            occurred_at: now,
            created_at: new Date(now.getTime() - ageDays * DAY),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return row.id;
      };
      for (let i = 0; i < 5; i++) await pending(8 + i);
      const fresh = await pending(6);

      // Small chunks: the sweep must loop until everything due is gone.
      const swept = await sweepRetention(db(), now, { retentionDays: 30, chunk: 2 });
      expect(swept).toEqual({ webhookEvents: 14, pendingUpdates: 5 });
      const left = await db().selectFrom('webhook_events').select('id').where('workspace_id', '=', ws).execute();
      expect(left.map((r) => r.id).sort()).toEqual([...kept].sort());
      const leftPending = await db()
        .selectFrom('pending_updates')
        .select('id')
        .where('channel_id', '=', channels[0]!)
        .execute();
      expect(leftPending.map((r) => r.id)).toEqual([fresh]);

      // 0 keeps raw webhooks forever.
      await raw(channels[1]!, 'processed', 400);
      expect(await sweepRetention(db(), now, { retentionDays: 0 })).toEqual({ webhookEvents: 0, pendingUpdates: 0 });
    });
  },
);
