import { browser } from '$app/environment';
import { api, ApiError } from '../api';
import type { Workspace } from '../api/schemas';

// The workspace's branding: each workspace picks a DaisyUI theme (settings.theme) and a logo.
// The last theme is remembered so the next load paints in it at once.

export const themes = ['light', 'dark', 'corporate', 'emerald', 'nord', 'cupcake', 'business', 'dim', 'winter'];
const THEME_KEY = 'hub.theme';

class WorkspaceStore {
  current = $state<Workspace | null>(null);
  theme = $state('light');

  constructor() {
    if (browser) this.apply(localStorage.getItem(THEME_KEY) ?? 'light');
  }

  apply(theme: string): void {
    const t = themes.includes(theme) ? theme : 'light';
    this.theme = t;
    if (!browser) return;
    document.documentElement.dataset.theme = t;
    localStorage.setItem(THEME_KEY, t);
  }

  async load(): Promise<void> {
    try {
      this.current = await api.workspace.get();
      this.apply(this.current.settings?.theme ?? 'light');
    } catch (err) {
      // Not on the server yet: keep the default theme.
      if (!(err instanceof ApiError)) throw err;
    }
  }

  async setTheme(theme: string): Promise<void> {
    this.apply(theme);
    this.current = await api.workspace.update({ settings: { theme } });
  }
}

export const workspace = new WorkspaceStore();
