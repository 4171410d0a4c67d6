import type { InboundEvent, MessageEvent, Sender, WatermarkEvent } from '../../events';
import { neverThrow, str, unhandled, zodReason } from '../common/normalize.util';
import { fromUnixMillis, nowIso } from '../common/time';
import { MsAttachment, MsEntry, MsEnvelope, MsMessaging, type MsMessage } from './messenger.payload';

// Messenger webhook → normalized events. entry[] may hold several pages (entry.id = page id =
// routeKey) and each entry several messaging[] (or standby[]) events. Times are in ms.
// https://developers.facebook.com/docs/messenger-platform/webhook

const CH = 'messenger' as const;
const HANDLED_KEYS = ['message', 'postback', 'reaction', 'delivery', 'read'] as const;

export function normalizeMessenger(body: unknown): InboundEvent[] {
  return neverThrow(CH, body, () => {
    const env = MsEnvelope.safeParse(body);
    if (!env.success) return [unhandled(CH, null, zodReason('not a Messenger webhook', env.error), body)];
    if (env.data.object !== undefined && env.data.object !== 'page') {
      return [unhandled(CH, null, `unexpected object '${env.data.object}'`, body)];
    }
    const events: InboundEvent[] = [];
    for (const rawEntry of env.data.entry) {
      const entry = MsEntry.safeParse(rawEntry);
      if (!entry.success) {
        events.push(unhandled(CH, null, zodReason('unreadable entry', entry.error), rawEntry));
        continue;
      }
      const routeKey = entry.data.id ?? null;
      const entryTime = fromUnixMillis(entry.data.time);
      for (const ev of entry.data.messaging ?? []) events.push(...normalizeMessaging(ev, routeKey, entryTime, false));
      for (const ev of entry.data.standby ?? []) events.push(...normalizeMessaging(ev, routeKey, entryTime, true));
      for (const change of entry.data.changes ?? []) {
        events.push(unhandled(CH, routeKey, 'page change (not a messaging event) not handled', change));
      }
      if (!entry.data.messaging?.length && !entry.data.standby?.length && !entry.data.changes?.length) {
        events.push(unhandled(CH, routeKey, 'entry without messaging events', rawEntry, { timestamp: entryTime }));
      }
    }
    return events;
  });
}

function normalizeMessaging(
  raw: unknown,
  routeKey: string | null,
  entryTime: string | null,
  standby: boolean,
): InboundEvent[] {
  const parsed = MsMessaging.safeParse(raw);
  if (!parsed.success) return [unhandled(CH, routeKey, zodReason('unreadable messaging event', parsed.error), raw)];
  const ev = parsed.data;
  const timestamp = fromUnixMillis(ev.timestamp) ?? entryTime ?? nowIso();
  const echo = ev.message?.is_echo === true;
  // Echoes are sent BY the page: the person is the recipient.
  const psid = str(echo ? ev.recipient?.id : ev.sender?.id);
  const key = HANDLED_KEYS.find((k) => ev[k] !== undefined);
  if (!key) {
    const other = Object.keys(ev).find((k) => !['sender', 'recipient', 'timestamp'].includes(k)) ?? 'unknown';
    return [unhandled(CH, routeKey, `event '${other}' not handled`, raw, { timestamp })];
  }
  if (!psid) return [unhandled(CH, routeKey, `${key} event without a PSID`, raw, { timestamp })];
  const contact: Sender = { identities: [{ kind: 'messenger', value: psid }], name: null, phone: null };
  const base = { v: 1 as const, channelType: CH, routeKey, timestamp, contact };
  const flags: Record<string, unknown> = standby ? { standby: true } : {};

  switch (key) {
    case 'message':
      return messageEvents(ev.message!, base, flags, raw);
    case 'postback': {
      const pb = ev.postback!;
      return [
        {
          ...base,
          kind: 'message',
          // Old postbacks carry no mid: derive a stable id so retries dedupe.
          providerMessageId: str(pb.mid) ?? `postback:${psid}:${String(ev.timestamp ?? pb.payload ?? '')}`,
          direction: 'in',
          type: 'interactive',
          text: pb.title ?? pb.payload ?? null,
          media: null,
          details: {
            interactiveType: 'postback',
            id: pb.payload ?? null,
            payload: pb.payload ?? null,
            title: pb.title ?? null,
            ...flags,
          },
          referral: pb.referral ?? null,
        },
      ];
    }
    case 'reaction': {
      // A reaction has no mid of its own: key it on the target, the person and the time.
      const r = ev.reaction!;
      const emoji = r.action === 'unreact' ? null : str(r.emoji);
      const target = str(r.mid);
      return [
        {
          ...base,
          kind: 'message',
          providerMessageId: `reaction:${target ?? ''}:${psid}:${String(ev.timestamp ?? r.action ?? '')}`,
          direction: 'in',
          type: 'reaction',
          text: emoji,
          media: null,
          details: {
            emoji,
            reaction: r.reaction ?? null,
            action: r.action ?? null,
            removed: emoji === null,
            targetProviderMessageId: target,
            ...flags,
          },
        },
      ];
    }
    case 'delivery':
    case 'read': {
      const w = key === 'delivery' ? ev.delivery! : ev.read!;
      const watermarkIso = fromUnixMillis(w.watermark);
      if (!watermarkIso) return [unhandled(CH, routeKey, `${key} without a readable watermark`, raw, { timestamp })];
      const event: WatermarkEvent = {
        ...base,
        kind: 'watermark',
        status: key === 'delivery' ? 'delivered' : 'read',
        // ISO 8601, so it compares directly with our sent times.
        watermark: watermarkIso,
        providerMessageIds: (key === 'delivery' ? ev.delivery!.mids : undefined) ?? [],
      };
      return [event];
    }
  }
}

type Base = Pick<MessageEvent, 'v' | 'channelType' | 'routeKey' | 'timestamp' | 'contact'>;

function messageEvents(msg: MsMessage, base: Base, flags: Record<string, unknown>, raw: unknown): InboundEvent[] {
  if (msg.is_deleted)
    return [unhandled(CH, base.routeKey, 'message deleted by the sender', raw, { timestamp: base.timestamp })];
  if (!msg.mid) return [unhandled(CH, base.routeKey, 'message without a mid', raw, { timestamp: base.timestamp })];
  const echo = msg.is_echo === true;
  const details: Record<string, unknown> = { ...flags };
  if (echo) {
    // The worker drops echoes of OUR app (we already hold those messages); others are
    // messages the page sent from elsewhere (Page inbox, another tool).
    details['echo'] = true;
    details['app_id'] = msg.app_id ?? null;
    if (msg.metadata !== undefined) details['metadata'] = msg.metadata;
  }
  const common = {
    ...base,
    kind: 'message' as const,
    direction: echo ? ('out' as const) : ('in' as const),
    replyToProviderMessageId: str(msg.reply_to?.mid),
    referral: msg.referral ?? null,
  };
  if (msg.reply_to?.story !== undefined) details['story'] = msg.reply_to.story;

  const attachments = msg.attachments ?? [];
  if (attachments.length > 0) {
    // One event per attachment: the first keeps the mid (replies and reactions point at it).
    return attachments.map((a, i): MessageEvent => {
      const part = attachmentContent(a, i === 0 ? (msg.text ?? null) : null);
      const merged = {
        ...details,
        ...part.details,
        ...(attachments.length > 1 ? { part: i + 1, parts: attachments.length } : {}),
      };
      return {
        ...common,
        providerMessageId: i === 0 ? msg.mid! : `${msg.mid!}#${i + 1}`,
        type: part.type,
        text: part.text,
        media: part.media,
        ...(Object.keys(merged).length > 0 ? { details: merged } : {}),
      };
    });
  }
  if (msg.quick_reply) {
    const payload = msg.quick_reply.payload ?? null;
    return [
      {
        ...common,
        providerMessageId: msg.mid,
        type: 'interactive',
        text: msg.text ?? null,
        media: null,
        details: { ...details, interactiveType: 'quick_reply', id: payload, payload, title: msg.text ?? null },
      },
    ];
  }
  const type = msg.text !== undefined ? 'text' : 'unsupported';
  return [
    {
      ...common,
      providerMessageId: msg.mid,
      type,
      text: msg.text ?? null,
      media: null,
      ...(Object.keys(details).length > 0 ? { details } : {}),
    },
  ];
}

type Part = Pick<MessageEvent, 'type' | 'text' | 'media'> & { details: Record<string, unknown> };

function attachmentContent(rawAttachment: unknown, text: string | null): Part {
  const parsed = MsAttachment.safeParse(rawAttachment);
  if (!parsed.success) return { type: 'unsupported', text, media: null, details: { attachment: rawAttachment } };
  const a = parsed.data;
  const url = a.payload?.url ?? a.url ?? null;
  const media = (fileName?: string) => ({
    providerMediaId: null,
    url,
    mimeType: null,
    ...(fileName ? { fileName } : {}),
  });
  const kind = a.type ?? '';
  switch (kind) {
    case 'image':
      // Stickers (and the thumbs-up) arrive as images with a sticker_id.
      return a.payload?.sticker_id !== undefined
        ? { type: 'sticker', text, media: media(), details: { stickerId: a.payload.sticker_id } }
        : { type: 'image', text, media: media(), details: {} };
    case 'audio':
    case 'video':
      return { type: kind, text, media: media(), details: {} };
    case 'file':
      return { type: 'document', text, media: media(fileNameFromUrl(url)), details: {} };
    case 'location': {
      const c = a.payload?.coordinates;
      return {
        type: 'location',
        text,
        media: null,
        details: { latitude: c?.lat ?? null, longitude: c?.long ?? null, name: a.title ?? null, address: null, url },
      };
    }
    case 'fallback':
      // A shared link Messenger could not render: keep it readable as text.
      return {
        type: 'text',
        text: text ?? a.title ?? a.payload?.title ?? url,
        media: null,
        details: { fallback: { title: a.title ?? a.payload?.title ?? null, url } },
      };
    case 'template':
      return { type: 'template', text, media: null, details: { template: a.payload ?? null } };
    default:
      return { type: 'unsupported', text, media: url ? media() : null, details: { attachmentType: a.type ?? null } };
  }
}

function fileNameFromUrl(url: string | null): string | undefined {
  if (!url) return undefined;
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : undefined;
  } catch {
    return undefined;
  }
}
