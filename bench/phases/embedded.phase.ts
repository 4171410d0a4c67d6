import { startEmbedded } from '../../infra/load/layout/hub-layout';
import type { BenchContext } from '../bench.context';
import type { StepResult } from '../report/results';
import { e2eStep, stepForFile } from './e2e.step';
import { step } from './raw.phase';

// The same inbound run on the embedded mode (`npm start`: one process, PGlite, in-process queue,
// the raw body written to the database before each 200), rising rates until it stops serving:
// p99 over the limit, a message lost, or an answer other than 200.

export async function embeddedPhase(ctx: BenchContext): Promise<void> {
  const { profile: p, results: r } = ctx;
  await step(ctx, ['hub.embeddedMaxSustainedRps'], async () => {
    const layout = await startEmbedded({ fake: ctx.fake, logDir: ctx.logDir });
    try {
      const token = await layout.login();
      await ctx.load.call({
        cmd: 'agents-open',
        url: layout.gatewayUrl,
        token,
        names: ['embedded-admin-1', 'embedded-admin-2'],
      });
      // Warm-up (JIT, PGlite's caches, the channel cache), not counted.
      await ctx.load.call({
        cmd: 'http-open',
        baseUrl: layout.ingestUrl,
        ratePerSec: 20,
        durationMs: 3000,
        spec: {
          kind: 'webhook',
          path: layout.channel.webhookPath,
          startIndex: 0,
          mix: {
            phoneNumberId: layout.channel.phoneNumberId,
            appSecret: layout.channel.appSecret,
            senders: 500,
            runTag: `${ctx.runTag}ewarm`,
          },
        },
      });
      await new Promise((res) => setTimeout(res, 3000));
      ctx.log('end to end, embedded mode (one process, PGlite):');
      const steps: StepResult[] = [];
      let best: number | null = null;
      let stoppedAt: { rate: number; why: string[] } | null = null;
      for (const rate of p.embedded.rates) {
        const s = await e2eStep(
          ctx,
          { ingestUrl: layout.ingestUrl, channel: layout.channel },
          {
            rate,
            durationMs: p.embedded.durationMs,
            settleMs: p.steps.settleMs,
            p99LimitMs: p.sustained.p99LimitMs,
            label: 'embedded',
          },
        );
        steps.push(stepForFile(s));
        if (!s.pass) {
          stoppedAt = { rate, why: s.why };
          break;
        }
        best = rate;
      }
      r.hub.embeddedMaxSustainedRps = best;
      r.details['embedded'] = {
        steps,
        stopsServingAt: stoppedAt,
        note: `each rate held ${p.embedded.durationMs / 1000} s (shorter than the scaled layout's hold)`,
      };
      if (best === null)
        ctx.fail(
          'hub.embeddedMaxSustainedRps',
          `already failed at ${p.embedded.rates[0]} msg/s: ${stoppedAt?.why.join('; ')}`,
        );
      ctx.log(
        `  embedded serves up to ${best ?? 'none'} msg/s${stoppedAt ? `; at ${stoppedAt.rate} msg/s: ${stoppedAt.why.join('; ')}` : ' (every rate tried held)'}`,
      );
    } finally {
      await ctx.load.call({ cmd: 'agents-close' });
      await layout.close();
    }
  });
}
