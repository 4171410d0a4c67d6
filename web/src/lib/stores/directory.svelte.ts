import { api, ApiError } from '../api';
import type { Channel, ReplyTemplate, User } from '../api/schemas';

// Users and channels of the workspace, loaded once and shared (names for ids, filters, assign).

class Directory {
  users = $state.raw<User[]>([]);
  channels = $state.raw<Channel[]>([]);
  replyTemplates = $state.raw<ReplyTemplate[]>([]);
  #loaded: Promise<void> | null = null;
  #templatesLoaded: Promise<void> | null = null;

  loadReplyTemplates(force = false): Promise<void> {
    if (!force && this.#templatesLoaded) return this.#templatesLoaded;
    this.#templatesLoaded = api.replyTemplates.list().then(
      (p) => {
        this.replyTemplates = p.items;
      },
      (e: unknown) => ignoreApiError(e),
    );
    return this.#templatesLoaded;
  }

  load(force = false): Promise<void> {
    if (!force && this.#loaded) return this.#loaded;
    this.#loaded = Promise.all([
      api.users.list().then(
        (p) => (this.users = p.items),
        (e: unknown) => ignoreApiError(e),
      ),
      api.channels.list().then(
        (p) => (this.channels = p.items),
        (e: unknown) => ignoreApiError(e),
      ),
    ]).then(() => undefined);
    return this.#loaded;
  }

  userName(id: string | null | undefined): string | null {
    if (!id) return null;
    return this.users.find((u) => u.id === id)?.name ?? null;
  }

  channelName(id: string): string | null {
    return this.channels.find((c) => c.id === id)?.name ?? null;
  }
}

function ignoreApiError(e: unknown): void {
  // Agents may not list users (403) and routes may not exist yet (404): show ids instead.
  if (!(e instanceof ApiError)) throw e;
}

export const directory = new Directory();
