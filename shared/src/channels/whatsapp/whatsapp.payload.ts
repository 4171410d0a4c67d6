import { z } from 'zod';
import { IdString, Items } from '../common/payload.util';

// WhatsApp Cloud API webhook payloads, leniently: loose objects (unknown keys kept), most
// fields optional, arrays parsed item by item in the normalizer so one odd item does not sink
// its siblings. https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages

export const WaEnvelope = z.looseObject({ object: z.string().optional(), entry: Items });

export const WaEntry = z.looseObject({ id: IdString.optional(), changes: Items.optional() });

export const WaChange = z.looseObject({ field: z.string().optional(), value: z.unknown() });

export const WaValue = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z
    .looseObject({ display_phone_number: IdString.optional(), phone_number_id: IdString.optional() })
    .optional(),
  contacts: Items.optional(),
  messages: Items.optional(),
  statuses: Items.optional(),
  errors: Items.optional(),
});

/** Sender profile (value.contacts[]): wa_id and/or the business-scoped user id (BSUID). */
export const WaContact = z.looseObject({
  wa_id: IdString.optional(),
  user_id: z.string().optional(),
  parent_user_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
});
export type WaContact = z.infer<typeof WaContact>;

/** Error object as found in value.errors, messages[].errors and statuses[].errors. */
export const WaError = z.looseObject({
  code: IdString.optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  details: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
});
export type WaError = z.infer<typeof WaError>;

const Media = z.looseObject({
  id: IdString.optional(),
  url: z.string().optional(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  file_size: z.number().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});
export type WaMedia = z.infer<typeof Media>;

const Reply = z.looseObject({
  id: IdString.optional(),
  title: z.string().optional(),
  description: z.string().optional(),
});

export const WaMessage = z.looseObject({
  id: z.string().min(1),
  from: IdString.optional(),
  from_user_id: z.string().optional(),
  timestamp: IdString.optional(),
  type: z.string().optional(),
  context: z
    .looseObject({ id: z.string().optional(), from: IdString.optional(), forwarded: z.boolean().optional() })
    .optional(),
  text: z.looseObject({ body: z.string().optional() }).optional(),
  image: Media.optional(),
  audio: Media.optional(),
  video: Media.optional(),
  document: Media.optional(),
  sticker: Media.optional(),
  location: z
    .looseObject({
      latitude: z.number().optional(),
      longitude: z.number().optional(),
      name: z.string().optional(),
      address: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  contacts: z.array(z.record(z.string(), z.unknown())).optional(),
  interactive: z
    .looseObject({
      type: z.string().optional(),
      button_reply: Reply.optional(),
      list_reply: Reply.optional(),
      nfm_reply: z
        .looseObject({ name: z.string().optional(), body: z.string().optional(), response_json: z.string().optional() })
        .optional(),
    })
    .optional(),
  button: z.looseObject({ payload: z.string().optional(), text: z.string().optional() }).optional(),
  reaction: z.looseObject({ message_id: z.string().optional(), emoji: z.string().optional() }).optional(),
  unsupported: z.looseObject({ type: z.string().optional() }).optional(),
  referral: z.record(z.string(), z.unknown()).optional(),
  errors: Items.optional(),
});
export type WaMessage = z.infer<typeof WaMessage>;

export const WaStatus = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp: IdString.optional(),
  recipient_id: IdString.optional(),
  recipient_user_id: z.string().optional(),
  errors: Items.optional(),
  conversation: z.unknown().optional(),
  pricing: z.unknown().optional(),
});
export type WaStatus = z.infer<typeof WaStatus>;
