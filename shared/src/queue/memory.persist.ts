// The memory driver's hand-over file: written on graceful close, read on the next start.
// Only a graceful close is covered; a crash loses what was in memory (use Redis for that).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { QueueLogger } from './queue.policy';

const PersistedJobSchema = z.object({
  id: z.string(),
  name: z.string(),
  data: z.unknown(),
  attemptsMade: z.number().int().min(0),
  maxAttempts: z.number().int().min(1),
  backoff: z.object({ type: z.enum(['fixed', 'exponential']), delayMs: z.number().min(0) }),
  priority: z.number(),
  runAt: z.number(),
});

const PersistedQueueSchema = z.object({
  version: z.literal(1),
  jobs: z.array(PersistedJobSchema),
  /** [jobId, completedAt] so dedupe survives the restart too. */
  completed: z.array(z.tuple([z.string(), z.number()])),
});

export type PersistedJob = z.infer<typeof PersistedJobSchema>;
export type PersistedQueue = z.infer<typeof PersistedQueueSchema>;

function fileFor(dir: string, queue: string): string {
  return join(dir, `${queue}.json`);
}

export function readPersisted(dir: string, queue: string, logger: QueueLogger): PersistedQueue | undefined {
  const file = fileFor(dir, queue);
  if (!existsSync(file)) return undefined;
  try {
    return PersistedQueueSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    // Keep the file for a human instead of retrying it (or deleting it) on every start.
    const aside = `${file}.corrupt-${Date.now()}`;
    renameSync(file, aside);
    logger.warn({ err, file, movedTo: aside }, 'unreadable queue persist file set aside');
    return undefined;
  }
}

export function writePersisted(dir: string, queue: string, state: PersistedQueue): void {
  const file = fileFor(dir, queue);
  if (state.jobs.length === 0 && state.completed.length === 0) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dir, { recursive: true });
  // Write-then-rename: a kill during the write leaves the old file, never half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}

export function removePersisted(dir: string, queue: string): void {
  rmSync(fileFor(dir, queue), { force: true });
}
