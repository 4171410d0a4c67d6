import { z } from 'zod';
import { loadAssigneeVisibility, type AuthContext } from '@hub/shared/auth';
import type { RealtimeBus } from '@hub/shared/bus';
import type { Db } from '@hub/shared/db';
import {
  businessHoursOf,
  Conversation,
  conversationRowToConversation,
  conversationVisibility,
  countUnread,
  enqueueWake,
  findTeam,
  findVisibleConversation,
  findWorkspaceSettings,
  findWorkspaceUser,
  loadConversationView,
  lockConversation,
  publishConversationUpdated,
  recordResolution,
  startNewCycle,
  updateLiveConversation,
  type ConversationViewRow,
  type LiveConversationPatch,
  type VisibilityFilter,
  type WakeJob,
} from '@hub/shared/domain';
import { AppError, notFound } from '@hub/shared/errors';
import type { Logger } from '@hub/shared/logger';
import type { Queue } from '@hub/shared/queue';

// What agents do to a conversation besides writing: assign (agent and/or team), change its
// status, snooze it, label it, hand it over from a bot, and read their unread counters. Every
// action checks the caller may see the conversation (404 otherwise), changes it in one
// transaction with the reporting bookkeeping it implies, and publishes conversation:updated
// after the commit (with meta.previousAssigneeId on a change of assignee, so agents who lose
// sight of it get conversation:revoked).

export interface ActionDeps {
  db: Db;
  bus: RealtimeBus;
  timers: Queue<WakeJob>;
  clock: () => Date;
  logger: Logger;
}

/** The contract's Conversation plus what the live actions set. */
export const LiveConversation = Conversation.extend({
  teamId: z.string().nullable(),
  labels: z.array(z.string()),
  /** Snoozed: status pending until `snoozedUntil` (null: until the customer's next message). */
  snoozed: z.boolean(),
  snoozedUntil: z.string().nullable(),
}).meta({ id: 'LiveConversation' });
export type LiveConversation = z.infer<typeof LiveConversation>;

export function liveConversationOf(row: ConversationViewRow): LiveConversation {
  return {
    ...conversationRowToConversation(row),
    teamId: row.team_id ?? null,
    labels: row.labels ?? [],
    snoozed: row.snoozed_at !== null && row.snoozed_at !== undefined,
    snoozedUntil: row.snoozed_until ? new Date(row.snoozed_until).toISOString() : null,
  };
}

const invalid = (field: string, message: string) =>
  new AppError('validation_failed', 'validation_failed', `invalid ${field}`, [{ field, message }]);

async function visibility(db: Db, auth: AuthContext): Promise<VisibilityFilter> {
  return conversationVisibility(auth, await loadAssigneeVisibility(db, auth));
}

async function visibleId(db: Db, auth: AuthContext, id: string): Promise<string> {
  const row = await findVisibleConversation(db, await visibility(db, auth), id);
  if (!row) throw notFound('conversation');
  return row.id;
}

async function view(db: Db, id: string): Promise<LiveConversation> {
  const row = await loadConversationView(db, id);
  if (!row) throw notFound('conversation');
  return liveConversationOf(row);
}

/** The conversation as the live actions show it, if the caller may see it (404 otherwise). */
export async function conversationView(deps: ActionDeps, auth: AuthContext, id: string): Promise<LiveConversation> {
  return view(deps.db, await visibleId(deps.db, auth, id));
}

// ── assign ──────────────────────────────────────────────────────────────────────────────────

export const AssignBody = z
  .object({
    assigneeId: z.uuid().nullable().meta({ description: 'A user of the workspace, or null to unassign' }),
    teamId: z.uuid().nullable().optional().meta({ description: 'A team, or null for none; absent: unchanged' }),
  })
  .strict();
export type AssignBody = z.infer<typeof AssignBody>;

const ASSIGNABLE_ROLES = new Set(['admin', 'supervisor', 'agent']);

export async function assignConversation(
  deps: ActionDeps,
  auth: AuthContext,
  id: string,
  body: AssignBody,
): Promise<LiveConversation> {
  const convId = await visibleId(deps.db, auth, id);
  if (body.assigneeId) {
    const user = await findWorkspaceUser(deps.db, auth.workspaceId, body.assigneeId);
    if (!user?.active) throw invalid('assigneeId', 'no active user of this workspace has this id');
    if (!ASSIGNABLE_ROLES.has(user.role)) throw invalid('assigneeId', `a ${user.role} does not work the inbox`);
  }
  if (body.teamId && !(await findTeam(deps.db, auth.workspaceId, body.teamId))) {
    throw invalid('teamId', 'no team of this workspace has this id');
  }
  const now = deps.clock();
  const previous = await deps.db.transaction().execute(async (trx) => {
    const row = await lockConversation(trx, convId);
    if (!row) throw notFound('conversation');
    const patch: LiveConversationPatch = { assignee_id: body.assigneeId };
    if (body.teamId !== undefined) patch.team_id = body.teamId;
    await updateLiveConversation(trx, convId, patch, now);
    return row.assignee_id;
  });
  await publishConversationUpdated(deps, auth.workspaceId, convId, previous !== body.assigneeId ? previous : undefined);
  return view(deps.db, convId);
}

// ── status ──────────────────────────────────────────────────────────────────────────────────

export const StatusBody = z.object({ status: z.enum(['open', 'pending', 'resolved']) }).strict();
export type StatusBody = z.infer<typeof StatusBody>;

/**
 * open/pending/resolved. Resolving records the cycle's resolution time (once); opening a
 * resolved conversation starts a new cycle; any status change ends a snooze.
 */
export async function setConversationStatus(
  deps: ActionDeps,
  auth: AuthContext,
  id: string,
  body: StatusBody,
): Promise<LiveConversation> {
  const convId = await visibleId(deps.db, auth, id);
  const now = deps.clock();
  const hours = businessHoursOf(await findWorkspaceSettings(deps.db, auth.workspaceId));
  const changed = await deps.db.transaction().execute(async (trx) => {
    const row = await lockConversation(trx, convId);
    if (!row) throw notFound('conversation');
    if (row.status === body.status && row.snoozed_at === null) return false;
    if (body.status === 'resolved' && row.status !== 'resolved') await recordResolution(trx, row, now, hours);
    if (body.status === 'open' && (row.status === 'resolved' || row.resolved_at !== null)) {
      await startNewCycle(trx, convId, now);
    }
    await updateLiveConversation(trx, convId, { status: body.status, snoozed_at: null, snoozed_until: null }, now);
    return true;
  });
  if (changed) await publishConversationUpdated(deps, auth.workspaceId, convId);
  return view(deps.db, convId);
}

// ── snooze ──────────────────────────────────────────────────────────────────────────────────

const MAX_SNOOZE_MS = 366 * 24 * 60 * 60 * 1000;

export const SnoozeBody = z
  .object({
    until: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'Wake up at this time (also ends on the next customer message)' }),
    untilNextMessage: z.literal(true).optional().meta({ description: "Sleep until the customer's next message" }),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.until === undefined) === (v.untilNextMessage === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'give exactly one of until and untilNextMessage' });
    }
  });
export type SnoozeBody = z.infer<typeof SnoozeBody>;

/**
 * Snoozed = status pending with snoozed_at set, out of the open queue. It wakes (status open)
 * at `until` (a delayed job on queue live-timers) or with the customer's next message (the
 * inbound worker's customer turn, recordMessagesOnConversations), whichever comes first.
 */
export async function snoozeConversation(
  deps: ActionDeps,
  auth: AuthContext,
  id: string,
  body: SnoozeBody,
): Promise<LiveConversation> {
  const convId = await visibleId(deps.db, auth, id);
  const now = deps.clock();
  const until = body.until ? new Date(body.until) : null;
  if (until && until.getTime() <= now.getTime()) throw invalid('until', 'must be in the future');
  if (until && until.getTime() - now.getTime() > MAX_SNOOZE_MS) throw invalid('until', 'at most a year ahead');
  await deps.db.transaction().execute(async (trx) => {
    const row = await lockConversation(trx, convId);
    if (!row) throw notFound('conversation');
    if (row.status === 'resolved') {
      throw new AppError('conflict', 'conversation_resolved', 'a resolved conversation cannot be snoozed', [
        { field: 'status', message: 'resolved' },
      ]);
    }
    await updateLiveConversation(trx, convId, { status: 'pending', snoozed_at: now, snoozed_until: until }, now);
  });
  if (until) {
    try {
      await enqueueWake(
        deps.timers,
        { conversationId: convId, workspaceId: auth.workspaceId, until: until.toISOString() },
        now,
      );
    } catch (err) {
      deps.logger.warn({ err, conversationId: convId }, 'snooze wake-up could not be scheduled');
    }
  }
  await publishConversationUpdated(deps, auth.workspaceId, convId);
  return view(deps.db, convId);
}

// ── labels ──────────────────────────────────────────────────────────────────────────────────

const Label = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .regex(/^[^,\s][^,]*$/, 'no commas');

export const LabelsBody = z.object({ labels: z.array(Label).max(20) }).strict();
export type LabelsBody = z.infer<typeof LabelsBody>;

/** Replaces the labels (deduplicated case-insensitively, first spelling kept, sorted). */
export async function setConversationLabels(
  deps: ActionDeps,
  auth: AuthContext,
  id: string,
  body: LabelsBody,
): Promise<LiveConversation> {
  const convId = await visibleId(deps.db, auth, id);
  const seen = new Map<string, string>();
  for (const l of body.labels) if (!seen.has(l.toLowerCase())) seen.set(l.toLowerCase(), l);
  const labels = [...seen.values()].sort((a, b) => a.localeCompare(b));
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    if (!(await lockConversation(trx, convId))) throw notFound('conversation');
    await updateLiveConversation(trx, convId, { labels }, now);
  });
  await publishConversationUpdated(deps, auth.workspaceId, convId);
  return view(deps.db, convId);
}

// ── bot hand-off ────────────────────────────────────────────────────────────────────────────

/** A bot (or automation) hands the conversation to humans: the first-response clock starts now. */
export async function handOffToHumans(deps: ActionDeps, auth: AuthContext, id: string): Promise<LiveConversation> {
  const convId = await visibleId(deps.db, auth, id);
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    if (!(await lockConversation(trx, convId))) throw notFound('conversation');
    await startNewCycle(trx, convId, now);
  });
  await publishConversationUpdated(deps, auth.workspaceId, convId);
  return view(deps.db, convId);
}

// ── unread ──────────────────────────────────────────────────────────────────────────────────

const Counts = z.object({ conversations: z.number().int(), messages: z.number().int() });
export const UnreadSummary = z
  .object({
    total: Counts.meta({ description: 'Every open or pending conversation the caller may see' }),
    mine: Counts.meta({ description: 'Assigned to the caller' }),
    unassigned: Counts.meta({ description: 'Unassigned (only those the caller may see)' }),
  })
  .meta({ id: 'UnreadSummary' });

/** The caller's unread counters (open and pending conversations it may see). */
export async function unreadSummary(deps: ActionDeps, auth: AuthContext) {
  const visible = await visibility(deps.db, auth);
  const [total, mine, unassigned] = await Promise.all([
    countUnread(deps.db, auth.workspaceId, 'any', visible),
    countUnread(deps.db, auth.workspaceId, auth.userId, visible),
    countUnread(deps.db, auth.workspaceId, 'none', visible),
  ]);
  return { total, mine, unassigned };
}
