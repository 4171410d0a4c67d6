import { sql } from 'kysely';
import type { DbOrTrx } from '../db';
import type { PresenceStore } from '../realtime/presence.store';

// The live figures of GET /api/v1/metrics and of the `metrics:updated` pushes to supervisors:
// the state of the inbox now (open, unanswered, waiting longest, per channel, agents online)
// and the response-time samples recorded in [from, to) (reporting_events; see
// outbound.reporting.ts for what each sample means). Seconds throughout.

export interface Stat {
  count: number;
  min: number | null;
  avg: number | null;
  max: number | null;
}

export interface Figure extends Stat {
  /** The same samples counted in business hours (only samples that have a business value). */
  business: Stat;
}

export interface AgentFigures {
  userId: string;
  name: string;
  role: string;
  /** 'offline' when the user has no live connection. */
  presence: 'online' | 'away' | 'offline';
  /** Open conversations assigned now. */
  open: number;
  frt: Figure;
  reply: Figure;
  resolution: Figure;
}

export interface LiveMetrics {
  workspaceId: string;
  /** When these figures were computed (ISO 8601). */
  at: string;
  from: string;
  to: string;
  /** Conversations open now (snoozed ones are pending). */
  open: number;
  pending: number;
  snoozed: number;
  /** Open conversations whose customer's last turn has no human reply yet. */
  unanswered: number;
  /** How long the longest-waiting unanswered customer has waited (0 when none). */
  waitingLongestSeconds: number;
  conversationsByChannel: { channelId: string; type: string; name: string; open: number; unanswered: number }[];
  /** Users of the inbox roles with a live connection (status online or away). */
  agentsOnline: number;
  frt: Figure;
  reply: Figure;
  resolution: Figure;
  perAgent: AgentFigures[];
}

interface Acc {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
}

const emptyAcc = (): Acc => ({ count: 0, sum: 0, min: null, max: null });

function add(acc: Acc, count: number, sum: number, min: number | null, max: number | null): void {
  if (count === 0) return;
  acc.count += count;
  acc.sum += sum;
  acc.min = acc.min === null || (min !== null && min < acc.min) ? min : acc.min;
  acc.max = acc.max === null || (max !== null && max > acc.max) ? max : acc.max;
}

const round = (n: number | null) => (n === null ? null : Math.round(n * 1000) / 1000);

function stat(a: Acc): Stat {
  return { count: a.count, min: round(a.min), avg: a.count ? round(a.sum / a.count) : null, max: round(a.max) };
}

type Kind = 'first_response' | 'reply' | 'resolution';
const FIGURE: Record<Kind, 'frt' | 'reply' | 'resolution'> = {
  first_response: 'frt',
  reply: 'reply',
  resolution: 'resolution',
};

interface FigureAcc {
  all: Acc;
  business: Acc;
}
const figureAcc = (): Record<'frt' | 'reply' | 'resolution', FigureAcc> => ({
  frt: { all: emptyAcc(), business: emptyAcc() },
  reply: { all: emptyAcc(), business: emptyAcc() },
  resolution: { all: emptyAcc(), business: emptyAcc() },
});
const figure = (f: FigureAcc): Figure => ({ ...stat(f.all), business: stat(f.business) });

const INBOX_ROLES = ['admin', 'supervisor', 'agent'];

export async function computeLiveMetrics(
  db: DbOrTrx,
  presence: PresenceStore,
  workspaceId: string,
  window: { from: Date; to: Date; now: Date },
): Promise<LiveMetrics> {
  const [state, byChannel, samples, loads, users, present] = await Promise.all([
    db
      .selectFrom('conversations')
      .select([
        sql<number>`count(*) filter (where status = 'open')::int`.as('open'),
        sql<number>`count(*) filter (where status = 'pending')::int`.as('pending'),
        sql<number>`count(*) filter (where snoozed_at is not null)::int`.as('snoozed'),
        sql<number>`count(*) filter (where status = 'open' and awaiting_since is not null)::int`.as('unanswered'),
        sql<Date | null>`min(awaiting_since) filter (where status = 'open')`.as('oldest'),
      ])
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('channels')
      .leftJoin('conversations', (j) =>
        j.onRef('conversations.channel_id', '=', 'channels.id').on('conversations.status', '=', 'open'),
      )
      .select([
        'channels.id',
        'channels.type',
        'channels.name',
        sql<number>`count(conversations.id)::int`.as('open'),
        sql<number>`count(conversations.id) filter (where conversations.awaiting_since is not null)::int`.as(
          'unanswered',
        ),
      ])
      .where('channels.workspace_id', '=', workspaceId)
      .where('channels.deleted_at', 'is', null)
      .groupBy(['channels.id', 'channels.type', 'channels.name'])
      .orderBy('channels.name')
      .execute(),
    db
      .selectFrom('reporting_events')
      .select([
        'kind',
        'agent_id',
        sql<number>`count(*)::int`.as('n'),
        sql<number>`sum(value_seconds)`.as('sum'),
        sql<number>`min(value_seconds)`.as('min'),
        sql<number>`max(value_seconds)`.as('max'),
        sql<number>`count(value_business_seconds)::int`.as('bn'),
        sql<number | null>`sum(value_business_seconds)`.as('bsum'),
        sql<number | null>`min(value_business_seconds)`.as('bmin'),
        sql<number | null>`max(value_business_seconds)`.as('bmax'),
      ])
      .where('workspace_id', '=', workspaceId)
      .where('at', '>=', window.from)
      .where('at', '<', window.to)
      .groupBy(['kind', 'agent_id'])
      .execute(),
    db
      .selectFrom('conversations')
      .select(['assignee_id', sql<number>`count(*)::int`.as('open')])
      .where('workspace_id', '=', workspaceId)
      .where('status', '=', 'open')
      .where('assignee_id', 'is not', null)
      .groupBy('assignee_id')
      .execute(),
    db
      .selectFrom('users')
      .select(['id', 'name', 'role'])
      .where('workspace_id', '=', workspaceId)
      .where('active', '=', true)
      .where('role', 'in', INBOX_ROLES)
      .orderBy('name')
      .orderBy('id')
      .execute(),
    presence.list(workspaceId),
  ]);

  const total = figureAcc();
  const perAgent = new Map<string, ReturnType<typeof figureAcc>>();
  for (const s of samples) {
    const key = FIGURE[s.kind as Kind];
    if (!key) continue;
    const targets = [total];
    if (s.agent_id) {
      let a = perAgent.get(s.agent_id);
      if (!a) perAgent.set(s.agent_id, (a = figureAcc()));
      targets.push(a);
    }
    for (const t of targets) {
      add(t[key].all, Number(s.n), Number(s.sum), num(s.min), num(s.max));
      add(t[key].business, Number(s.bn), Number(s.bsum ?? 0), num(s.bmin), num(s.bmax));
    }
  }
  const status = new Map(present.online.map((e) => [e.userId, e.status]));
  const openOf = new Map(loads.map((l) => [l.assignee_id!, Number(l.open)]));
  const oldest = state.oldest ? new Date(state.oldest) : null;
  return {
    workspaceId,
    at: window.now.toISOString(),
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    open: Number(state.open),
    pending: Number(state.pending),
    snoozed: Number(state.snoozed),
    unanswered: Number(state.unanswered),
    waitingLongestSeconds: oldest ? Math.max(0, Math.round((window.now.getTime() - oldest.getTime()) / 1000)) : 0,
    conversationsByChannel: byChannel.map((c) => ({
      channelId: c.id,
      type: c.type,
      name: c.name,
      open: Number(c.open),
      unanswered: Number(c.unanswered),
    })),
    agentsOnline: users.filter((u) => status.has(u.id)).length,
    frt: figure(total.frt),
    reply: figure(total.reply),
    resolution: figure(total.resolution),
    perAgent: users.map((u) => {
      const f = perAgent.get(u.id) ?? figureAcc();
      return {
        userId: u.id,
        name: u.name,
        role: u.role,
        presence: status.get(u.id) ?? 'offline',
        open: openOf.get(u.id) ?? 0,
        frt: figure(f.frt),
        reply: figure(f.reply),
        resolution: figure(f.resolution),
      };
    }),
  };
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
