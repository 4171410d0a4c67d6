import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '@hub/shared/config';
import { INBOUND_QUEUE, type InboundJobData } from '@hub/shared/domain';
import { createRuntime } from '@hub/shared/runtime';
import { replayWebhookEvents } from './replay';
import { buildWorker } from './worker.app';

// npm run replay -- [--channel <id>] [--since <ISO date>] [--status received|processed|unhandled|failed]
//
// Scaled mode (REDIS_URL set): enqueues onto BullMQ and exits; the running workers process.
// Embedded mode: the queue lives in this process, so it processes the jobs itself and exits
// when they are done. Stop the hub first — PGlite's data directory takes one process at a time.

const Args = z.object({
  channel: z.uuid({ message: '--channel must be a channel id (uuid)' }).optional(),
  since: z.iso.datetime({ offset: true, message: '--since must be an ISO 8601 date-time' }).or(z.iso.date()).optional(),
  status: z.enum(['received', 'processed', 'unhandled', 'failed']).optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { channel: { type: 'string' }, since: { type: 'string' }, status: { type: 'string' } },
    strict: true,
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`replay: ${parsed.error.issues[0]?.message}\n`);
    process.exit(2);
  }
  const config = loadConfig();
  const rt = await createRuntime(config);
  const inbound = rt.queues.queue<InboundJobData>(INBOUND_QUEUE);
  const embedded = rt.queues.kind === 'memory';
  const worker = embedded ? buildWorker(rt, { recovery: false }) : undefined;
  try {
    const n = await replayWebhookEvents(rt.database.db, inbound, {
      channelId: parsed.data.channel,
      since: parsed.data.since ? new Date(parsed.data.since) : undefined,
      status: parsed.data.status,
    });
    process.stdout.write(`replay: ${n} webhook(s) put on the inbound queue\n`);
    if (worker) {
      await inbound.idle(24 * 60 * 60 * 1000);
      await rt.queues.queue('media').idle(24 * 60 * 60 * 1000);
      process.stdout.write('replay: done\n');
    }
  } finally {
    await worker?.close?.();
    await rt.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `replay failed: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
