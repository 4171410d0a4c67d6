import type { RealtimeBus } from '../bus';
import type { Db } from '../db';
import type { ChannelType } from '../events';
import { findChannelById, findChannelsByExternalId, loadChannelRow, type LoadedChannel } from './channel.repository';

// Decrypted channels kept in memory for a short while, so the webhook hot path (and every
// inbound job) does not read and decrypt the channel row on each request. Changes reach other
// processes through the realtime bus ('channel:changed'); the TTL bounds staleness if a bus
// message is missed. When a reload fails (database unreachable) the last channel loaded for
// that id is served on, so a webhook is still acknowledged during an outage; a channel never
// loaded, or dropped by 'channel:changed', has no such copy and the lookup fails.

export const CHANNEL_CHANGED = 'channel:changed';

interface Entry<T> {
  value: Promise<T>;
  expires: number;
}

interface ChannelEntry extends Entry<LoadedChannel | undefined> {
  /** The last channel this id loaded to: served while reloads fail. */
  last: LoadedChannel | undefined;
}

export interface ChannelCacheOptions {
  ttlMs?: number;
  /** How long "no such channel" is remembered (random ids probed by scanners). */
  missTtlMs?: number;
  /** After a failed reload, how long the last channel is served before the next try. */
  retryMs?: number;
  bus?: RealtimeBus;
  now?: () => number;
}

export class ChannelCache {
  private readonly byId = new Map<string, ChannelEntry>();
  private readonly byExternal = new Map<string, Entry<LoadedChannel[]>>();
  private readonly ttlMs: number;
  private readonly missTtlMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    opts: ChannelCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.missTtlMs = opts.missTtlMs ?? 5_000;
    this.retryMs = opts.retryMs ?? 1_000;
    this.now = opts.now ?? Date.now;
    this.unsubscribe = opts.bus?.subscribe((msg) => {
      if (msg.type !== CHANNEL_CHANGED) return;
      const id = (msg.payload as { channelId?: unknown } | null)?.channelId;
      if (typeof id === 'string') this.invalidate(id);
    });
  }

  /**
   * A live channel by id, or undefined (unknown or deleted). Rejects only when the database
   * cannot be read and this id has no last loaded channel.
   */
  get(id: string): Promise<LoadedChannel | undefined> {
    const hit = this.byId.get(id);
    if (hit && hit.expires > this.now()) return hit.value;
    const entry: ChannelEntry = {
      value: Promise.resolve(undefined),
      expires: this.now() + this.ttlMs,
      last: hit?.last,
    };
    entry.value = findChannelById(this.db, id)
      .then((row) => (row ? loadChannelRow(this.key, row) : undefined))
      .then(
        (ch) => {
          entry.last = ch;
          if (!ch) entry.expires = Math.min(entry.expires, this.now() + this.missTtlMs);
          return ch;
        },
        (err: unknown) => {
          // Still ours (no 'channel:changed' meanwhile) and loaded before: serve that copy.
          if (this.byId.get(id) !== entry) throw err;
          if (entry.last) {
            entry.expires = this.now() + this.retryMs;
            return entry.last;
          }
          this.byId.delete(id);
          throw err;
        },
      );
    this.byId.set(id, entry);
    return entry.value;
  }

  /** Live channels that carry this platform id (any workspace). */
  byExternalId(type: ChannelType, externalId: string): Promise<LoadedChannel[]> {
    const k = `${type}|${externalId}`;
    const hit = this.byExternal.get(k);
    if (hit && hit.expires > this.now()) return hit.value;
    const value = findChannelsByExternalId(this.db, type, externalId).then((rows) =>
      rows.map((r) => loadChannelRow(this.key, r)),
    );
    const entry = { value, expires: this.now() + this.ttlMs };
    this.byExternal.set(k, entry);
    // Only hits are kept: a number nobody has yet may become a channel any moment, and the
    // miss path (unrouted events) is rare and off the request path.
    value.then(
      (list) => {
        if (list.length === 0 && this.byExternal.get(k) === entry) this.byExternal.delete(k);
      },
      () => this.byExternal.delete(k),
    );
    return value;
  }

  invalidate(id?: string): void {
    if (id) this.byId.delete(id);
    else this.byId.clear();
    // External-id lists are short-lived and cheap: drop them all on any change.
    this.byExternal.clear();
  }

  close(): void {
    this.unsubscribe?.();
    this.byId.clear();
    this.byExternal.clear();
  }
}

/** Tells every process's cache that this channel changed (after the change commits). */
export function publishChannelChanged(bus: RealtimeBus, workspaceId: string, channelId: string): Promise<void> {
  return bus.publish({ type: CHANNEL_CHANGED, workspaceId, payload: { channelId } });
}
