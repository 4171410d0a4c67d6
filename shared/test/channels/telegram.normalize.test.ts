/* eslint-disable @typescript-eslint/no-explicit-any -- tests mutate parsed fixtures freely */
import { describe, expect, it } from 'vitest';
import { channelAdapters } from '../../src/channels';
import { InboundEvent } from '../../src/events';
import { bodyFixtures, fixture, oneMessage, only } from './fixture.helpers';

const normalize = (path: string) => channelAdapters.telegram.normalize(fixture(path));
const SOJAN = { identities: [{ kind: 'telegram', value: '23' }], name: 'Sojan Jose', phone: null };
const AT_1631132077 = '2021-09-08T20:14:37.000Z';

describe('Telegram normalize', () => {
  it.each(bodyFixtures('telegram'))('%s → valid events of contract v1, routeKey null', (path) => {
    const events = normalize(path);
    expect(events).toHaveLength(1);
    expect(InboundEvent.parse(events[0])).toEqual(events[0]);
    expect(events[0]!.channelType).toBe('telegram');
    expect(events[0]!.routeKey).toBeNull();
  });

  it('text: "<chat.id>:<message_id>", chat identity, name', () => {
    const e = oneMessage(normalize('telegram/message_text.json'));
    expect(e).toMatchObject({
      providerMessageId: '23:1',
      direction: 'in',
      type: 'text',
      text: 'test',
      media: null,
      timestamp: AT_1631132077,
      contact: SOJAN,
    });
  });

  it('caption only → text', () => {
    const e = oneMessage(normalize('telegram/message_caption_only.json'));
    expect(e).toMatchObject({ type: 'text', text: 'test', media: null });
  });

  it('photo → image, the largest size', () => {
    expect(oneMessage(normalize('telegram/message_photo.json')).media).toMatchObject({
      providerMediaId: 'AgACAgUAAxkBAAODYV3aGZlD6vhzKsE2WNmblsr6zKwAAi-tMRvCoeBWNQ1ENVBzJdwBAAMCAANzAAMhBA',
      mimeType: 'image/jpeg',
      fileSize: 1883,
    });
    const body = fixture('telegram/message_photo.json') as any;
    body.message.photo = [
      { file_id: 'small', file_unique_id: 's', file_size: 1000, width: 90, height: 67 },
      { file_id: 'large', file_unique_id: 'l', file_size: 90000, width: 1280, height: 960 },
      { file_id: 'medium', file_unique_id: 'm', file_size: 20000, width: 320, height: 240 },
    ];
    body.message.caption = 'look';
    const e = oneMessage(channelAdapters.telegram.normalize(body));
    expect(e.media?.providerMediaId).toBe('large');
    expect(e.text).toBe('look');
    expect(e.media?.caption).toBe('look');
  });

  it('document with file name and mime', () => {
    const e = oneMessage(normalize('telegram/message_document.json'));
    expect(e.type).toBe('document');
    expect(e.media).toMatchObject({
      providerMediaId: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX',
      fileName: 'Screenshot 2021-09-27 at 2.01.14 PM.png',
      mimeType: 'application/png',
      fileSize: 536392,
    });
  });

  it('voice → audio (voice flag)', () => {
    const e = oneMessage(normalize('telegram/message_voice.json'));
    expect(e.type).toBe('audio');
    expect(e.media).toMatchObject({ mimeType: 'audio/ogg', fileSize: 11833 });
    expect(e.details).toMatchObject({ voice: true });
  });

  it('audio', () => {
    const e = oneMessage(normalize('telegram/message_audio.json'));
    expect(e.type).toBe('audio');
    expect(e.media).toMatchObject({ providerMediaId: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX', mimeType: 'audio/mpeg' });
  });

  it('video', () => {
    const e = oneMessage(normalize('telegram/message_video.json'));
    expect(e.type).toBe('video');
    expect(e.media).toMatchObject({
      providerMediaId: 'BAACAgUAAxkBAAOGYV3e_F8-v3OoAs23SJIBolyXMMMAAqsDAAKd8fBW4X9xFmpoAlghBA',
      fileName: 'IMG_2170.MOV',
      mimeType: 'video/mp4',
    });
  });

  it('sticker: the sticker file, not its thumbnail', () => {
    const e = oneMessage(normalize('telegram/message_sticker.json'));
    expect(e.type).toBe('sticker');
    expect(e.media?.providerMediaId).toBe('CAACAgEAAxkBAANHYV6SqK4_QokaTV90Dp-2D2el0uAAAuMAA3FRvjHsabcjn_Em3yEE');
    expect(e.details).toMatchObject({ emoji: '👍' });
  });

  it('location', () => {
    const e = oneMessage(normalize('telegram/message_location.json'));
    expect(e.providerMessageId).toBe('23:2');
    expect(e.type).toBe('location');
    expect(e.details).toMatchObject({ latitude: 48.858093, longitude: 2.294694 });
  });

  it("contact: the shared card's phone in details; not the sender's phone when it is someone else", () => {
    const e = oneMessage(normalize('telegram/message_contact.json'));
    expect(e.type).toBe('contact');
    expect(e.providerMessageId).toBe('23:3');
    expect(e.details).toMatchObject({
      phone: '+15555550123',
      contacts: [{ name: 'Ada Lovelace', phones: [{ phone: '+15555550123' }], userId: '5556667771' }],
    });
    expect(e.contact.phone).toBeNull();
  });

  it('contact shared by the sender themself → sender phone', () => {
    const body = fixture('telegram/message_contact.json') as any;
    body.message.contact.user_id = 23;
    expect(oneMessage(channelAdapters.telegram.normalize(body)).contact.phone).toBe('+15555550123');
  });

  it('edited_message → edit of the same provider id, at edit_date', () => {
    const e = only(normalize('telegram/edited_message.json'), 'edit');
    expect(e).toEqual({
      v: 1,
      kind: 'edit',
      channelType: 'telegram',
      routeKey: null,
      timestamp: '2021-09-08T20:19:37.000Z',
      providerMessageId: '23:1',
      contact: SOJAN,
      text: 'test (edited)',
    });
  });

  it('callback_query → interactive with data, button label and callbackQueryId', () => {
    const e = oneMessage(normalize('telegram/callback_query.json'));
    expect(e).toMatchObject({
      type: 'interactive',
      text: 'Yes',
      contact: SOJAN,
      replyToProviderMessageId: '23:5',
      details: {
        interactiveType: 'callback_query',
        id: 'order:1042:confirm',
        data: 'order:1042:confirm',
        callbackQueryId: '4382bfdwdsb323b2d9',
      },
    });
    expect(e.providerMessageId.startsWith('23:')).toBe(true);
    expect(e.providerMessageId).not.toBe('23:5');
  });

  it('my_chat_member kicked → unreachable; member → reachable again', () => {
    const e = only(normalize('telegram/my_chat_member.json'), 'reachability');
    expect(e).toMatchObject({ reachable: false, contact: SOJAN, timestamp: '2021-09-08T20:21:40.000Z' });
    const body = fixture('telegram/my_chat_member.json') as any;
    body.my_chat_member.new_chat_member.status = 'member';
    expect(only(channelAdapters.telegram.normalize(body), 'reachability').reachable).toBe(true);
  });

  it('reply_to_message → replyToProviderMessageId', () => {
    const body = fixture('telegram/message_text.json') as any;
    body.message.reply_to_message = { message_id: 7, chat: { id: 23, type: 'private' }, date: 1, text: 'x' };
    expect(oneMessage(channelAdapters.telegram.normalize(body)).replyToProviderMessageId).toBe('23:7');
  });

  it('group chat: identity is the chat, name its title', () => {
    const body = fixture('telegram/message_text.json') as any;
    body.message.chat = { id: -1001234567890, title: 'Support group', type: 'supergroup' };
    const e = oneMessage(channelAdapters.telegram.normalize(body));
    expect(e.providerMessageId).toBe('-1001234567890:1');
    expect(e.contact).toEqual({
      identities: [{ kind: 'telegram', value: '-1001234567890' }],
      name: 'Support group',
      phone: null,
    });
  });

  it.each([
    [
      'channel_post',
      { update_id: 1, channel_post: { message_id: 1, chat: { id: -100, type: 'channel' }, date: 1, text: 'x' } },
    ],
    [
      'service message',
      { update_id: 1, message: { message_id: 1, chat: { id: 5, type: 'group' }, date: 1, new_chat_members: [] } },
    ],
    ['empty update', { update_id: 1 }],
    ['not an object', 'nope'],
    ['message without chat', { update_id: 1, message: { message_id: 1, date: 1, text: 'x' } }],
  ])('%s → unhandled with a reason', (_name, body) => {
    const e = only(channelAdapters.telegram.normalize(body), 'unhandled');
    expect(e.reason.length).toBeGreaterThan(0);
  });

  it('poll → unsupported message, kept', () => {
    const body = fixture('telegram/message_text.json') as any;
    delete body.message.text;
    body.message.poll = { id: '1', question: 'Q?', options: [] };
    const e = oneMessage(channelAdapters.telegram.normalize(body));
    expect(e.type).toBe('unsupported');
    expect(e.details).toMatchObject({ telegramType: 'poll' });
  });
});
