import { randomUUID } from 'node:crypto';
import { createBus } from '@hub/shared/bus';
import { createRealtime, createSequencedBus, type RealtimeBusMessage } from '@hub/shared/realtime';
import { AgentSocket, SocketFleet, type MessageCreated } from './agent-sockets';
import { Histogram } from './histogram';
import { HubApi } from './hub-api';
import { HttpTarget, runClosedLoop, runOpenLoop, type Answer, type OutgoingRequest } from './http-load';
import type { AgentsStatsResult, E2eRequest, E2eResult, FanoutResult, LoadCommand, RequestSpec } from './load.protocol';
import { serveIpc } from './ipc';
import { kindOf, webhookRequest, wamidOf } from './webhook-mix';

// The load process: started by the bench or chaos runner with `fork` (load.client.ts) and
// driven over IPC, so the generator never shares an event loop with what it measures. It holds
// the HTTP clients, the agents' sockets and the socket fleet for fan-out.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const epochNow = () => performance.timeOrigin + performance.now();

function builder(spec: RequestSpec): (i: number) => OutgoingRequest {
  switch (spec.kind) {
    case 'webhook':
      return (i) => {
        const w = webhookRequest(spec.mix, spec.startIndex + i);
        return {
          path: spec.path,
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': w.signature },
          body: w.body,
        };
      };
    case 'fixed':
      return () => ({ path: spec.path, headers: spec.headers, body: spec.body });
    case 'reply':
      return (i) => {
        const n = spec.startIndex + i;
        const conv = spec.conversationIds[n % spec.conversationIds.length]!;
        return {
          path: `/api/v1/conversations/${conv}/messages`,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${spec.token}`,
            'idempotency-key': `${spec.runTag}-${n}`,
          },
          body: JSON.stringify({ text: `reply ${spec.runTag} ${n}` }),
        };
      };
  }
}

class LoadState {
  agents: AgentSocket[] = [];
  /** One per agents-open call (each may be another user); agents-token refreshes them all. */
  tokens: { token: string }[] = [];
  /** Acknowledged message wamids since agents-open: every agent socket must see each. */
  expected = new Set<string>();
  /** wamid → scheduled POST time (epoch ms), while an e2e run waits for it. */
  scheduled = new Map<string, number>();
  e2eHist: Histogram | undefined;
  /** The acknowledged message ids of the last e2e run (for e2e-final). */
  lastAcked = new Set<string>();
  fleet: SocketFleet | undefined;
  armed: Promise<number[]> | undefined;
}

const state = new LoadState();

async function e2e(req: E2eRequest): Promise<E2eResult> {
  const target = new HttpTarget(req.baseUrl, 512);
  const build = builder(req.spec);
  const ack = new Histogram();
  const e2eHist = new Histogram();
  state.e2eHist = e2eHist;
  state.scheduled.clear();
  const failures: Record<string, number> = {};
  const acked = new Set<string>();
  let ackedStatuses = 0;
  let retries = 0;
  const unacked = new Map<number, OutgoingRequest>();
  const { mix, startIndex } = req.spec;
  /** The wamid request i carries (null for a status), without building the body again. */
  const wamid = (i: number) => (kindOf(mix, startIndex + i) === 'status' ? null : wamidOf(mix.runTag, startIndex + i));
  const onAnswer = (i: number, a: Answer | Error, scheduledAt: number) => {
    if (!(a instanceof Error) && a.status === 200) {
      ack.recordMs(performance.now() - scheduledAt);
      unacked.delete(i);
      const id = wamid(i);
      if (id) acked.add(id);
      else ackedStatuses += 1;
      return;
    }
    const key = a instanceof Error ? 'error' : String(a.status);
    failures[key] = (failures[key] ?? 0) + 1;
    unacked.set(i, build(i));
  };
  const run = await runOpenLoop({
    target,
    ratePerSec: req.ratePerSec,
    durationMs: req.durationMs,
    build,
    onSend: (i, due) => {
      const id = wamid(i);
      // Same clock as the sockets' receipts (epochNow).
      if (id) state.scheduled.set(id, performance.timeOrigin + due);
    },
    onAnswer,
    drainMs: req.settleMs,
  });
  const scheduleEnd = performance.now();
  const deadline = scheduleEnd + req.settleMs;
  // Re-deliveries, as the platform would: same bytes, until answered 200 or time runs out.
  if (req.retryNon200) {
    while (unacked.size > 0 && performance.now() < deadline) {
      await sleep(req.retryNon200.retryMs);
      for (const [i, r] of [...unacked]) {
        retries += 1;
        try {
          const a = await target.send(r);
          if (a.status === 200) {
            unacked.delete(i);
            const id = wamid(i);
            if (id) acked.add(id);
            else ackedStatuses += 1;
          } else failures[String(a.status)] = (failures[String(a.status)] ?? 0) + 1;
        } catch {
          failures['error'] = (failures['error'] ?? 0) + 1;
        }
      }
    }
  }
  for (const id of acked) state.expected.add(id);
  const tracker = state.agents[0];
  const missing = () => (tracker ? [...acked].filter((id) => !tracker.seen.has(id)).length : acked.size);
  while (tracker && missing() > 0 && performance.now() < deadline) await sleep(50);
  const settleMs = performance.now() - scheduleEnd;
  // Recording goes on (late arrivals) until e2e-final.
  state.lastAcked = acked;
  target.close();
  return {
    posted: run.sent,
    ackedMessages: acked.size,
    ackedStatuses,
    failures,
    retries,
    neverAcked: unacked.size,
    ack: ack.toJSON(),
    e2e: e2eHist.toJSON(),
    missingAtEnd: missing(),
    settleMs,
    run,
    ...(req.returnIds ? { ackedIds: [...acked] } : {}),
  };
}

async function openAgents(cmd: Extract<LoadCommand, { cmd: 'agents-open' }>): Promise<{ connected: number }> {
  const holder = { token: cmd.token };
  state.tokens.push(holder);
  const api = cmd.apiUrl ? new HubApi(cmd.apiUrl) : undefined;
  // The client's reload after `resync`: what this user may see, from the REST API.
  const reload = api
    ? async () => {
        api.token = holder.token;
        return api.providerIds(cmd.channelId);
      }
    : undefined;
  const onMessage = (_a: AgentSocket, m: MessageCreated, at: number) => {
    const id = m.message.providerMessageId;
    if (!id || !state.e2eHist) return;
    const due = state.scheduled.get(id);
    if (due === undefined) return;
    state.scheduled.delete(id);
    state.e2eHist.recordMs(at - due);
  };
  const agents = cmd.names.map(
    (name, i) =>
      new AgentSocket({
        url: cmd.url,
        name,
        token: () => holder.token,
        ...(i === 0 && state.agents.length === 0 ? { onMessage } : {}),
        ...(reload ? { reload } : {}),
      }),
  );
  await Promise.all(agents.map((a) => a.ready()));
  state.agents.push(...agents);
  return { connected: state.agents.filter((a) => a.socket.connected).length };
}

async function agentsStats(): Promise<AgentsStatsResult> {
  await Promise.all(state.agents.map((a) => a.settled()));
  return {
    expected: state.expected.size,
    agents: state.agents.map((a) => {
      const missing = [...state.expected].filter((id) => !a.seen.has(id));
      return { ...a.stats(), missing: missing.length, missingSample: missing.slice(0, 10) };
    }),
  };
}

async function fanout(cmd: Extract<LoadCommand, { cmd: 'fleet-fanout' }>): Promise<FanoutResult> {
  const fleet = state.fleet;
  if (!fleet) throw new Error('fleet-connect first');
  // Publish the way the worker does: sequenced (seq + replay log on Redis), then the bus.
  const realtime = createRealtime({ redisUrl: cmd.redisUrl });
  const inner = await createBus({ redisUrl: cmd.redisUrl });
  const bus = createSequencedBus(inner, { log: realtime.log, resolveAssignee: async () => ({ assigneeId: null }) });
  const repeats: FanoutResult['repeats'] = [];
  try {
    for (let r = 0; r < cmd.repeats; r++) {
      const marker = `fanout ${randomUUID()}`;
      const wait = fleet.expect(marker, cmd.timeoutMs);
      const msg = {
        type: 'message:created',
        workspaceId: cmd.workspaceId,
        payload: { conversationId: cmd.conversationId, message: { ...cmd.message, text: marker } },
        meta: { assigneeId: null },
      } as RealtimeBusMessage;
      const t0 = epochNow();
      await bus.publish(msg);
      const times = (await wait).sort((a, b) => a - b);
      const rel = (t: number | undefined) => (t === undefined ? null : Math.round((t - t0) * 100) / 100);
      repeats.push({
        received: times.length,
        firstMs: rel(times[0]),
        medianMs: rel(times[Math.floor(times.length / 2)]),
        lastMs: rel(times[times.length - 1]),
      });
      await sleep(200);
    }
  } finally {
    await bus.close();
    await realtime.close();
  }
  return { sockets: fleet.connected, failedToConnect: fleet.failed, repeats };
}

async function handle(cmd: LoadCommand): Promise<unknown> {
  switch (cmd.cmd) {
    case 'http-closed': {
      const target = new HttpTarget(cmd.baseUrl, cmd.concurrency);
      try {
        return await runClosedLoop({ ...cmd, target, build: builder(cmd.spec) });
      } finally {
        target.close();
      }
    }
    case 'http-open': {
      const target = new HttpTarget(cmd.baseUrl, 512);
      try {
        return await runOpenLoop({ ...cmd, target, build: builder(cmd.spec) });
      } finally {
        target.close();
      }
    }
    case 'agents-open':
      return openAgents(cmd);
    case 'agents-token':
      for (const h of state.tokens) h.token = cmd.token;
      return {};
    case 'agents-stats':
      return agentsStats();
    case 'agents-close':
      for (const a of state.agents.splice(0)) a.close();
      state.tokens = [];
      state.expected.clear();
      return {};
    case 'e2e':
      return e2e(cmd);
    case 'e2e-final': {
      const tracker = state.agents[0];
      const missing = [...state.lastAcked].filter((id) => !tracker?.seen.has(id)).length;
      const e2eHist = state.e2eHist ?? new Histogram();
      state.e2eHist = undefined;
      state.scheduled.clear();
      return { e2e: e2eHist.toJSON(), missing };
    }
    case 'fleet-connect': {
      state.fleet ??= new SocketFleet();
      const t0 = performance.now();
      await state.fleet.connect(cmd);
      return { connected: state.fleet.connected, failed: state.fleet.failed, ms: performance.now() - t0 };
    }
    case 'fleet-fanout':
      return fanout(cmd);
    case 'fleet-expect':
      if (!state.fleet) throw new Error('fleet-connect first');
      state.armed = state.fleet.expect(cmd.marker, cmd.timeoutMs);
      return {};
    case 'fleet-collect': {
      const times = (await state.armed) ?? [];
      state.armed = undefined;
      return times;
    }
    case 'fleet-close':
      state.fleet?.close();
      state.fleet = undefined;
      return {};
    case 'memory':
      return process.memoryUsage();
  }
}

serveIpc('infra/load/load.main.ts', (cmd) => handle(cmd as unknown as LoadCommand));
