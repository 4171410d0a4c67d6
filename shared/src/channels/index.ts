import type { ChannelType } from '../events';
import type { ChannelAdapter } from './channel.port';
import type { CredentialsFor } from './channel.credentials';
import { messengerAdapter } from './messenger/messenger.adapter';
import { telegramAdapter } from './telegram/telegram.adapter';
import { whatsappAdapter } from './whatsapp/whatsapp.adapter';

// The registry: channel type → adapter. Adding a type to ChannelType fails to compile here
// until it has an adapter.

export const channelAdapters = {
  whatsapp: whatsappAdapter,
  messenger: messengerAdapter,
  telegram: telegramAdapter,
} satisfies { [K in ChannelType]: ChannelAdapter<CredentialsFor[K]> };

/**
 * The adapter for a channel type. With a runtime `ChannelType` the credentials are the union:
 * parse the row's decrypted JSON with `credentialsSchemas[type]` first.
 */
export function adapterFor<T extends ChannelType>(type: T): ChannelAdapter<CredentialsFor[T]> {
  return channelAdapters[type] as ChannelAdapter<CredentialsFor[T]>;
}

export * from './channel.port';
export * from './channel.credentials';
export { metaSignature, verifyMetaSignature, verifyMetaHandshake } from './meta/meta.signature';
export { TELEGRAM_SECRET_HEADER } from './telegram/telegram.verify';
export type { SharedContact, SharedContactPhone } from './common/shared-contact';
