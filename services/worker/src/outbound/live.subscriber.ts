import type { BusMessage } from '@hub/shared/bus';
import { autoAssignConversation, CHANNEL_CHANGED, offerUnassigned, type AssignmentDeps } from '@hub/shared/domain';
import { isSequencedType } from '@hub/shared/realtime';
import type { MetricsPublisher } from './metrics.publisher';

// Reacts to what other parts of the hub publish on the realtime bus (after their commits):
// - a customer message in an unassigned conversation → auto-assignment (channels that want it);
// - an agent coming online, or a conversation resolved (capacity freed) → the waiting
//   unassigned chats are offered again;
// - any inbox change or presence change → the supervisors' metrics are refreshed (debounced).
// The bus is at-most-once (Redis pub/sub): a lost message delays an assignment until the next
// presence change or resolution in that workspace offers the chat again.

interface Envelope {
  type: string;
  workspaceId: string;
  payload: {
    message?: { direction?: string };
    conversationId?: string;
    conversation?: { id?: string; status?: string; assigneeId?: string | null };
    status?: string;
  };
  meta?: { assigneeId?: string | null };
}

export class LiveSubscriber {
  private readonly running = new Set<Promise<unknown>>();
  private unsubscribe: (() => void) | undefined;

  private readonly metrics: MetricsPublisher | undefined;
  private readonly autoAssign: boolean;

  constructor(
    private readonly deps: AssignmentDeps,
    opts: { metrics: MetricsPublisher | undefined; autoAssign: boolean },
  ) {
    this.metrics = opts.metrics;
    this.autoAssign = opts.autoAssign;
  }

  start(): void {
    this.unsubscribe = this.deps.bus.subscribe((m) => this.onMessage(m));
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err: unknown) => this.deps.logger.warn({ err }, 'live subscriber task failed'));
    this.running.add(q);
    void q.finally(() => this.running.delete(q));
  }

  private onMessage(raw: BusMessage): void {
    const msg = raw as Envelope;
    if (!msg.workspaceId) return;
    const ws = msg.workspaceId;
    if (msg.type === CHANNEL_CHANGED) this.deps.autoAssignChannels?.invalidate(ws);
    if (isSequencedType(msg.type) || msg.type === 'presence:changed') this.metrics?.touch(ws);
    if (!this.autoAssign) return;
    switch (msg.type) {
      case 'message:created': {
        const conversationId = msg.payload.conversationId;
        if (msg.payload.message?.direction === 'in' && msg.meta?.assigneeId === null && conversationId) {
          this.track(autoAssignConversation(this.deps, conversationId, ws));
        }
        return;
      }
      case 'conversation:updated':
        if (msg.payload.conversation?.status === 'resolved') this.track(offerUnassigned(this.deps, ws));
        return;
      case 'presence:changed':
        if (msg.payload.status === 'online') this.track(offerUnassigned(this.deps, ws));
        return;
      default:
        return;
    }
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all(this.running);
  }
}
