import { ApiError } from '../api';

// One loadable thing for a page: its data, whether it is loading, and why it failed — with
// "the server has no such route yet" told apart from real errors.

export class Resource<T> {
  data = $state.raw<T | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  unavailable = $state(false);
  forbidden = $state(false);

  constructor(private readonly fetcher: () => Promise<T>) {}

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.data = await this.fetcher();
      this.error = null;
      this.unavailable = false;
      this.forbidden = false;
    } catch (err) {
      if (err instanceof ApiError && err.notImplemented) this.unavailable = true;
      else if (err instanceof ApiError && err.status === 403) this.forbidden = true;
      else this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.loading = false;
    }
  }
}
