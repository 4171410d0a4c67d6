import { randomBytes, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { signAccessToken, type Role } from '@hub/shared/auth';
import type { Db } from '@hub/shared/db';
import type { Conversation, Message } from '@hub/shared/domain';

// Test fixtures for the gateway: a workspace with one user per role and a few conversations,
// written straight into the database (the gateway only reads them), and a socket.io client
// that records every event in order.

export interface SeededUser {
  id: string;
  name: string;
  role: Role;
  token: string;
}

export interface SeededWorkspace {
  id: string;
  channelId: string;
  admin: SeededUser;
  supervisor: SeededUser;
  agentA: SeededUser;
  agentB: SeededUser;
  marketer: SeededUser;
  /** Conversations: unassigned, assigned to agent A, assigned to agent B. */
  conv: { unassigned: string; ofA: string; ofB: string };
}

export async function seedWorkspace(
  db: Db,
  jwtSecret: string,
  settings: Record<string, unknown> = {},
): Promise<SeededWorkspace> {
  const ws = await db
    .insertInto('workspaces')
    .values({ name: `ws-${randomBytes(3).toString('hex')}`, settings })
    .returning('id')
    .executeTakeFirstOrThrow();
  const user = async (role: Role, name: string): Promise<SeededUser> => {
    const row = await db
      .insertInto('users')
      .values({
        workspace_id: ws.id,
        email: `${role}-${randomBytes(4).toString('hex')}@example.test`,
        name,
        password_hash: 'not-a-login',
        role,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, name, role, token: signAccessToken(jwtSecret, { userId: row.id, workspaceId: ws.id, role }) };
  };
  const admin = await user('admin', 'Ada Admin');
  const supervisor = await user('supervisor', 'Sam Supervisor');
  const agentA = await user('agent', 'Alice Agent');
  const agentB = await user('agent', 'Bob Agent');
  const marketer = await user('marketer', 'Mia Marketer');
  const channel = await db
    .insertInto('channels')
    .values({
      workspace_id: ws.id,
      type: 'telegram',
      name: 'Support bot',
      credentials: 'unused',
      external_id: randomBytes(6).toString('hex'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const conversation = async (assigneeId: string | null) => {
    const contact = await db
      .insertInto('contacts')
      .values({ workspace_id: ws.id, name: `Customer ${randomBytes(2).toString('hex')}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const row = await db
      .insertInto('conversations')
      .values({
        workspace_id: ws.id,
        channel_id: channel.id,
        contact_id: contact.id,
        assignee_id: assigneeId,
        last_activity_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  return {
    id: ws.id,
    channelId: channel.id,
    admin,
    supervisor,
    agentA,
    agentB,
    marketer,
    conv: {
      unassigned: await conversation(null),
      ofA: await conversation(agentA.id),
      ofB: await conversation(agentB.id),
    },
  };
}

export function message(conversationId: string, text: string): Message {
  return {
    id: randomUUID(),
    conversationId,
    direction: 'in',
    type: 'text',
    text,
    media: null,
    status: 'received',
    providerMessageId: `tg-${randomBytes(4).toString('hex')}`,
    error: null,
    createdAt: new Date().toISOString(),
    editedAt: null,
    details: {},
    replyToProviderMessageId: null,
  };
}

export function conversation(
  ws: SeededWorkspace,
  id: string,
  assigneeId: string | null,
  lastText: string,
): Conversation {
  const now = new Date().toISOString();
  return {
    id,
    status: 'open',
    channel: { id: ws.channelId, type: 'telegram' },
    contact: { id: randomUUID(), name: 'Customer', phone: null },
    assigneeId,
    unreadCount: 1,
    lastMessage: message(id, lastText),
    lastActivityAt: now,
    createdAt: now,
  };
}

export interface Received {
  event: string;
  payload: Record<string, unknown> & { seq?: number };
}

export function label(e: Received): string {
  const p = e.payload as {
    message?: { text?: string };
    conversation?: { lastMessage?: { text?: string } };
    conversationId?: string;
  };
  return `${e.event}:${p.message?.text ?? p.conversation?.lastMessage?.text ?? p.conversationId ?? ''}`;
}

/** A socket.io client that records every server event, in arrival order. */
export class TestClient {
  readonly socket: Socket;
  readonly events: Received[] = [];
  #waiters: { pred: (e: Received) => boolean; resolve: (e: Received) => void }[] = [];

  constructor(
    url: string,
    auth: Record<string, unknown> | ((cb: (data: object) => void) => void),
    opts: { reconnection?: boolean } = {},
  ) {
    this.socket = io(url, {
      path: '/socket.io',
      auth,
      transports: ['websocket'],
      reconnection: opts.reconnection ?? false,
      reconnectionDelay: 50,
      forceNew: true,
    });
    this.socket.onAny((event: string, payload: Received['payload']) => {
      const e = { event, payload };
      this.events.push(e);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(e)) return true;
        w.resolve(e);
        return false;
      });
    });
  }

  /** The first recorded event (past or future) that matches. */
  waitFor(pred: (e: Received) => boolean, what = 'event', timeoutMs = 10_000): Promise<Received> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.#waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** Connected, in its rooms, replay done: `ready` carries the workspace's seq. `nth` counts connections. */
  async ready(nth = 1): Promise<{ seq: number; recovered: boolean; userId: string }> {
    let count = 0;
    const e = await this.waitFor((x) => x.event === 'ready' && ++count === nth, `ready #${nth}`);
    return e.payload as unknown as { seq: number; recovered: boolean; userId: string };
  }

  /**
   * Resolves once every event the gateway emitted to this socket before now has arrived: a
   * `sync` from the current position replays nothing, and its ack comes after them.
   */
  async flush(seq: number): Promise<void> {
    const ack = (await this.socket.timeout(10_000).emitWithAck('sync', { lastSeq: seq })) as { ok: boolean };
    if (!ack.ok) throw new Error(`flush failed: ${JSON.stringify(ack)}`);
  }

  /** Everything but presence and typing (which come and go on their own schedule). */
  ordered(): Received[] {
    return this.events.filter((e) => e.event !== 'presence' && e.event !== 'typing');
  }

  /** Domain events as "<event>:<text or conversation id>", for readable assertions. */
  labels(): string[] {
    return this.events.filter((e) => !['ready', 'presence', 'typing'].includes(e.event)).map(label);
  }

  /** The first event (past or future) with this label. */
  seen(l: string): Promise<Received> {
    return this.waitFor((e) => label(e) === l, l);
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** Resolves with the connect_error a client gets (and closes it). */
export function connectError(url: string, auth: Record<string, unknown>): Promise<Error & { data?: unknown }> {
  const socket = io(url, { path: '/socket.io', auth, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.on('connect_error', (err) => {
      socket.disconnect();
      resolve(err as Error & { data?: unknown });
    });
    socket.on('connect', () => {
      socket.disconnect();
      reject(new Error('connected, expected connect_error'));
    });
  });
}
