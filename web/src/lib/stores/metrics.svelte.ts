import { api, ApiError } from '../api';
import type { Metrics } from '../api/schemas';
import { realtime } from '../realtime/socket.svelte';

// Supervisor figures, live: replaced by `metrics:updated` pushes, and refetched (debounced)
// whenever conversations or messages move, so the numbers follow even without pushes.

class MetricsStore {
  data = $state.raw<Metrics | null>(null);
  updatedAt = $state<Date | null>(null);
  unavailable = $state(false);
  error = $state<string | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;

  async load(): Promise<void> {
    try {
      this.data = await api.metrics.get();
      this.updatedAt = new Date();
      this.unavailable = false;
      this.error = null;
    } catch (err) {
      if (err instanceof ApiError && err.notImplemented) this.unavailable = true;
      else this.error = err instanceof Error ? err.message : String(err);
    }
  }

  #soon = () => {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.load(), 1500);
  };

  /** Live while the dashboard is shown; returns the stop function. */
  start(): () => void {
    void this.load();
    const offs = [
      realtime.on('metrics:updated', (m) => {
        this.data = m;
        this.updatedAt = new Date();
      }),
      realtime.on('message:created', this.#soon),
      realtime.on('conversation:created', this.#soon),
      realtime.on('conversation:updated', this.#soon),
      realtime.on('resync', this.#soon),
    ];
    // A slow heartbeat keeps "waiting longest" honest between events.
    const interval = setInterval(() => void this.load(), 30_000);
    return () => {
      for (const off of offs) off();
      clearInterval(interval);
      clearTimeout(this.#timer);
    };
  }
}

export const metrics = new MetricsStore();
