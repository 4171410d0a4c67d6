import { api, ApiError } from '../api';
import type { Notification } from '../api/schemas';
import { realtime } from '../realtime/socket.svelte';

// The signed-in user's notifications for the bell: the newest page and the unread count from
// REST, then live from the socket's `notification` event (refetched on resync, since a push
// missed while offline is only in the stored list).

const PAGE = 20;

class NotificationsStore {
  items = $state.raw<Notification[]>([]);
  unreadCount = $state(0);
  error = $state(false);
  #offs: (() => void)[] = [];

  async load(): Promise<void> {
    try {
      const page = await api.notifications.list({ limit: PAGE });
      this.items = page.items;
      this.unreadCount = page.unreadCount;
      this.error = false;
    } catch (err) {
      // An older server without the route: the bell stays empty rather than failing the page.
      if (!(err instanceof ApiError && err.notImplemented)) this.error = true;
    }
  }

  /** Live for the signed-in layout; returns the stop function. */
  start(): () => void {
    void this.load();
    this.#offs = [
      realtime.on('notification', (p) => {
        // A push without a stored id (an older server): the list is the truth, fetch it.
        if (!p.id) return void this.load();
        if (this.items.some((n) => n.id === p.id)) return;
        const pushed: Notification = {
          id: p.id,
          kind: p.kind,
          conversationId: p.conversationId ?? null,
          messageId: p.messageId ?? null,
          byUserId: p.byUserId ?? null,
          text: p.text ?? '',
          createdAt: p.at ?? new Date().toISOString(),
          readAt: null,
        };
        this.items = [pushed, ...this.items].slice(0, PAGE);
        this.unreadCount += 1;
      }),
      realtime.on('resync', () => void this.load()),
    ];
    return () => {
      for (const off of this.#offs) off();
      this.#offs = [];
    };
  }

  async markRead(body: { ids: string[] } | { all: true }): Promise<void> {
    const at = new Date().toISOString();
    const ids = 'ids' in body ? new Set(body.ids) : null;
    this.items = this.items.map((n) => (!n.readAt && (!ids || ids.has(n.id)) ? { ...n, readAt: at } : n));
    try {
      this.unreadCount = (await api.notifications.markRead(body)).unreadCount;
    } catch {
      await this.load();
    }
  }
}

export const notifications = new NotificationsStore();
