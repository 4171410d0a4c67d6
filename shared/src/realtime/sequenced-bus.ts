import type { BusMessage, RealtimeBus } from '../bus';
import type { Logger } from '../logger';
import { isSequencedType, type RealtimeEnvelope, type SequencedBusMessage } from './events';
import type { ReplayLog, ResolvedMessage } from './replay-log';

// The seam that gives every publisher gap-free delivery: the runtime's `bus` is this wrapper.
// A sequenced event (message:*, conversation:*) first gets who-may-see-it resolved, then its
// seq and its place in the replay log (one atomic step), and only then goes on the bus. The
// seq is assigned here, on the publishing side, because several gateways receive the same bus
// message and must agree on its number. Everything else passes through untouched.

export interface SequencedBus extends RealtimeBus {
  /** Publishes a sequenced event and answers it as sent (with its seq). */
  publishSequenced(msg: SequencedBusMessage): Promise<RealtimeEnvelope>;
  /**
   * Publishes many in order, in one round trip to the log and one to the bus. A message with a
   * once-key (onceKeys[i]) is published only if none was under that key lately: a retried job
   * can re-announce what it may or may not have announced before it died.
   */
  publishMany(msgs: BusMessage[], opts?: { onceKeys?: (string | undefined)[] }): Promise<void>;
  /** The bus underneath: publishes as is, without a seq (tests simulate late or lost messages). */
  readonly inner: RealtimeBus;
}

export interface SequencedBusDeps {
  log: ReplayLog;
  /** The conversation's assignee now, for message events published without meta.assigneeId. */
  resolveAssignee(workspaceId: string, conversationId: string): Promise<{ assigneeId: string | null } | undefined>;
  /**
   * The log and the bus live on the same Redis: the log publishes what it stores (one round
   * trip per batch instead of two, one serialization per event).
   */
  publishThroughLog?: boolean;
  logger?: Logger;
}

export function createSequencedBus(inner: RealtimeBus, deps: SequencedBusDeps): SequencedBus {
  const resolve = async (msg: SequencedBusMessage): Promise<ResolvedMessage> => {
    const given = msg.meta ?? {};
    const previous = given.previousAssigneeId !== undefined ? { previousAssigneeId: given.previousAssigneeId } : {};
    switch (msg.type) {
      case 'conversation:created':
      case 'conversation:updated': {
        const c = msg.payload.conversation;
        const assigneeId = given.assigneeId !== undefined ? given.assigneeId : c.assigneeId;
        return { ...msg, meta: { conversationId: c.id, assigneeId, ...previous } };
      }
      case 'message:created':
      case 'message:updated': {
        const conversationId = msg.payload.conversationId;
        let assigneeId = given.assigneeId;
        if (assigneeId === undefined) {
          assigneeId = (await deps.resolveAssignee(msg.workspaceId, conversationId))?.assigneeId;
          // Unknown conversation: the envelope says so and only see-everything roles get it.
          if (assigneeId === undefined)
            deps.logger?.warn({ conversationId, type: msg.type }, 'realtime event for an unknown conversation');
        }
        return { ...msg, meta: { conversationId, ...(assigneeId !== undefined ? { assigneeId } : {}), ...previous } };
      }
    }
  };

  const publishSequenced = async (msg: SequencedBusMessage): Promise<RealtimeEnvelope> => {
    const env = await deps.log.append(await resolve(msg));
    await inner.publish(env);
    return env;
  };

  const publishMany = async (msgs: BusMessage[], opts: { onceKeys?: (string | undefined)[] } = {}) => {
    const items = await Promise.all(
      msgs.map(async (msg, i) =>
        isSequencedType(msg.type)
          ? { event: await resolve(msg as SequencedBusMessage), onceKey: opts.onceKeys?.[i] }
          : undefined,
      ),
    );
    const sequenced = items.filter((it) => it !== undefined);
    const unsequenced = msgs.filter((_, i) => !items[i]);
    if (deps.publishThroughLog && inner.channel && deps.log.appendAndPublish) {
      await deps.log.appendAndPublish(sequenced, inner.channel);
      await inner.publishMany(unsequenced);
      return;
    }
    const envs = await deps.log.appendMany(sequenced);
    // Unsequenced messages keep their order among themselves, after the sequenced ones.
    await inner.publishMany([...envs.filter((e) => e !== null), ...unsequenced]);
  };

  return {
    kind: inner.kind,
    inner,
    publishSequenced,
    publishMany,
    async publish(msg: BusMessage) {
      if (isSequencedType(msg.type)) await publishSequenced(msg as SequencedBusMessage);
      else await inner.publish(msg);
    },
    subscribe: (handler) => inner.subscribe(handler),
    close: () => inner.close(),
  };
}
