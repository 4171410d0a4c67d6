import type { ChannelAdapter, MessengerCredentials } from '../channel.port';
import { fetchMessengerMedia } from './messenger.media';
import { normalizeMessenger } from './messenger.normalize';
import { sendMessenger } from './messenger.send';
import { verifyMessengerHandshake, verifyMessengerWebhook } from './messenger.verify';

export const messengerAdapter = {
  type: 'messenger',
  externalId: (c) => c.pageId,
  verifyHandshake: verifyMessengerHandshake,
  verifyWebhook: verifyMessengerWebhook,
  normalize: normalizeMessenger,
  fetchMedia: fetchMessengerMedia,
  send: sendMessenger,
} satisfies ChannelAdapter<MessengerCredentials>;
