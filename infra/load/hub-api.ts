// The few REST calls the bench and chaos runs make, as CONTRACT.md defines them. Plain fetch:
// these are set-up and verification calls, not load.

export class HubApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what} answered ${status}: ${body.slice(0, 300)}`);
  }
}

export interface Session {
  accessToken: string;
  user: { id: string; email: string; role: string; workspaceId: string };
}

export class HubApi {
  constructor(
    readonly baseUrl: string,
    public token = '',
  ) {}

  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new HubApiError(res.status, text, `${method} ${path}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async login(email: string, password: string): Promise<Session> {
    const s = await this.call<Session>('POST', '/api/v1/auth/login', { email, password });
    this.token = s.accessToken;
    return s;
  }

  createWhatsAppChannel(name: string, config: Record<string, string>) {
    return this.call<{ id: string; webhookUrl: string }>('POST', '/api/v1/channels', {
      type: 'whatsapp',
      name,
      config,
    });
  }

  createUser(u: { name: string; email: string; password: string; role: string }) {
    return this.call<{ id: string }>('POST', '/api/v1/users', u);
  }

  async conversations(channelId?: string): Promise<{ id: string }[]> {
    const out: { id: string }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 1000; page++) {
      const q = new URLSearchParams({ limit: '200', ...(channelId ? { channelId } : {}) });
      if (cursor) q.set('cursor', cursor);
      const r: { items: { id: string }[]; nextCursor: string | null } = await this.call(
        'GET',
        `/api/v1/conversations?${q}`,
      );
      out.push(...r.items);
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    return out;
  }

  async messages(conversationId: string): Promise<{ id: string; providerMessageId: string | null; status: string }[]> {
    const out: { id: string; providerMessageId: string | null; status: string }[] = [];
    let before: string | null = null;
    for (let page = 0; page < 1000; page++) {
      const q = new URLSearchParams({ limit: '200' });
      if (before) q.set('before', before);
      const r: { items: typeof out; nextCursor: string | null } = await this.call(
        'GET',
        `/api/v1/conversations/${conversationId}/messages?${q}`,
      );
      out.push(...r.items);
      before = r.nextCursor;
      if (!before) break;
    }
    return out;
  }

  /** Every provider message id the API shows for a channel (a client's reload after resync). */
  async providerIds(channelId?: string): Promise<string[]> {
    const ids: string[] = [];
    for (const c of await this.conversations(channelId)) {
      for (const m of await this.messages(c.id)) if (m.providerMessageId) ids.push(m.providerMessageId);
    }
    return ids;
  }

  /** POST /api/v1/conversations/:id/messages → 202 {message}. */
  reply(conversationId: string, text: string, idempotencyKey: string) {
    return this.call<{ message: { id: string; status: string } }>(
      'POST',
      `/api/v1/conversations/${conversationId}/messages`,
      { text },
      { 'idempotency-key': idempotencyKey },
    );
  }
}
