import { browser } from '$app/environment';
import { api, configureClient } from '../api';
import type { SessionBody, SessionUser } from '../api/schemas';

// Who is signed in. Tokens live in memory and in localStorage (a reload or a second tab stays
// signed in); a 401 triggers one refresh; when that fails the session is marked expired and a
// sign-in dialog opens over the current page, so nothing typed is lost.

const STORAGE_KEY = 'hub.session';

interface Stored {
  accessToken: string;
  refreshToken: string;
  user: SessionUser;
}

const roleRank: Record<string, number> = { agent: 1, marketer: 1, manager: 2, supervisor: 2, admin: 3 };

class Session {
  user = $state<SessionUser | null>(null);
  expired = $state(false);
  #accessToken: string | null = null;
  #refreshToken: string | null = null;
  #refreshing: Promise<boolean> | null = null;

  constructor() {
    if (!browser) return;
    this.#load();
    // Another tab signed in, refreshed or signed out: follow it.
    window.addEventListener('storage', (e) => {
      if (e.key === STORAGE_KEY) this.#load();
    });
    configureClient({
      accessToken: () => this.#accessToken,
      refresh: () => this.refresh(),
      expired: () => this.markExpired(),
    });
  }

  #load(): void {
    try {
      const raw = localStorage.getItem(STORAGE_KEY);
      const s = raw ? (JSON.parse(raw) as Stored) : null;
      this.#accessToken = s?.accessToken ?? null;
      this.#refreshToken = s?.refreshToken ?? null;
      this.user = s?.user ?? null;
      if (s) this.expired = false;
    } catch {
      localStorage.removeItem(STORAGE_KEY);
    }
  }

  get accessToken(): string | null {
    return this.#accessToken;
  }

  get isAuthenticated(): boolean {
    return this.user !== null && this.#accessToken !== null;
  }

  /** At least this role (admin > supervisor/manager > agent). */
  atLeast(role: 'agent' | 'supervisor' | 'admin'): boolean {
    return (roleRank[this.user?.role ?? ''] ?? 0) >= (roleRank[role] ?? 99);
  }

  adopt(body: SessionBody): void {
    this.#accessToken = body.accessToken;
    this.#refreshToken = body.refreshToken;
    this.user = body.user;
    this.expired = false;
    if (browser) localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...body, user: body.user } satisfies Stored));
  }

  async login(email: string, password: string): Promise<void> {
    this.adopt(await api.auth.login(email, password));
  }

  /** One refresh at a time, shared by every request that got a 401. */
  refresh(): Promise<boolean> {
    const token = this.#refreshToken;
    if (!token) return Promise.resolve(false);
    this.#refreshing ??= api.auth
      .refresh(token)
      .then(
        (body) => {
          this.adopt(body);
          return true;
        },
        () => false,
      )
      .finally(() => {
        this.#refreshing = null;
      });
    return this.#refreshing;
  }

  markExpired(): void {
    if (this.user) this.expired = true;
  }

  async logout(): Promise<void> {
    const token = this.#refreshToken;
    this.#clear();
    if (token) await api.auth.logout(token).catch(() => undefined);
  }

  #clear(): void {
    this.#accessToken = null;
    this.#refreshToken = null;
    this.user = null;
    this.expired = false;
    if (browser) localStorage.removeItem(STORAGE_KEY);
  }
}

export const session = new Session();
