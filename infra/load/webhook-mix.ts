import { createHash } from 'node:crypto';
import {
  metaJson,
  signMeta,
  whatsappMessageWebhook,
  whatsappStatusWebhook,
  whatsappTextWebhook,
} from '../fake-platforms/fake-inbound';

// Signed WhatsApp Cloud API webhooks in a realistic mix, deterministic per (runTag, index) so
// the runner and the load process agree on what request i carried without shipping bodies:
//   ~75 % text (12 to 1,000 characters, some with accents and emoji — escaped as Meta sends
//   them), ~10 % media (image with caption, voice note, PDF document: each makes the worker
//   fetch the bytes from the fake Graph API), ~15 % delivery/read statuses for outbound
//   messages the hub never sent (kept as pending updates, never dropped).
// Every message carries a unique wamid `wamid.<runTag>.<i>`, so arrivals can be counted.

export interface WebhookMixSpec {
  phoneNumberId: string;
  appSecret: string;
  /** Distinct customers writing (conversations). */
  senders: number;
  /** Unique per run: goes into every wamid. */
  runTag: string;
  /** Percentages of media and statuses (the rest is text). Defaults 10 / 15. */
  mediaPct?: number;
  statusPct?: number;
}

export type WebhookKind = 'text' | 'image' | 'audio' | 'document' | 'status';

export interface WebhookRequest {
  body: string;
  signature: string;
  kind: WebhookKind;
  /** The wamid of the message it carries (null for a status). */
  wamid: string | null;
}

const WORDS = [
  'hola',
  'precio',
  'order',
  'delivery',
  'tomorrow',
  'gracias',
  'please',
  'invoice',
  'cita',
  'where',
  'is',
  'my',
  'package',
  'obrigado',
  'café',
  'señor',
  'müller',
  'thanks 🙏',
  'ok 👍',
  'when',
  'can',
  'you',
  'call',
  'me',
];
const LENGTHS = [12, 24, 40, 60, 80, 120, 160, 240, 400, 1000];

/** A small deterministic PRNG (mulberry32) so request i is the same wherever it is built. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(runTag: string, i: number): number {
  return createHash('sha1').update(`${runTag}:${i}`).digest().readUInt32LE(0);
}

function textOf(r: () => number): string {
  const target = LENGTHS[Math.floor(r() * LENGTHS.length)]!;
  let s = '';
  while (s.length < target) s += `${s ? ' ' : ''}${WORDS[Math.floor(r() * WORDS.length)]}`;
  return cut(s, target);
}

/** At most n UTF-16 units without splitting a surrogate pair (Meta never sends half an emoji). */
function cut(s: string, n: number): string {
  let out = '';
  for (const ch of s) {
    if (out.length + ch.length > n) break;
    out += ch;
  }
  return out;
}

export function senderOf(spec: Pick<WebhookMixSpec, 'senders'>, i: number): string {
  // +1 650 555 xxxx: valid-looking US numbers, one per sender index.
  return `1650555${String(i % spec.senders).padStart(4, '0')}`;
}

export function wamidOf(runTag: string, i: number): string {
  return `wamid.${runTag}.${i}`;
}

export function kindOf(spec: WebhookMixSpec, i: number): WebhookKind {
  const r = rng(seedOf(spec.runTag, i));
  const roll = r() * 100;
  const statusPct = spec.statusPct ?? 15;
  const mediaPct = spec.mediaPct ?? 10;
  if (roll < statusPct) return 'status';
  if (roll < statusPct + mediaPct) return (['image', 'audio', 'document'] as const)[Math.floor(r() * 3)]!;
  return 'text';
}

/** Request i of the run. */
export function webhookRequest(spec: WebhookMixSpec, i: number): WebhookRequest {
  const kind = kindOf(spec, i);
  const r = rng(seedOf(spec.runTag, i) ^ 0x9e3779b9);
  const from = senderOf(spec, i);
  const wamid = wamidOf(spec.runTag, i);
  const base = { phoneNumberId: spec.phoneNumberId, from, name: `Customer ${i % spec.senders}`, id: wamid };
  let payload: unknown;
  switch (kind) {
    case 'text':
      payload = whatsappTextWebhook({ ...base, text: textOf(r) });
      break;
    case 'image':
      payload = whatsappMessageWebhook({
        ...base,
        message: {
          type: 'image',
          image: {
            id: `media-${spec.runTag}-${i}`,
            mime_type: 'image/jpeg',
            sha256: createHash('sha256').update(`img${i}`).digest('base64'),
            caption: cut(textOf(r), 60),
          },
        },
      });
      break;
    case 'audio':
      payload = whatsappMessageWebhook({
        ...base,
        message: {
          type: 'audio',
          audio: { id: `media-${spec.runTag}-${i}`, mime_type: 'audio/ogg; codecs=opus', voice: true },
        },
      });
      break;
    case 'document':
      payload = whatsappMessageWebhook({
        ...base,
        message: {
          type: 'document',
          document: {
            id: `media-${spec.runTag}-${i}`,
            mime_type: 'application/pdf',
            filename: `quote-${i}.pdf`,
          },
        },
      });
      break;
    case 'status':
      payload = whatsappStatusWebhook({
        phoneNumberId: spec.phoneNumberId,
        id: `wamid.out.${spec.runTag}.${i}`,
        status: r() < 0.5 ? 'delivered' : 'read',
        recipientId: from,
      });
      break;
  }
  const body = metaJson(payload);
  return { body, signature: signMeta(body, spec.appSecret), kind, wamid: kind === 'status' ? null : wamid };
}
