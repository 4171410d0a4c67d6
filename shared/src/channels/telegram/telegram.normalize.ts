import type { EditEvent, InboundEvent, InboundMedia, MessageEvent, ReachabilityEvent, Sender } from '../../events';
import { neverThrow, str, unhandled, zodReason } from '../common/normalize.util';
import type { SharedContact } from '../common/shared-contact';
import { fromUnixSeconds, nowIso } from '../common/time';
import {
  TgCallbackQuery,
  TgChatMemberUpdated,
  TgMessage,
  TgUpdate,
  type TgChat,
  type TgFile,
} from './telegram.payload';

// Telegram Update → normalized events. One Update per POST with exactly one payload field.
// The channel is the bot in the URL, so routeKey is always null. A message is identified by
// chat.id + message_id: providerMessageId = "<chat.id>:<message_id>".
// https://core.telegram.org/bots/api#update

const CH = 'telegram' as const;

/** Kinds of user content we cannot show but keep as 'unsupported' messages. */
const UNSUPPORTED_CONTENT = ['poll', 'dice', 'game', 'invoice', 'story', 'paid_media', 'giveaway', 'checklist'];

export function normalizeTelegram(body: unknown): InboundEvent[] {
  return neverThrow(CH, body, () => {
    const update = TgUpdate.safeParse(body);
    if (!update.success) return [unhandled(CH, null, zodReason('not a Telegram update', update.error), body)];
    const u = update.data;
    if (u['message'] !== undefined) return [messageEvent(u['message'], body)];
    if (u['edited_message'] !== undefined) return [editEvent(u['edited_message'], body)];
    if (u['callback_query'] !== undefined) return [callbackEvent(u['callback_query'], body)];
    if (u['my_chat_member'] !== undefined) return [reachabilityEvent(u['my_chat_member'], body)];
    const key = Object.keys(u).find((k) => k !== 'update_id') ?? 'nothing';
    return [unhandled(CH, null, `update '${key}' not handled`, body)];
  });
}

function messageEvent(raw: unknown, body: unknown): InboundEvent {
  const parsed = TgMessage.safeParse(raw);
  if (!parsed.success) return unhandled(CH, null, zodReason('unreadable message', parsed.error), body);
  const m = parsed.data;
  const timestamp = fromUnixSeconds(m.date) ?? nowIso();
  const c = content(m);
  if (!c) return unhandled(CH, null, 'service message not handled', body, { timestamp });
  const contact = chatSender(m.chat);
  // A contact card is the sender's own phone only when they share themselves (request_contact).
  if (c.ownPhone && m.from && c.ownPhone.userId === m.from.id) contact.phone = c.ownPhone.phone;
  const event: MessageEvent = {
    v: 1,
    kind: 'message',
    channelType: CH,
    routeKey: null,
    timestamp,
    providerMessageId: `${m.chat.id}:${m.message_id}`,
    direction: 'in',
    contact,
    type: c.type,
    text: c.text,
    media: c.media,
    replyToProviderMessageId: replyTo(m),
    ...(Object.keys(c.details).length > 0 ? { details: c.details } : {}),
  };
  return event;
}

type Content = Pick<MessageEvent, 'type' | 'text' | 'media'> & {
  details: Record<string, unknown>;
  ownPhone?: { userId: string; phone: string };
};

function content(m: TgMessage): Content | null {
  const caption = m.caption ?? null;
  if (m.photo && m.photo.length > 0) {
    // photo is one PhotoSize per resolution: keep the largest. Telegram re-encodes photos as JPEG.
    const largest = m.photo.reduce((a, b) => (area(b) > area(a) ? b : a));
    return { type: 'image', text: caption, media: media(largest, caption, 'image/jpeg'), details: {} };
  }
  if (m.voice) return { type: 'audio', text: caption, media: media(m.voice, caption), details: { voice: true } };
  if (m.audio) {
    const details = m.audio.title ? { title: m.audio.title } : {};
    return { type: 'audio', text: caption, media: media(m.audio, caption), details };
  }
  if (m.video) return { type: 'video', text: caption, media: media(m.video, caption), details: {} };
  if (m.video_note)
    return {
      type: 'video',
      text: caption,
      media: media(m.video_note, caption, 'video/mp4'),
      details: { videoNote: true },
    };
  // An animation (GIF) message also carries `document`: check it first.
  if (m.animation)
    return { type: 'video', text: caption, media: media(m.animation, caption), details: { animation: true } };
  if (m.document) return { type: 'document', text: caption, media: media(m.document, caption), details: {} };
  if (m.sticker) {
    const s = m.sticker;
    const mime = s.is_animated ? 'application/x-tgsticker' : s.is_video ? 'video/webm' : 'image/webp';
    return {
      type: 'sticker',
      text: null,
      media: media(s, null, mime),
      details: { emoji: s.emoji ?? null, setName: s.set_name ?? null },
    };
  }
  if (m.venue || m.location) {
    const loc = m.venue?.location ?? m.location ?? {};
    return {
      type: 'location',
      text: null,
      media: null,
      details: {
        latitude: loc.latitude ?? null,
        longitude: loc.longitude ?? null,
        name: m.venue?.title ?? null,
        address: m.venue?.address ?? null,
      },
    };
  }
  if (m.contact) {
    const k = m.contact;
    const name = [k.first_name, k.last_name].filter(Boolean).join(' ') || null;
    const phone = str(k.phone_number);
    const card: SharedContact = {
      name,
      phones: phone ? [{ phone }] : [],
      emails: [],
      ...(k.user_id !== undefined ? { userId: k.user_id } : {}),
    };
    return {
      type: 'contact',
      text: null,
      media: null,
      details: { contacts: [card], phone },
      ...(phone && k.user_id !== undefined ? { ownPhone: { userId: k.user_id, phone } } : {}),
    };
  }
  if (m.text !== undefined) return { type: 'text', text: m.text, media: null, details: {} };
  // Chatwoot's spec has a caption with no media: keep the words.
  if (caption !== null) return { type: 'text', text: caption, media: null, details: {} };
  const other = UNSUPPORTED_CONTENT.find((k) => m[k] !== undefined);
  if (other) return { type: 'unsupported', text: null, media: null, details: { telegramType: other, raw: m[other] } };
  return null;
}

function editEvent(raw: unknown, body: unknown): InboundEvent {
  const parsed = TgMessage.safeParse(raw);
  if (!parsed.success) return unhandled(CH, null, zodReason('unreadable edited message', parsed.error), body);
  const m = parsed.data;
  const event: EditEvent = {
    v: 1,
    kind: 'edit',
    channelType: CH,
    routeKey: null,
    timestamp: fromUnixSeconds(m.edit_date) ?? fromUnixSeconds(m.date) ?? nowIso(),
    providerMessageId: `${m.chat.id}:${m.message_id}`,
    contact: chatSender(m.chat),
    text: m.text ?? m.caption ?? null,
  };
  return event;
}

function callbackEvent(raw: unknown, body: unknown): InboundEvent {
  const parsed = TgCallbackQuery.safeParse(raw);
  if (!parsed.success) return unhandled(CH, null, zodReason('unreadable callback query', parsed.error), body);
  const cq = parsed.data;
  // The message with the keyboard; absent for inline-mode buttons.
  const msg = TgMessage.safeParse(cq.message);
  const chat: TgChat = msg.success
    ? msg.data.chat
    : { id: cq.from.id, type: 'private', first_name: cq.from.first_name, last_name: cq.from.last_name };
  const data = cq.data ?? null;
  const title = msg.success && data !== null ? buttonText(msg.data['reply_markup'], data) : null;
  const event: MessageEvent = {
    v: 1,
    kind: 'message',
    channelType: CH,
    routeKey: null,
    // A callback query has no date of its own; the click is "now".
    timestamp: nowIso(),
    // Not a chat message: a distinct id (still "<chat.id>:…") so it never collides with one.
    providerMessageId: `${chat.id}:cb:${cq.id}`,
    direction: 'in',
    contact: chatSender(chat),
    type: 'interactive',
    text: title ?? data,
    media: null,
    replyToProviderMessageId: msg.success ? `${msg.data.chat.id}:${msg.data.message_id}` : null,
    // The worker must answerCallbackQuery(callbackQueryId) or the client's spinner keeps turning.
    details: { interactiveType: 'callback_query', id: data, data, title, callbackQueryId: cq.id },
  };
  return event;
}

function reachabilityEvent(raw: unknown, body: unknown): InboundEvent {
  const parsed = TgChatMemberUpdated.safeParse(raw);
  if (!parsed.success) return unhandled(CH, null, zodReason('unreadable my_chat_member', parsed.error), body);
  const u = parsed.data;
  const timestamp = fromUnixSeconds(u.date) ?? nowIso();
  const status = u.new_chat_member.status;
  const isMember = u.new_chat_member['is_member'];
  // 'kicked' in a private chat = the user blocked the bot (sends then fail with 403).
  let reachable: boolean;
  if (status === 'kicked' || status === 'left') reachable = false;
  else if (status === 'member' || status === 'administrator' || status === 'creator') reachable = true;
  else if (status === 'restricted') reachable = isMember === true;
  else return unhandled(CH, null, `chat member status '${status}' not handled`, body, { timestamp });
  const event: ReachabilityEvent = {
    v: 1,
    kind: 'reachability',
    channelType: CH,
    routeKey: null,
    timestamp,
    contact: chatSender(u.chat),
    reachable,
  };
  return event;
}

/** The conversation partner is the chat (private chats: chat.id == from.id). */
function chatSender(chat: TgChat): Sender {
  const personal = [chat.first_name, chat.last_name].filter(Boolean).join(' ');
  const name = (chat.type !== 'private' ? chat.title : undefined) || personal || chat.title || chat.username || null;
  return { identities: [{ kind: 'telegram', value: chat.id }], name, phone: null };
}

function media(f: TgFile, caption: string | null, fallbackMime?: string): InboundMedia {
  return {
    providerMediaId: f.file_id,
    url: null,
    mimeType: f.mime_type ?? fallbackMime ?? null,
    ...(f.file_name !== undefined ? { fileName: f.file_name } : {}),
    ...(caption !== null ? { caption } : {}),
    ...(f.file_size !== undefined ? { fileSize: f.file_size } : {}),
  };
}

function replyTo(m: TgMessage): string | null {
  const r = m.reply_to_message;
  if (!r || r.message_id === undefined) return null;
  return `${r.chat?.id ?? m.chat.id}:${r.message_id}`;
}

function area(p: TgFile): number {
  return p.file_size ?? (p.width ?? 0) * (p.height ?? 0);
}

/** The label of the inline button that carried `data`, if the keyboard is in the message. */
function buttonText(markup: unknown, data: string): string | null {
  const rows = (markup as { inline_keyboard?: unknown } | undefined)?.inline_keyboard;
  if (!Array.isArray(rows)) return null;
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    for (const b of row) {
      const btn = b as { text?: unknown; callback_data?: unknown } | null;
      if (btn && btn.callback_data === data && typeof btn.text === 'string') return btn.text;
    }
  }
  return null;
}
