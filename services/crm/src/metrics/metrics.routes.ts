import { z } from 'zod';
import { computeLiveMetrics, DEFAULT_AGENT_CAPACITY } from '@hub/shared/domain';
import { AppError, notFound } from '@hub/shared/errors';
import type { Runtime } from '@hub/shared/runtime';
import { access, type ApiRouter } from '../http/route';
import { agentsWithLoad, setAgentCapacity } from './metrics.repository';

// GET /api/v1/metrics — the live figures supervisors watch (pushed as `metrics:updated` on the
// socket when they change); GET /api/v1/agents — who works the inbox, online or not, with
// their load and capacity; PUT /api/v1/agents/:id/capacity — the auto-assignment capacity.

const Stat = z.object({
  count: z.number().int(),
  min: z.number().nullable(),
  avg: z.number().nullable(),
  max: z.number().nullable(),
});
const Figure = Stat.extend({ business: Stat.meta({ description: 'The same samples in business hours' }) }).meta({
  id: 'MetricFigure',
  description: 'Seconds; samples recorded in [from, to)',
});

export const LiveMetricsSchema = z
  .object({
    workspaceId: z.string(),
    at: z.string(),
    from: z.string(),
    to: z.string(),
    open: z.number().int(),
    pending: z.number().int(),
    snoozed: z.number().int(),
    unanswered: z.number().int(),
    waitingLongestSeconds: z.number().int(),
    conversationsByChannel: z.array(
      z.object({
        channelId: z.string(),
        type: z.string(),
        name: z.string(),
        open: z.number().int(),
        unanswered: z.number().int(),
      }),
    ),
    agentsOnline: z.number().int(),
    frt: Figure,
    reply: Figure,
    resolution: Figure,
    perAgent: z.array(
      z.object({
        userId: z.string(),
        name: z.string(),
        role: z.string(),
        presence: z.enum(['online', 'away', 'offline']),
        open: z.number().int(),
        frt: Figure,
        reply: Figure,
        resolution: Figure,
      }),
    ),
  })
  .meta({ id: 'LiveMetrics' });

export const MetricsQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Default: 24 hours before `to`' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Default: now' }),
});

const MAX_RANGE_MS = 366 * 24 * 60 * 60 * 1000;

export const Agent = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.string(),
    presence: z.enum(['online', 'away', 'offline']),
    open: z.number().int().meta({ description: 'Open conversations assigned now' }),
    capacity: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'Own auto-assignment capacity; null: the channel’s or the default' }),
  })
  .meta({ id: 'Agent' });

export const CapacityBody = z
  .object({ capacity: z.number().int().min(1).max(1000).nullable() })
  .strict()
  .meta({ description: `null: the channel's autoAssignCapacity, else ${DEFAULT_AGENT_CAPACITY}` });

export function metricsRoutes(api: ApiRouter, rt: Runtime): void {
  const db = rt.database.db;

  api.route({
    method: 'get',
    path: '/metrics',
    access: access.can('reports', 'read'),
    summary: 'Live inbox figures and response times',
    description:
      'Now: open / pending / snoozed / unanswered conversations, the longest wait, per channel, agents online. ' +
      'Over [from, to): first response time (frt), reply time (one sample per customer turn) and resolution ' +
      'time — count, min, avg, max in seconds, also in business hours — overall and per agent. Private notes, ' +
      'bot and campaign messages are not replies. Pushed to supervisors as `metrics:updated` (last 24 h).',
    tags: ['Metrics'],
    query: MetricsQuery,
    response: LiveMetricsSchema,
    handler: async (c) => {
      const to = c.query.to ? new Date(c.query.to) : c.now;
      const from = c.query.from ? new Date(c.query.from) : new Date(to.getTime() - 24 * 60 * 60 * 1000);
      if (from.getTime() >= to.getTime()) {
        throw new AppError('validation_failed', 'validation_failed', 'invalid from', [
          { field: 'from', message: 'must be before to' },
        ]);
      }
      if (to.getTime() - from.getTime() > MAX_RANGE_MS) {
        throw new AppError('validation_failed', 'validation_failed', 'invalid from', [
          { field: 'from', message: 'the range is limited to 366 days' },
        ]);
      }
      return computeLiveMetrics(db, rt.realtime.presence, c.auth.workspaceId, { from, to, now: c.now });
    },
  });

  api.route({
    method: 'get',
    path: '/agents',
    access: access.can('reports', 'read'),
    summary: 'The inbox team: presence, open conversations, capacity',
    tags: ['Metrics'],
    response: z.object({ items: z.array(Agent), nextCursor: z.null() }),
    handler: async (c) => {
      const [rows, present] = await Promise.all([
        agentsWithLoad(db, c.auth.workspaceId),
        rt.realtime.presence.list(c.auth.workspaceId),
      ]);
      const status = new Map(present.online.map((e) => [e.userId, e.status]));
      return {
        items: rows.map((r) => ({
          id: r.id,
          name: r.name,
          email: r.email,
          role: r.role,
          presence: status.get(r.id) ?? ('offline' as const),
          open: Number(r.open),
          capacity: r.conversation_capacity,
        })),
        nextCursor: null,
      };
    },
  });

  api.route({
    method: 'put',
    path: '/agents/:id/capacity',
    access: access.can('users', 'update'),
    summary: "Set an agent's auto-assignment capacity",
    tags: ['Metrics'],
    body: CapacityBody,
    response: z.object({ id: z.string(), capacity: z.number().int().nullable() }),
    handler: async (c) => {
      const row = await setAgentCapacity(db, c.auth.workspaceId, c.params.id!, c.body.capacity);
      if (!row) throw notFound('user');
      return { id: row.id, capacity: row.conversation_capacity };
    },
  });
}
