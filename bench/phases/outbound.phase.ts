import { HubApiError } from '../../infra/load/hub-api';
import type { ScaledLayout } from '../../infra/load/layout/hub-layout';
import { round, type BenchContext } from '../bench.context';
import { step } from './raw.phase';
import { warmUp } from './scaled.phase';

// Outbound: agents' replies (POST /api/v1/conversations/:id/messages, 202) offered above the
// platform's rate, through the dispatcher, to the fake Graph API that enforces the per-number
// limit (80 msg/s, WhatsApp's default) and answers some extra 429s on purpose. Counted at the
// fake: accepted sends per second, 429s, replies never sent (drops) and replies sent twice.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SendRecord {
  status: number;
  at: number;
  body: unknown;
  token: string | null;
}

const textOf = (s: SendRecord) => {
  const b = s.body as { text?: { body?: unknown } } | null;
  return typeof b?.text?.body === 'string' ? b.text.body : undefined;
};

export async function outboundPhase(ctx: BenchContext, layout: ScaledLayout): Promise<void> {
  const { profile: p, results: r } = ctx;
  const o = p.outbound;
  const keys = ['hub.outboundSendsPerSec', 'hub.outbound429s', 'hub.outboundDropped', 'hub.outboundDoubled'];
  await step(ctx, [...keys, 'hub.outboundPlatformLimitPerSec'], async () => {
    const token = await layout.login();
    let conversations = (await layout.api.conversations(layout.channel.id)).slice(0, 200).map((c) => c.id);
    if (conversations.length === 0) {
      // Run on its own (--phases=outbound): customers write first, so there is someone to answer.
      await warmUp(ctx, layout.ingestUrl, {
        kind: 'webhook',
        path: layout.channel.webhookPath,
        startIndex: 0,
        mix: {
          phoneNumberId: layout.channel.phoneNumberId,
          appSecret: layout.channel.appSecret,
          senders: 200,
          runTag: `${ctx.runTag}out`,
        },
      });
      for (let i = 0; i < 100 && conversations.length === 0; i++) {
        await sleep(200);
        conversations = (await layout.api.conversations(layout.channel.id)).slice(0, 200).map((c) => c.id);
      }
    }
    if (conversations.length === 0) throw new Error('no conversation to reply in');
    const mine = (s: SendRecord) => s.token === layout.channel.accessToken;

    // Is there a dispatcher? One reply, and it must reach the platform.
    const probeText = `reply ${ctx.runTag}probe`;
    try {
      await layout.api.reply(conversations[0]!, probeText, `${ctx.runTag}-probe`);
    } catch (err) {
      const why =
        err instanceof HubApiError && err.status === 404
          ? 'POST /api/v1/conversations/:id/messages answered 404: the outbound route is not there yet'
          : `the reply was refused: ${err instanceof Error ? err.message : String(err)}`;
      for (const k of keys) ctx.fail(k, why);
      ctx.log(`outbound: ${why}`);
      return;
    }
    const reached = await (async () => {
      for (let i = 0; i < 100; i++) {
        if ((ctx.fake.sent as SendRecord[]).some((s) => mine(s) && s.status === 200 && textOf(s) === probeText))
          return true;
        await sleep(150);
      }
      return false;
    })();
    if (!reached) {
      const why =
        'a reply was accepted (202) but nothing reached the platform within 15 s: no outbound dispatcher is running';
      for (const k of keys) ctx.fail(k, why);
      ctx.log(`outbound: ${why}`);
      return;
    }

    r.hub.outboundPlatformLimitPerSec = o.limitPerSec;
    const tag = `${ctx.runTag}out`;
    const baseline = ctx.fake.sent.length;
    let injecting = true;
    let injected = 0;
    const injector = (async () => {
      while (injecting) {
        ctx.fake.failNext('whatsapp', o.injected429PerSec, { status: 429 });
        injected += o.injected429PerSec;
        await sleep(1000);
      }
    })();
    const run = await ctx.load
      .call({
        cmd: 'http-open',
        baseUrl: layout.apiUrl,
        ratePerSec: o.offeredRate,
        durationMs: o.durationMs,
        spec: { kind: 'reply', conversationIds: conversations, token, runTag: tag, startIndex: 0 },
      })
      .finally(() => {
        injecting = false;
      });
    await injector;
    const accepted = run.statuses['202'] ?? 0;
    const ours = () =>
      (ctx.fake.sent.slice(baseline) as SendRecord[]).filter((s) => mine(s) && textOf(s)?.startsWith(`reply ${tag} `));
    // Everything accepted should be sent at the platform's pace, then a margin for retries.
    const expectMs = (accepted / o.limitPerSec) * 1000 * 2 + 30_000;
    const deadline = Date.now() + expectMs;
    while (Date.now() < deadline) {
      const sentOk = new Set(
        ours()
          .filter((s) => s.status === 200)
          .map(textOf),
      );
      if (sentOk.size >= accepted) break;
      await sleep(250);
    }
    await sleep(1000);
    const all = ours();
    const ok = all.filter((s) => s.status === 200).sort((a, b) => a.at - b.at);
    const counts = new Map<string, number>();
    for (const s of ok) counts.set(textOf(s)!, (counts.get(textOf(s)!) ?? 0) + 1);
    const spanSec = ok.length > 1 ? (ok[ok.length - 1]!.at - ok[0]!.at) / 1000 : 0;
    // The busiest second (a window starting at each send).
    let peak = 0;
    for (let i = 0, j = 0; i < ok.length; i++) {
      while (ok[j]!.at <= ok[i]!.at - 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    r.hub.outboundSendsPerSec = spanSec > 0 ? round(ok.length / spanSec, 1) : null;
    r.hub.outbound429s = all.filter((s) => s.status === 429).length;
    r.hub.outboundDropped = Math.max(0, accepted - counts.size);
    r.hub.outboundDoubled = [...counts.values()].filter((n) => n > 1).length;
    r.details['outbound'] = {
      offeredRate: o.offeredRate,
      durationMs: o.durationMs,
      replyAnswers: run.statuses,
      accepted,
      sentOk: ok.length,
      distinctSent: counts.size,
      platformAnswers: all.reduce<Record<string, number>>((m, s) => ((m[s.status] = (m[s.status] ?? 0) + 1), m), {}),
      injected429: injected,
      busiestSecond: peak,
      spanSec: round(spanSec),
    };
    if (r.hub.outboundSendsPerSec === null)
      ctx.fail('hub.outboundSendsPerSec', 'fewer than two sends reached the platform');
    ctx.log(
      `outbound: ${accepted} replies accepted at ${o.offeredRate}/s offered → ${r.hub.outboundSendsPerSec} sends/s (limit ${o.limitPerSec}, busiest second ${peak}), ` +
        `${r.hub.outbound429s} × 429 (${injected} injected), dropped ${r.hub.outboundDropped}, doubled ${r.hub.outboundDoubled}`,
    );
  });
}
