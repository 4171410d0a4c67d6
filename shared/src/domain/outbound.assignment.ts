import type { RealtimeBus } from '../bus';
import type { Db } from '../db';
import type { Logger } from '../logger';
import type { PresenceStore } from '../realtime/presence.store';
import type { RealtimeBusMessage } from '../realtime/events';
import { findChannelById } from './channel.repository';
import { loadConversationView } from './conversation.repository';
import { conversationRowToConversation } from './message.mapper';
import {
  agentLoads,
  listUnassignedForOffer,
  lockAssignmentCursor,
  lockConversation,
  moveAssignmentCursor,
  updateLiveConversation,
} from './outbound.repository';

// Auto-assignment per channel (`channels.settings.autoAssign: true`): round robin among the
// agents who are ONLINE right now (presence store; 'away' does not count) and hold fewer open
// conversations than their capacity — `users.conversation_capacity`, else the channel's
// `settings.autoAssignCapacity`, else DEFAULT_AGENT_CAPACITY. The channel's cursor row
// (assignment_cursors) is locked for the pick, so concurrent picks on one channel take turns
// and any number of worker processes may try the same conversation: the first assigns it, the
// others find it assigned. Unassigned chats are offered again when an agent comes online or a
// conversation is resolved (capacity freed).

export const DEFAULT_AGENT_CAPACITY = 10;

export interface AssignmentDeps {
  db: Db;
  bus: RealtimeBus;
  presence: PresenceStore;
  clock: () => Date;
  logger: Logger;
  /** Which channels auto-assign, cached (every customer message asks; most workspaces say none). */
  autoAssignChannels?: AutoAssignChannels;
}

type AutoAssignSettings = ReturnType<typeof autoAssignSettings>;

/**
 * The auto-assigning channels of each workspace, read at most every `ttlMs` (and at once after
 * `invalidate`, which the worker calls on `channel:changed`). Lets the hot path skip the two
 * lookups per customer message when no channel of the workspace auto-assigns.
 */
export class AutoAssignChannels {
  readonly #cache = new Map<string, { until: number; channels: Promise<Map<string, AutoAssignSettings>> }>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  of(workspaceId: string): Promise<Map<string, AutoAssignSettings>> {
    const hit = this.#cache.get(workspaceId);
    if (hit && hit.until > this.now()) return hit.channels;
    const channels = this.db
      .selectFrom('channels')
      .select(['id', 'settings'])
      .where('workspace_id', '=', workspaceId)
      .where('deleted_at', 'is', null)
      .execute()
      .then((rows) => {
        const on = new Map<string, AutoAssignSettings>();
        for (const r of rows) {
          const s = autoAssignSettings(r.settings);
          if (s.on) on.set(r.id, s);
        }
        return on;
      });
    // A failed read is not remembered.
    channels.catch(() => this.#cache.delete(workspaceId));
    this.#cache.set(workspaceId, { until: this.now() + this.ttlMs, channels });
    return channels;
  }

  invalidate(workspaceId?: string): void {
    if (workspaceId === undefined) this.#cache.clear();
    else this.#cache.delete(workspaceId);
  }
}

function autoAssignSettings(settings: unknown): { on: boolean; capacity: number | undefined } {
  const s = (settings ?? {}) as { autoAssign?: unknown; autoAssignCapacity?: unknown };
  const cap = s.autoAssignCapacity;
  return {
    on: s.autoAssign === true,
    capacity: typeof cap === 'number' && Number.isInteger(cap) && cap > 0 ? cap : undefined,
  };
}

/** Publishes conversation:updated; `previousAssigneeId` when the assignee changed (drives revokes). */
export async function publishConversationUpdated(
  deps: { db: Db; bus: RealtimeBus; logger: Logger },
  workspaceId: string,
  conversationId: string,
  previousAssigneeId?: string | null,
): Promise<void> {
  try {
    const view = await loadConversationView(deps.db, conversationId);
    if (!view) return;
    const msg: RealtimeBusMessage = {
      type: 'conversation:updated',
      workspaceId,
      payload: { conversation: conversationRowToConversation(view) },
      ...(previousAssigneeId !== undefined ? { meta: { assigneeId: view.assignee_id, previousAssigneeId } } : {}),
    };
    await deps.bus.publish(msg);
  } catch (err) {
    deps.logger.warn({ err, conversationId }, 'realtime publish failed');
  }
}

/** Tries to give one unassigned conversation to an online agent; the new assignee or undefined. */
export async function autoAssignConversation(
  deps: AssignmentDeps,
  conversationId: string,
  /** When known (a bus event says it): lets the cache answer "no channel here auto-assigns". */
  workspaceId?: string,
): Promise<string | undefined> {
  const { db } = deps;
  if (
    workspaceId !== undefined &&
    deps.autoAssignChannels &&
    (await deps.autoAssignChannels.of(workspaceId)).size === 0
  )
    return undefined;
  const conv = await db
    .selectFrom('conversations')
    .select(['id', 'workspace_id', 'channel_id', 'assignee_id', 'status'])
    .where('id', '=', conversationId)
    .executeTakeFirst();
  if (!conv || conv.assignee_id !== null || conv.status !== 'open') return undefined;
  const cached = deps.autoAssignChannels && (await deps.autoAssignChannels.of(conv.workspace_id)).get(conv.channel_id);
  const channel = cached ? { id: conv.channel_id } : await findChannelById(db, conv.channel_id);
  const auto = cached ?? autoAssignSettings((channel as { settings?: unknown } | undefined)?.settings);
  if (!channel || !auto.on) return undefined;
  const { online } = await deps.presence.list(conv.workspace_id);
  const onlineIds = online.filter((e) => e.status === 'online').map((e) => e.userId);
  if (onlineIds.length === 0) return undefined;
  const now = deps.clock();
  const picked = await db.transaction().execute(async (trx) => {
    const last = await lockAssignmentCursor(trx, conv.workspace_id, channel.id);
    const row = await lockConversation(trx, conv.id);
    if (!row || row.assignee_id !== null || row.status !== 'open' || row.snoozed_at !== null) return undefined;
    const eligible = (await agentLoads(trx, conv.workspace_id, onlineIds)).filter(
      (a) => a.open < (a.conversation_capacity ?? auto.capacity ?? DEFAULT_AGENT_CAPACITY),
    );
    if (eligible.length === 0) return undefined;
    // Sorted by id: the next one after the last pick, wrapping around.
    const next = eligible.find((a) => last !== null && a.id > last) ?? eligible[0]!;
    await updateLiveConversation(trx, conv.id, { assignee_id: next.id }, now);
    await moveAssignmentCursor(trx, channel.id, next.id, now);
    return next.id;
  });
  if (picked) {
    deps.logger.debug({ conversationId, assigneeId: picked }, 'auto-assigned');
    await publishConversationUpdated(deps, conv.workspace_id, conv.id, null);
  }
  return picked;
}

/** Offers the workspace's waiting unassigned chats (auto-assign channels) to online agents. */
export async function offerUnassigned(deps: AssignmentDeps, workspaceId: string, limit = 50): Promise<number> {
  const waiting = await listUnassignedForOffer(deps.db, workspaceId, limit);
  let assigned = 0;
  for (const c of waiting) if (await autoAssignConversation(deps, c.id)) assigned++;
  return assigned;
}
