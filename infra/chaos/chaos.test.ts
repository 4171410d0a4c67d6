import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realDriversAvailable } from '@hub/shared/testing';
import { runChaos } from './chaos.scenario';

// The small variant of `npm run chaos`, inside `npm test`: counts only, no timings. The hub in
// the scaled layout (crm, ingest, worker, gateway as their own processes) on PostgreSQL and a
// Redis of the run's own; 200 signed webhooks at 50/s with replies being queued, and the
// worker killed with -9 in the middle. Every webhook answered 200 must be stored exactly once,
// every agent socket must get every message exactly once, every accepted reply must reach the
// platform exactly once.

const redisServer = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!redisServer && process.env.CI) throw new Error('CI is set but redis-server is not installed');

describe.skipIf(!realDriversAvailable || !redisServer)(
  'chaos, small: kill -9 of the worker under load [postgres+redis]',
  () => {
    it('loses and doubles nothing: webhooks stored once, every socket gets every message once, replies sent once', async () => {
      const logDir = mkdtempSync(join(tmpdir(), 'hub-chaos-test-'));
      const verdict = await runChaos({
        rate: 50,
        durationMs: 4_000,
        faults: [{ atMs: 2_000, kind: 'kill-worker', downMs: 500 }],
        replyRate: 4,
        // BullMQ hands a killed worker's jobs to the next one after its stalled-job check (30 s).
        settleMs: 60_000,
        appendonly: false,
        senders: 40,
        logDir,
        log: () => undefined,
      });
      const c = verdict.counts;
      const logs = `services' logs: ${logDir}`;
      // Every POST was eventually answered 200 (re-sent on anything else, as Meta does).
      expect(c.inbound.posted).toBe(200);
      expect(c.inbound.neverAcknowledged).toBe(0);
      expect(c.inbound.acknowledged).toBe(c.inbound.messagesPosted);
      expect(c.inbound.lostSample, logs).toEqual([]);
      expect(c.inbound.stored).toBe(c.inbound.acknowledged);
      expect(c.inbound.doubled).toBe(0);
      expect(c.sockets).toHaveLength(4);
      for (const s of c.sockets) {
        expect({ name: s.name, missing: s.missing, doubles: s.doubles, sample: s.missingSample }, logs).toEqual({
          name: s.name,
          missing: 0,
          doubles: 0,
          sample: [],
        });
        expect(s.expected).toBe(c.inbound.acknowledged);
      }
      if (c.replies.checked) {
        expect(c.replies.accepted).toBeGreaterThan(0);
        expect(c.replies.neverSent, logs).toBe(0);
        expect(c.replies.sentTwice, logs).toBe(0);
        expect(c.replies.sentOnce).toBe(c.replies.accepted);
      }
      expect(verdict.lost).toBe(0);
      expect(verdict.doubled).toBe(0);
      // The services' logs are kept only when something failed.
      rmSync(logDir, { recursive: true, force: true });
    }, 300_000);
  },
);
