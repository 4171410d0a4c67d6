import { z } from 'zod';
import { assertNever } from '../errors';
import { ChannelType } from '../events';
import type { JobOptions, Queue, RateLimit } from '../queue/queue.port';

// The jobs between whoever sends (the API, the socket, the quote hand-off) and the outbound
// dispatcher (services/worker/src/outbound), parsed with these schemas on both sides.

export const OUTBOUND_QUEUE = 'outbound';
/** Delayed conversation jobs: snooze wake-ups. */
export const LIVE_TIMERS_QUEUE = 'live-timers';

/** Total tries of one send (the first included); waits come from the worker (RetryLaterError). */
export const OUTBOUND_ATTEMPTS = 8;
/** Agents' sends go ahead of bulk work on the same queue (campaigns, documents). */
export const OUTBOUND_PRIORITY = { live: 10, bulk: 0 } as const;

export const RateSpec = z.object({ max: z.number().int().min(1), durationMs: z.number().int().min(1) });
export type RateSpec = z.infer<typeof RateSpec>;

export interface ChannelRateLimits {
  /** Per number / page / bot. */
  channel: RateSpec;
  /** Per chat (conversation), where the platform has such a limit. */
  chat: RateSpec | null;
}

/**
 * Platform defaults. WhatsApp Cloud API: 80 messages/s per business number (throughput tier
 * default); Telegram: about 30 messages/s per bot and 1 per second in one chat; Messenger
 * documents no fixed per-page figure (it throttles with #613), 40/s is a safe default.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput
 * https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
 */
export function defaultRateLimits(type: ChannelType): ChannelRateLimits {
  switch (type) {
    case 'whatsapp':
      return { channel: { max: 80, durationMs: 1000 }, chat: null };
    case 'messenger':
      return { channel: { max: 40, durationMs: 1000 }, chat: null };
    case 'telegram':
      return { channel: { max: 30, durationMs: 1000 }, chat: { max: 1, durationMs: 1000 } };
    default:
      return assertNever(type);
  }
}

/** `channels.settings.rateLimit`: `{perSecond?: n, perChatPerSecond?: n | null}` over the defaults. */
export const ChannelRateLimitSetting = z
  .object({
    perSecond: z.number().int().min(1).max(10_000).optional(),
    /** null: no per-chat limit. */
    perChatPerSecond: z.number().int().min(1).max(1_000).nullable().optional(),
  })
  .strict();
export type ChannelRateLimitSetting = z.infer<typeof ChannelRateLimitSetting>;

export function channelRateLimits(type: ChannelType, settings: unknown): ChannelRateLimits {
  const limits = defaultRateLimits(type);
  const raw = (settings as { rateLimit?: unknown } | null | undefined)?.rateLimit;
  const parsed = ChannelRateLimitSetting.safeParse(raw ?? {});
  if (!parsed.success) return limits;
  const s = parsed.data;
  return {
    channel: s.perSecond !== undefined ? { max: s.perSecond, durationMs: 1000 } : limits.channel,
    chat:
      s.perChatPerSecond === undefined
        ? limits.chat
        : s.perChatPerSecond === null
          ? null
          : { max: s.perChatPerSecond, durationMs: 1000 },
  };
}

export const OutboundJob = z.object({
  messageId: z.uuid(),
  channelId: z.uuid(),
  channelType: ChannelType,
  /** The chat's rate-limit key: the conversation (one per contact × channel). */
  conversationId: z.uuid(),
  limits: z.object({ channel: RateSpec, chat: RateSpec.nullable() }),
});
export type OutboundJob = z.infer<typeof OutboundJob>;

/** A send round of a message: round 0 is the agent's send, each agent retry adds one. */
export function outboundJobId(messageId: string, round: number): string {
  return `out-${messageId}-${round}`;
}

/** The limits the outbound processor applies: per channel, and per chat where configured. */
export function outboundRateLimits(): RateLimit<OutboundJob>[] {
  return [
    {
      key: (job) => `channel:${job.data.channelId}`,
      max: (job) => job.data.limits.channel.max,
      durationMs: (job) => job.data.limits.channel.durationMs,
    },
    {
      key: (job) => (job.data.limits.chat ? `chat:${job.data.conversationId}` : null),
      max: (job) => job.data.limits.chat?.max ?? 1,
      durationMs: (job) => job.data.limits.chat?.durationMs ?? 1000,
    },
  ];
}

export interface OutboundTarget {
  messageId: string;
  conversationId: string;
  retryRound: number;
  channel: { id: string; type: ChannelType; settings: unknown };
}

/** Puts one send on the queue; a second call for the same round is a no-op (job id). */
export async function enqueueOutbound(
  queue: Queue<OutboundJob>,
  t: OutboundTarget,
  opts: { priority?: number } = {},
): Promise<void> {
  const options: JobOptions = {
    jobId: outboundJobId(t.messageId, t.retryRound),
    attempts: OUTBOUND_ATTEMPTS,
    // The worker decides every wait (RetryLaterError); this is only the fallback.
    backoff: { type: 'exponential', delayMs: 1000 },
    priority: opts.priority ?? OUTBOUND_PRIORITY.live,
  };
  await queue.add(
    'send',
    {
      messageId: t.messageId,
      channelId: t.channel.id,
      channelType: t.channel.type,
      conversationId: t.conversationId,
      limits: channelRateLimits(t.channel.type, t.channel.settings),
    },
    options,
  );
}

/** A snoozed conversation wakes up at `until` (unless it was re-snoozed or woken since). */
export const WakeJob = z.object({ conversationId: z.uuid(), workspaceId: z.uuid(), until: z.iso.datetime() });
export type WakeJob = z.infer<typeof WakeJob>;

export async function enqueueWake(queue: Queue<WakeJob>, job: WakeJob, now: Date): Promise<void> {
  const at = new Date(job.until).getTime();
  await queue.add('wake', job, {
    jobId: `wake-${job.conversationId}-${at}`,
    delayMs: Math.max(0, at - now.getTime()),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 1000 },
  });
}
