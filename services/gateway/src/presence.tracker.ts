import type { Logger } from '@hub/shared/logger';
import type { PresenceConn, PresenceEntry, PresenceStatus, PresenceStore } from '@hub/shared/realtime';

// This process's side of presence: it registers its connections in the shared store, keeps
// them alive (scaled mode), and announces every transition the store reports on the bus as
// `presence:changed`; each gateway turns that into `presence` for the workspace's sockets and
// anyone else (auto-assignment) may listen to it too.

export type AnnouncePresence = (workspaceId: string, userId: string, status: PresenceStatus) => Promise<void>;

export class PresenceTracker {
  /** socket id → its registration (pending while the store call runs). */
  readonly #local = new Map<string, { conn: PresenceConn; registered: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: PresenceStore,
    private readonly announce: AnnouncePresence,
    private readonly logger: Logger,
  ) {}

  connected(conn: PresenceConn): void {
    const registered = this.store
      .connect(conn)
      .then((wentOnline) => (wentOnline ? this.announce(conn.workspaceId, conn.userId, 'online') : undefined))
      .catch((err: unknown) => this.logger.warn({ err }, 'presence connect failed'));
    this.#local.set(conn.connId, { conn, registered });
  }

  async disconnected(connId: string): Promise<void> {
    const entry = this.#local.get(connId);
    if (!entry) return;
    this.#local.delete(connId);
    // A socket that drops at once must not leave its registration behind.
    await entry.registered;
    try {
      if (await this.store.disconnect(entry.conn))
        await this.announce(entry.conn.workspaceId, entry.conn.userId, 'offline');
    } catch (err) {
      this.logger.warn({ err }, 'presence disconnect failed');
    }
  }

  async setStatus(workspaceId: string, userId: string, status: PresenceEntry['status']): Promise<void> {
    if (await this.store.setStatus(workspaceId, userId, status)) await this.announce(workspaceId, userId, status);
  }

  /** Online users; announces (once, whichever process finds them) users whose connections expired. */
  async list(workspaceId: string): Promise<PresenceEntry[]> {
    const { online, expired } = await this.store.list(workspaceId);
    for (const userId of expired) await this.announce(workspaceId, userId, 'offline');
    return online;
  }

  /** Scaled mode: heart-beat local connections and sweep the workspaces this process serves. */
  start(intervalMs: number): void {
    if (this.store.kind !== 'redis') return;
    this.#timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.logger.warn({ err }, 'presence heartbeat failed'));
    }, intervalMs);
    this.#timer.unref();
  }

  async tick(): Promise<void> {
    const conns = [...this.#local.values()].map((e) => e.conn);
    const back = await this.store.heartbeat(conns);
    const announced = new Set<string>();
    for (const c of back) {
      const key = `${c.workspaceId}:${c.userId}`;
      if (announced.has(key)) continue;
      announced.add(key);
      await this.announce(c.workspaceId, c.userId, 'online');
    }
    for (const ws of new Set(conns.map((c) => c.workspaceId))) await this.list(ws);
  }

  /** Shutting down: this process's users go offline now rather than when their entries expire. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([...this.#local.keys()].map((id) => this.disconnected(id)));
  }
}
