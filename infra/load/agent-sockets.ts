import { io, type Socket } from 'socket.io-client';

// Agents' sockets as the web inbox holds them (CONTRACT.md "Realtime"; gateway README): connect
// with `auth: { token, lastSeq }` — lastSeq re-read on every reconnection, so the gateway
// replays what was missed — keep the highest `seq` applied, ignore an event at or below it
// (after a move between gateways a few can come twice), and on `resync` reload from REST.
// Each agent counts what it applied per provider message id, so a run can say whether every
// socket saw every message exactly once.

export interface MessageCreated {
  conversationId: string;
  seq: number;
  message: { id: string; providerMessageId: string | null; text: string | null; direction: string };
}

export interface AgentOptions {
  url: string;
  name: string;
  token: () => string;
  /** Called for every applied message:created (after the seq rule). */
  onMessage?: (agent: AgentSocket, m: MessageCreated, receivedAt: number) => void;
  /** On `resync`: the provider ids the REST API holds now (the client's reload). */
  reload?: () => Promise<string[]>;
}

export interface AgentStats {
  name: string;
  connected: boolean;
  lastSeq: number | null;
  /** Distinct provider ids applied from message:created. */
  received: number;
  /** Provider ids applied more than once (after the seq rule): must be 0. */
  doubles: number;
  /** Events at or below lastSeq, ignored as the gateway README says. */
  ignoredRepeats: number;
  reconnects: number;
  resyncs: number;
  /** Provider ids first learned through a REST reload after resync. */
  reloaded: number;
  connectErrors: number;
}

export class AgentSocket {
  readonly socket: Socket;
  lastSeq: number | undefined;
  /** provider id → times applied. */
  readonly seen = new Map<string, number>();
  readonly reloadedIds = new Set<string>();
  ignoredRepeats = 0;
  reconnects = 0;
  resyncs = 0;
  connectErrors = 0;
  #everConnected = false;
  #readyWaiters: (() => void)[] = [];
  #reloading: Promise<void> = Promise.resolve();

  constructor(readonly opts: AgentOptions) {
    this.socket = io(opts.url, {
      path: '/socket.io',
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 2000,
      // Re-read on each (re)connection: the token may have been refreshed, lastSeq has moved.
      auth: (cb) => cb({ token: opts.token(), ...(this.lastSeq !== undefined ? { lastSeq: this.lastSeq } : {}) }),
    });
    this.socket.on('connect', () => {
      if (this.#everConnected) this.reconnects += 1;
      this.#everConnected = true;
    });
    this.socket.on('connect_error', () => {
      this.connectErrors += 1;
    });
    this.socket.on('ready', (p: { seq: number }) => {
      this.#advance(p.seq);
      for (const w of this.#readyWaiters.splice(0)) w();
    });
    this.socket.on('message:created', (p: MessageCreated) => {
      const at = performance.timeOrigin + performance.now();
      if (this.lastSeq !== undefined && p.seq <= this.lastSeq) {
        this.ignoredRepeats += 1;
        return;
      }
      this.lastSeq = p.seq;
      const id = p.message.providerMessageId;
      if (id) this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
      opts.onMessage?.(this, p, at);
    });
    for (const ev of ['message:updated', 'conversation:created', 'conversation:updated', 'conversation:revoked']) {
      this.socket.on(ev, (p: { seq?: number }) => {
        if (typeof p?.seq !== 'number') return;
        if (this.lastSeq !== undefined && p.seq <= this.lastSeq) this.ignoredRepeats += 1;
        else this.lastSeq = p.seq;
      });
    }
    this.socket.on('resync', () => {
      this.resyncs += 1;
      const reload = opts.reload;
      if (!reload) return;
      this.#reloading = this.#reloading.then(async () => {
        for (const id of await reload()) {
          if (!this.seen.has(id)) {
            this.seen.set(id, 1);
            this.reloadedIds.add(id);
          }
        }
      });
    });
  }

  #advance(seq: number) {
    if (this.lastSeq === undefined || seq > this.lastSeq) this.lastSeq = seq;
  }

  /** Resolves at the next `ready` (rooms joined, replay done). */
  ready(timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.opts.name}: no ready within ${timeoutMs} ms`)), timeoutMs);
      this.#readyWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Waits for any REST reload in progress. */
  settled(): Promise<void> {
    return this.#reloading;
  }

  stats(): AgentStats {
    let doubles = 0;
    for (const n of this.seen.values()) if (n > 1) doubles += 1;
    return {
      name: this.opts.name,
      connected: this.socket.connected,
      lastSeq: this.lastSeq ?? null,
      received: this.seen.size,
      doubles,
      ignoredRepeats: this.ignoredRepeats,
      reconnects: this.reconnects,
      resyncs: this.resyncs,
      reloaded: this.reloadedIds.size,
      connectErrors: this.connectErrors,
    };
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Many light sockets for fan-out: each only notes when a message:created with a given text
 * arrives. Connected in batches so the handshakes (a JWT check and two queries each) do not
 * arrive as one storm.
 */
export class SocketFleet {
  readonly sockets: Socket[] = [];
  #waiting: { marker: string; times: number[]; done: () => void; expected: number } | undefined;
  failed = 0;

  async connect(opts: {
    url: string;
    token: string;
    count: number;
    batch?: number;
    timeoutMs?: number;
  }): Promise<void> {
    const batch = opts.batch ?? 100;
    const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
    for (let done = 0; done < opts.count && Date.now() < deadline; done += batch) {
      const n = Math.min(batch, opts.count - done);
      await Promise.all(
        Array.from({ length: n }, () => {
          const s = io(opts.url, {
            path: '/socket.io',
            transports: ['websocket'],
            forceNew: true,
            reconnection: false,
            auth: { token: opts.token },
          });
          this.sockets.push(s);
          s.on('message:created', (p: MessageCreated) => {
            const w = this.#waiting;
            if (!w || p.message.text !== w.marker) return;
            w.times.push(performance.timeOrigin + performance.now());
            if (w.times.length >= w.expected) w.done();
          });
          return new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              this.failed += 1;
              resolve();
            }, 30_000);
            s.once('ready', () => {
              clearTimeout(t);
              resolve();
            });
            s.once('connect_error', () => {
              clearTimeout(t);
              this.failed += 1;
              resolve();
            });
          });
        }),
      );
    }
  }

  get connected(): number {
    return this.sockets.filter((s) => s.connected).length;
  }

  /** Arms a wait for `marker` on every connected socket; returns the receipt times (epoch ms). */
  expect(marker: string, timeoutMs: number): Promise<number[]> {
    const expected = this.connected;
    return new Promise((resolve) => {
      const times: number[] = [];
      const finish = () => {
        clearTimeout(t);
        this.#waiting = undefined;
        resolve(times);
      };
      const t = setTimeout(finish, timeoutMs);
      this.#waiting = { marker, times, expected, done: finish };
    });
  }

  close(): void {
    for (const s of this.sockets.splice(0)) s.close();
  }
}
