import { z } from 'zod';
import { PageQuery } from '../http/paging';

// A user's stored notifications (today: @mentions in private notes, written with the note by
// shared/src/domain/outbound.service.ts and pushed live as the socket's `notification` event).

export const Notification = z
  .object({
    id: z.string(),
    kind: z.string().meta({ description: '`mention`: an @mention in a private note' }),
    conversationId: z.string().nullable(),
    messageId: z.string().nullable(),
    byUserId: z.string().nullable().meta({ description: 'Who caused it (the note’s author)' }),
    text: z.string().meta({ description: 'An excerpt (280 characters at most)' }),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .meta({ id: 'Notification' });
export type Notification = z.infer<typeof Notification>;

const UnreadCount = z.number().int().meta({ description: 'The caller’s unread notifications, all pages' });

export const NotificationFilters = z
  .object({
    unread: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .meta({ description: 'true: only unread ones; false: only read ones' }),
  })
  .extend(PageQuery.shape);

export const NotificationPage = z
  .object({ items: z.array(Notification), nextCursor: z.string().nullable(), unreadCount: UnreadCount })
  .meta({ id: 'NotificationPage', description: 'Newest first; pass nextCursor back as `cursor` for the next page.' });

export const MarkRead = z
  .object({
    ids: z.array(z.uuid()).min(1).max(200).optional().meta({ description: 'These notifications (others are ignored)' }),
    all: z.literal(true).optional().meta({ description: 'Every unread notification of the caller' }),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.ids === undefined) === (v.all === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ids'], message: 'give either ids or all: true' });
    }
  })
  .meta({ id: 'MarkNotificationsRead' });

export const MarkReadAnswer = z.object({ unreadCount: UnreadCount }).meta({ id: 'NotificationsUnread' });
