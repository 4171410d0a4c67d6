import type { InboundEvent, InboundMedia, MessageEvent, ProviderError, Sender, StatusEvent } from '../../events';
import { neverThrow, str, unhandled, zodReason } from '../common/normalize.util';
import type { SharedContact } from '../common/shared-contact';
import { fromUnixSeconds, nowIso } from '../common/time';
import {
  WaChange,
  WaContact,
  WaEntry,
  WaEnvelope,
  WaError,
  WaMessage,
  WaStatus,
  WaValue,
  type WaMedia,
} from './whatsapp.payload';

// WhatsApp Cloud API webhook → normalized events. Every level is an array (entry → changes →
// messages/statuses/errors) and one POST may carry several numbers, so each event carries its
// own routeKey (metadata.phone_number_id).
// https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages

const CH = 'whatsapp' as const;
const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];
const TRACKED_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;

export function normalizeWhatsApp(body: unknown): InboundEvent[] {
  return neverThrow(CH, body, () => {
    const env = WaEnvelope.safeParse(body);
    if (!env.success) return [unhandled(CH, null, zodReason('not a WhatsApp webhook', env.error), body)];
    if (env.data.object !== undefined && env.data.object !== 'whatsapp_business_account') {
      return [unhandled(CH, null, `unexpected object '${env.data.object}'`, body)];
    }
    const events: InboundEvent[] = [];
    for (const rawEntry of env.data.entry) {
      const entry = WaEntry.safeParse(rawEntry);
      if (!entry.success) {
        events.push(unhandled(CH, null, zodReason('unreadable entry', entry.error), rawEntry));
        continue;
      }
      for (const rawChange of entry.data.changes ?? []) events.push(...normalizeChange(rawChange));
    }
    return events;
  });
}

function normalizeChange(rawChange: unknown): InboundEvent[] {
  const change = WaChange.safeParse(rawChange);
  if (!change.success) return [unhandled(CH, null, zodReason('unreadable change', change.error), rawChange)];
  const value = WaValue.safeParse(change.data.value);
  const routeKey = value.success ? (value.data.metadata?.phone_number_id ?? null) : null;
  if (change.data.field !== undefined && change.data.field !== 'messages') {
    return [unhandled(CH, routeKey, `field '${change.data.field}' not handled`, rawChange)];
  }
  if (!value.success) return [unhandled(CH, null, zodReason('unreadable change value', value.error), rawChange)];

  const contacts = (value.data.contacts ?? []).flatMap((c) => {
    const parsed = WaContact.safeParse(c);
    return parsed.success ? [parsed.data] : [];
  });
  const messages = value.data.messages ?? [];
  const events: InboundEvent[] = [
    ...messages.map((m) => normalizeMessage(m, contacts, routeKey, messages.length)),
    ...(value.data.statuses ?? []).map((s) => normalizeStatus(s, routeKey)),
    // System-, app- or account-level errors (e.g. 130429 throughput): no message to attach them to.
    ...(value.data.errors ?? []).map((e) => unhandled(CH, routeKey, 'platform error', e, { error: providerError(e) })),
  ];
  if (events.length === 0) {
    events.push(unhandled(CH, routeKey, 'change without messages, statuses or errors', change.data.value));
  }
  return events;
}

function normalizeMessage(
  raw: unknown,
  contacts: WaContact[],
  routeKey: string | null,
  siblings: number,
): InboundEvent {
  const parsed = WaMessage.safeParse(raw);
  if (!parsed.success) return unhandled(CH, routeKey, zodReason('unreadable message', parsed.error), raw);
  const m = parsed.data;
  const timestamp = fromUnixSeconds(m.timestamp) ?? nowIso();
  const contact = senderOf(m, contacts, siblings);
  if (!contact) return unhandled(CH, routeKey, 'message without a sender (no from / from_user_id)', raw, { timestamp });

  const errors = (m.errors ?? []).map(providerError);
  const base = {
    v: 1 as const,
    kind: 'message' as const,
    channelType: CH,
    routeKey,
    timestamp,
    providerMessageId: m.id,
    direction: 'in' as const,
    contact,
    replyToProviderMessageId: str(m.context?.id),
    referral: m.referral ?? null,
  };
  const extra: Record<string, unknown> = {};
  if (errors.length > 0) extra['errors'] = errors;
  if (m.context?.forwarded) extra['forwarded'] = true;

  const type = m.type ?? inferType(m);
  const body = content(m, type);
  if (body === 'system') return unhandled(CH, routeKey, `message type '${type}' not handled`, raw, { timestamp });
  const details = { ...body.details, ...extra };
  return {
    ...base,
    type: body.type,
    text: body.text,
    media: body.media,
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

type Content = Pick<MessageEvent, 'type' | 'text' | 'media'> & { details: Record<string, unknown> };

function content(m: WaMessage, type: string): Content | 'system' {
  if (isMediaType(type)) {
    const media = m[type];
    if (!media) return { type: 'unsupported', text: null, media: null, details: { whatsappType: type } };
    const details: Record<string, unknown> = {};
    if (media.voice !== undefined) details['voice'] = media.voice;
    if (media.animated !== undefined) details['animated'] = media.animated;
    return { type, text: media.caption ?? null, media: toMedia(media), details };
  }
  switch (type) {
    case 'text':
      return { type: 'text', text: m.text?.body ?? null, media: null, details: {} };
    case 'location': {
      const loc = m.location ?? {};
      return {
        type: 'location',
        text: null,
        media: null,
        details: {
          latitude: loc.latitude ?? null,
          longitude: loc.longitude ?? null,
          name: loc.name ?? null,
          address: loc.address ?? null,
          url: loc.url ?? null,
        },
      };
    }
    case 'contacts': {
      const cards = (m.contacts ?? []).map(sharedContact);
      return { type: 'contact', text: null, media: null, details: { contacts: cards } };
    }
    case 'interactive':
      return interactive(m);
    case 'button':
      // A tap on a TEMPLATE quick-reply button (interactive reply buttons come as 'interactive').
      return {
        type: 'interactive',
        text: m.button?.text ?? null,
        media: null,
        details: {
          interactiveType: 'button',
          id: m.button?.payload ?? null,
          payload: m.button?.payload ?? null,
          title: m.button?.text ?? null,
        },
      };
    case 'reaction': {
      // Removing a reaction sends the same webhook without the emoji (or with an empty one).
      const emoji = str(m.reaction?.emoji);
      return {
        type: 'reaction',
        text: emoji,
        media: null,
        details: { emoji, removed: emoji === null, targetProviderMessageId: m.reaction?.message_id ?? null },
      };
    }
    case 'unsupported':
      return {
        type: 'unsupported',
        text: null,
        media: null,
        details: { unsupportedType: m.unsupported?.type ?? null },
      };
    case 'system':
      // Number changes and similar notices: not a message from the customer.
      return 'system';
    default:
      // order, request_welcome, and types Meta adds later: kept as 'unsupported' with the data.
      return { type: 'unsupported', text: null, media: null, details: { whatsappType: type, raw: m[type] ?? null } };
  }
}

function interactive(m: WaMessage): Content {
  const i = m.interactive ?? {};
  const sub =
    i.type ?? (i.button_reply ? 'button_reply' : i.list_reply ? 'list_reply' : i.nfm_reply ? 'nfm_reply' : null);
  if (sub === 'button_reply' || sub === 'list_reply') {
    const reply = (sub === 'button_reply' ? i.button_reply : i.list_reply) ?? {};
    return {
      type: 'interactive',
      text: reply.title ?? null,
      media: null,
      details: {
        interactiveType: sub,
        id: reply.id ?? null,
        title: reply.title ?? null,
        ...(reply.description !== undefined ? { description: reply.description } : {}),
      },
    };
  }
  if (sub === 'nfm_reply') {
    // WhatsApp Flows: response_json is a JSON document inside a string.
    const nfm = i.nfm_reply ?? {};
    return {
      type: 'interactive',
      text: nfm.body ?? null,
      media: null,
      details: {
        interactiveType: 'nfm_reply',
        name: nfm.name ?? null,
        body: nfm.body ?? null,
        responseJson: nfm.response_json ?? null,
        response: parseJson(nfm.response_json),
      },
    };
  }
  return { type: 'interactive', text: null, media: null, details: { interactiveType: sub, raw: i } };
}

function normalizeStatus(raw: unknown, routeKey: string | null): InboundEvent {
  const parsed = WaStatus.safeParse(raw);
  if (!parsed.success) return unhandled(CH, routeKey, zodReason('unreadable status', parsed.error), raw);
  const s = parsed.data;
  const timestamp = fromUnixSeconds(s.timestamp) ?? nowIso();
  const status = TRACKED_STATUSES.find((t) => t === s.status);
  // 'played' (voice), 'deleted', 'warning' and future values are kept for inspection.
  if (!status) return unhandled(CH, routeKey, `status '${s.status}' not tracked`, raw, { timestamp });
  const first = s.errors?.[0];
  const event: StatusEvent = {
    v: 1,
    kind: 'status',
    channelType: CH,
    routeKey,
    timestamp,
    providerMessageId: s.id,
    status,
    recipient: s.recipient_id ?? s.recipient_user_id ?? null,
    error: first !== undefined ? providerError(first) : null,
  };
  return event;
}

/** wa_id (as received — Mexican numbers arrive as 521…) first, then the BSUID. */
function senderOf(m: WaMessage, contacts: WaContact[], siblings: number): Sender | null {
  const matched =
    contacts.find(
      (c) =>
        (m.from !== undefined && c.wa_id === m.from) || (m.from_user_id !== undefined && c.user_id === m.from_user_id),
    ) ?? (contacts.length === 1 && siblings === 1 ? contacts[0] : undefined);
  const waId = str(m.from) ?? str(matched?.wa_id);
  const bsuid = str(m.from_user_id) ?? str(matched?.user_id);
  const identities: Sender['identities'] = [];
  if (waId) identities.push({ kind: 'whatsapp', value: waId });
  if (bsuid) identities.push({ kind: 'whatsapp_bsuid', value: bsuid });
  if (identities.length === 0) return null;
  return { identities, name: str(matched?.profile?.name), phone: waId };
}

function toMedia(media: WaMedia): InboundMedia {
  return {
    providerMediaId: media.id ?? null,
    url: media.url ?? null,
    mimeType: media.mime_type ?? null,
    ...(media.filename !== undefined ? { fileName: media.filename } : {}),
    ...(media.caption !== undefined ? { caption: media.caption } : {}),
    ...(media.sha256 !== undefined ? { sha256: media.sha256 } : {}),
    ...(media.file_size !== undefined ? { fileSize: media.file_size } : {}),
  };
}

/** {code, message} from any of WhatsApp's three error places; details appended when they add something. */
export function providerError(raw: unknown): ProviderError {
  const parsed = WaError.safeParse(raw);
  if (!parsed.success) return { code: 'unknown', message: 'unreadable error object' };
  const e = parsed.data;
  const base = e.message ?? e.title ?? 'unknown error';
  const details = e.error_data?.details ?? e.details;
  return {
    code: e.code !== undefined ? e.code : 'unknown',
    message: details && details !== base ? `${base}: ${details}` : base,
  };
}

function sharedContact(card: Record<string, unknown>): SharedContact {
  const name = asRecord(card['name']);
  const org = asRecord(card['org']);
  const first = [str(name['first_name']), str(name['last_name'])].filter(Boolean).join(' ');
  const phones = asArray(card['phones']).flatMap((p) => {
    const r = asRecord(p);
    const phone = str(r['phone']) ?? str(r['wa_id']);
    if (!phone) return [];
    const waId = str(r['wa_id']);
    const type = str(r['type']);
    return [{ phone, ...(waId ? { waId } : {}), ...(type ? { type } : {}) }];
  });
  const emails = asArray(card['emails']).flatMap((e) => {
    const email = str(asRecord(e)['email']);
    return email ? [email] : [];
  });
  const organization = str(org['company']);
  return {
    name: str(name['formatted_name']) ?? (first || null),
    phones,
    emails,
    ...(organization ? { organization } : {}),
  };
}

function inferType(m: WaMessage): string {
  const known = [...MEDIA_TYPES, 'text', 'location', 'contacts', 'interactive', 'button', 'reaction'] as const;
  return known.find((k) => m[k] !== undefined) ?? 'unknown';
}

function isMediaType(type: string): type is MediaType {
  return (MEDIA_TYPES as readonly string[]).includes(type);
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
