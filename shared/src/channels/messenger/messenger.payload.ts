import { z } from 'zod';
import { IdString, Items } from '../common/payload.util';

// Messenger Platform webhook payloads (object "page"), leniently: loose objects, optional
// fields, arrays parsed item by item in the normalizer.
// https://developers.facebook.com/docs/messenger-platform/reference/webhook-events

export const MsEnvelope = z.looseObject({ object: z.string().optional(), entry: Items });

export const MsEntry = z.looseObject({
  id: IdString.optional(),
  time: z.number().optional(),
  messaging: Items.optional(),
  /** Apps that are not the thread owner (handover protocol) get standby[] instead. */
  standby: Items.optional(),
  changes: Items.optional(),
});

const Party = z.looseObject({ id: IdString.optional(), user_ref: z.string().optional() });

export const MsAttachment = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  url: z.string().optional(),
  payload: z
    .looseObject({
      url: z.string().optional(),
      sticker_id: IdString.optional(),
      title: z.string().optional(),
      coordinates: z.looseObject({ lat: z.number().optional(), long: z.number().optional() }).optional(),
    })
    .nullable()
    .optional(),
});
export type MsAttachment = z.infer<typeof MsAttachment>;

export const MsMessage = z.looseObject({
  mid: z.string().optional(),
  text: z.string().optional(),
  attachments: Items.optional(),
  quick_reply: z.looseObject({ payload: z.string().optional() }).optional(),
  reply_to: z
    .looseObject({ mid: z.string().optional(), story: z.unknown().optional(), is_self_reply: z.boolean().optional() })
    .optional(),
  is_echo: z.boolean().optional(),
  app_id: IdString.optional(),
  metadata: z.string().optional(),
  is_deleted: z.boolean().optional(),
  is_unsupported: z.boolean().optional(),
  referral: z.record(z.string(), z.unknown()).optional(),
});
export type MsMessage = z.infer<typeof MsMessage>;

export const MsMessaging = z.looseObject({
  sender: Party.optional(),
  recipient: Party.optional(),
  timestamp: z.union([z.number(), z.string()]).optional(),
  message: MsMessage.optional(),
  postback: z
    .looseObject({
      mid: z.string().optional(),
      title: z.string().optional(),
      payload: z.string().optional(),
      referral: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  reaction: z
    .looseObject({
      mid: z.string().optional(),
      action: z.string().optional(),
      reaction: z.string().optional(),
      emoji: z.string().optional(),
    })
    .optional(),
  delivery: z
    .looseObject({ mids: z.array(z.string()).optional(), watermark: z.union([z.number(), z.string()]).optional() })
    .optional(),
  read: z.looseObject({ watermark: z.union([z.number(), z.string()]).optional() }).optional(),
});
export type MsMessaging = z.infer<typeof MsMessaging>;
