import { z } from 'zod';
import { IdString } from '../common/payload.util';

// Telegram Bot API Update objects, leniently (loose objects, optional fields).
// https://core.telegram.org/bots/api#update

export const TgUser = z.looseObject({
  id: IdString,
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

export const TgChat = z.looseObject({
  id: IdString,
  type: z.string().optional(),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
});
export type TgChat = z.infer<typeof TgChat>;

export const TgFile = z.looseObject({
  file_id: z.string().min(1),
  file_unique_id: z.string().optional(),
  file_size: z.number().optional(),
  file_name: z.string().optional(),
  mime_type: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  title: z.string().optional(),
  emoji: z.string().optional(),
  set_name: z.string().optional(),
  is_animated: z.boolean().optional(),
  is_video: z.boolean().optional(),
});
export type TgFile = z.infer<typeof TgFile>;

const TgLocation = z.looseObject({ latitude: z.number().optional(), longitude: z.number().optional() });

export const TgMessage = z.looseObject({
  message_id: z.number(),
  chat: TgChat,
  from: TgUser.optional(),
  date: z.number().optional(),
  edit_date: z.number().optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  photo: z.array(TgFile).optional(),
  audio: TgFile.optional(),
  voice: TgFile.optional(),
  video: TgFile.optional(),
  video_note: TgFile.optional(),
  animation: TgFile.optional(),
  document: TgFile.optional(),
  sticker: TgFile.optional(),
  location: TgLocation.optional(),
  venue: z
    .looseObject({ location: TgLocation.optional(), title: z.string().optional(), address: z.string().optional() })
    .optional(),
  contact: z
    .looseObject({
      phone_number: z.string().optional(),
      first_name: z.string().optional(),
      last_name: z.string().optional(),
      user_id: IdString.optional(),
      vcard: z.string().optional(),
    })
    .optional(),
  reply_to_message: z
    .looseObject({ message_id: z.number().optional(), chat: z.looseObject({ id: IdString.optional() }).optional() })
    .optional(),
});
export type TgMessage = z.infer<typeof TgMessage>;

export const TgCallbackQuery = z.looseObject({
  id: z.string().min(1),
  from: TgUser,
  data: z.string().optional(),
  message: z.unknown().optional(),
});

export const TgChatMemberUpdated = z.looseObject({
  chat: TgChat,
  from: TgUser.optional(),
  date: z.number().optional(),
  new_chat_member: z.looseObject({ status: z.string() }),
});

export const TgUpdate = z.looseObject({ update_id: z.number().optional() });
