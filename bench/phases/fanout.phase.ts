import { randomUUID } from 'node:crypto';
import type { ScaledLayout } from '../../infra/load/layout/hub-layout';
import { round, type BenchContext } from '../bench.context';
import { step } from './raw.phase';

// The gateway holding 1,000 and then 5,000 agent sockets (one admin each, all in the
// workspace's see-everything room): one event published the way the worker publishes it
// (sequenced, on the Redis bus) and the time until the first / median / last socket has it;
// the gateway's resident memory per socket.

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : null;
};

export async function fanoutPhase(ctx: BenchContext, layout: ScaledLayout): Promise<void> {
  const { profile: p, results: r } = ctx;
  const keys = p.fanout.sizes.map((n) => `hub.gatewayFanoutMs${n}`);
  await step(ctx, [...keys, 'hub.gatewayBytesPerSocket'], async () => {
    const token = await layout.login();
    const conversations = await layout.api.conversations(layout.channel.id);
    const conv = conversations[0];
    if (!conv) throw new Error('no conversation to publish into (the end-to-end runs made none)');
    const real = (await layout.api.messages(conv.id))[0];
    if (!real) throw new Error('no message to shape the event on');
    // A real Message shape, but its own id and no provider id (the agents' counts ignore it).
    const message = { ...real, id: randomUUID(), providerMessageId: null };
    const rssBefore = layout.gateway.rssBytes();
    let connected = 0;
    const bySize: Record<string, unknown> = {};
    for (const size of p.fanout.sizes) {
      const c = await ctx.load.call({
        cmd: 'fleet-connect',
        url: layout.gatewayUrl,
        token,
        count: size - connected,
        batch: 100,
      });
      connected = c.connected;
      await new Promise((res) => setTimeout(res, 1000));
      const rss = layout.gateway.rssBytes();
      const f = await ctx.load.call({
        cmd: 'fleet-fanout',
        redisUrl: ctx.redis.url,
        workspaceId: layout.workspaceId,
        conversationId: conv.id,
        message,
        repeats: p.fanout.repeats,
        timeoutMs: 20_000,
      });
      const last = median(f.repeats.filter((x) => x.received >= f.sockets).map((x) => x.lastMs ?? NaN));
      const first = median(f.repeats.map((x) => x.firstMs ?? NaN));
      bySize[size] = {
        sockets: f.sockets,
        failedToConnect: f.failedToConnect,
        connectMs: round(c.ms, 0),
        gatewayRssBytes: rss,
        firstMs: first,
        lastMs: last,
        repeats: f.repeats,
      };
      (r.hub as unknown as Record<string, number | null>)[`gatewayFanoutMs${size}`] = round(last);
      if (last === null)
        ctx.fail(`hub.gatewayFanoutMs${size}`, `not every one of ${f.sockets} sockets got the event within 20 s`);
      if (f.sockets < size) {
        ctx.log(`  only ${f.sockets} of ${size} sockets connected (${f.failedToConnect} failed)`);
      }
      if (rssBefore !== null && rss !== null && f.sockets > 0 && size === Math.max(...p.fanout.sizes)) {
        r.hub.gatewayBytesPerSocket = round((rss - rssBefore) / f.sockets, 0);
      }
      ctx.log(
        `gateway fan-out, ${f.sockets} sockets: first ${first} ms, last ${last} ms after publish; gateway RSS ${rss ? Math.round(rss / 2 ** 20) : '?'} MB`,
      );
    }
    r.details['fanout'] = { gatewayRssBeforeBytes: rssBefore, bySize };
    await ctx.load.call({ cmd: 'fleet-close' });
  });
}
