import { access, type ApiRouter } from '../http/route';
import { countUnread, listNotifications, markRead } from './notification.repository';
import { MarkRead, MarkReadAnswer, NotificationFilters, NotificationPage } from './notification.schemas';

// /api/v1/notifications: the caller's own notifications, for any signed-in user. The owner
// comes from the token, never from input, so another user's rows are neither listed nor
// marked (ids that are not the caller's are ignored).

export function notificationRoutes(api: ApiRouter): void {
  const tags = ['Notifications'];

  api.route({
    method: 'get',
    path: '/notifications',
    access: access.signedIn,
    summary: 'The caller’s notifications, newest first, with the unread count',
    description: 'Also pushed live as the socket event `notification` (its `id` is the stored notification’s).',
    tags,
    query: NotificationFilters,
    response: NotificationPage,
    handler: async (c) => {
      const page = await listNotifications(c.scope, c.auth.userId, c.query);
      return { ...page, unreadCount: await countUnread(c.scope, c.auth.userId) };
    },
  });

  api.route({
    method: 'post',
    path: '/notifications/read',
    access: access.signedIn,
    summary: 'Mark the caller’s notifications read',
    description:
      '`{"ids":[…]}` marks those (ids of no notification of the caller are ignored); `{"all":true}` marks every one.',
    tags,
    body: MarkRead,
    response: MarkReadAnswer,
    handler: async (c) => {
      await markRead(c.scope, c.auth.userId, c.body.all ? 'all' : { ids: c.body.ids ?? [] }, c.now);
      return { unreadCount: await countUnread(c.scope, c.auth.userId) };
    },
  });
}
