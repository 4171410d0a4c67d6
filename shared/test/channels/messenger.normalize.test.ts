/* eslint-disable @typescript-eslint/no-explicit-any -- tests mutate parsed fixtures freely */
import { describe, expect, it } from 'vitest';
import { channelAdapters } from '../../src/channels';
import { InboundEvent } from '../../src/events';
import { bodyFixtures, fixture, oneMessage, only } from './fixture.helpers';

const normalize = (path: string) => channelAdapters.messenger.normalize(fixture(path));
const PAGE = '117172741761305';
const PSID = '3383290475046708';
const person = (psid: string) => ({ identities: [{ kind: 'messenger', value: psid }], name: null, phone: null });

describe('Messenger normalize', () => {
  it.each(bodyFixtures('messenger'))('%s → valid events of contract v1', (path) => {
    const events = normalize(path);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(InboundEvent.parse(e)).toEqual(e);
      expect(e.channelType).toBe('messenger');
    }
  });

  it('text: mid, PSID, page id as routeKey, ms timestamp → ISO', () => {
    const e = oneMessage(normalize('messenger/message_text.json'));
    expect(e).toMatchObject({
      routeKey: PAGE,
      providerMessageId: 'm_KXGKDUpO6xbVdAmZFBVpzU1AhKVJdAIUnUH4cwkvb_K3iZsWhowDRyJ_DcowEpJjncaBwdCIoRrixvCbbO1PcA',
      direction: 'in',
      type: 'text',
      text: 'facebook message',
      timestamp: '2022-03-29T19:20:33.369Z',
      contact: person(PSID),
      media: null,
    });
  });

  it('quick_reply → interactive with the payload', () => {
    const e = oneMessage(normalize('messenger/message_quick_reply.json'));
    expect(e).toMatchObject({
      routeKey: '682498302938465',
      type: 'interactive',
      text: 'hello, world!',
      contact: person('1254459154682919'),
      details: {
        interactiveType: 'quick_reply',
        id: 'DEVELOPER_DEFINED_PAYLOAD',
        payload: 'DEVELOPER_DEFINED_PAYLOAD',
      },
    });
  });

  it('reply_to → replyToProviderMessageId', () => {
    const e = oneMessage(normalize('messenger/message_reply_to.json'));
    expect(e.providerMessageId).toBe('m_1457764197618:41d102a3e1ae206a38');
    expect(e.replyToProviderMessageId).toBe('m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU');
    expect(e.text).toBe('hello, world!');
  });

  it.each([
    ['messenger/message_attachment_image.json', 'image', 'mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c', 'scontent.xx.fbcdn.net'],
    [
      'messenger/message_attachment_audio.json',
      'audio',
      'mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_e',
      'audioclip-1518479195308.mp4',
    ],
    ['messenger/message_attachment_video.json', 'video', 'mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_f', 'video.xx.fbcdn.net'],
    ['messenger/message_attachment_file.json', 'document', 'mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_d', 'invoice_march.pdf'],
  ] as const)('%s → %s with the CDN url', (path, type, mid, urlPart) => {
    const e = oneMessage(normalize(path));
    expect(e.type).toBe(type);
    expect(e.providerMessageId).toBe(mid);
    expect(e.media?.providerMediaId).toBeNull();
    expect(e.media?.url).toContain(urlPart);
    expect(e.timestamp).toBe('2018-02-12T23:46:35.308Z');
  });

  it('file attachment gets its file name from the url', () => {
    expect(oneMessage(normalize('messenger/message_attachment_file.json')).media?.fileName).toBe('invoice_march.pdf');
  });

  it('several attachments → one event each; the first keeps the mid', () => {
    const body = fixture('messenger/message_attachment_image.json') as any;
    const msg = body.entry[0].messaging[0].message;
    msg.attachments.push({ type: 'fallback', title: 'A link', url: 'https://example.com/x', payload: null });
    const events = channelAdapters.messenger.normalize(body);
    expect(events).toHaveLength(2);
    expect(events.map((e) => (e.kind === 'message' ? [e.providerMessageId, e.type] : e.kind))).toEqual([
      ['mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c', 'image'],
      ['mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c#2', 'text'],
    ]);
    expect((events[1] as any).text).toBe('A link');
  });

  it('echo → direction out, contact = recipient PSID, app_id in details', () => {
    const e = oneMessage(normalize('messenger/echo.json'));
    expect(e).toMatchObject({
      direction: 'out',
      providerMessageId: 'mid.1457764197618:41d102a3e1ae206a38',
      text: 'Thanks, your order #1042 has shipped.',
      contact: person(PSID),
      details: { echo: true, app_id: '1517776481860111', metadata: 'DEVELOPER_DEFINED_METADATA_STRING' },
    });
  });

  it('postback → interactive with payload and title', () => {
    const e = oneMessage(normalize('messenger/postback.json'));
    expect(e).toMatchObject({
      providerMessageId: 'm_3f7a1c0e5b9d2a4c6e8f0a1b3c5d7e9f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
      type: 'interactive',
      text: 'Get Started',
      referral: null,
      details: { interactiveType: 'postback', id: 'GET_STARTED', payload: 'GET_STARTED', title: 'Get Started' },
    });
  });

  it('postback with referral keeps the referral', () => {
    const e = oneMessage(normalize('messenger/postback_with_referral.json'));
    expect(e.providerMessageId).toBe('m_MESSAGE-ID');
    expect(e.referral).toEqual({ ref: 'USER-DEFINED-REFERRAL-PARAM', source: 'SHORT-URL', type: 'OPEN_THREAD' });
    expect(e.timestamp).toBe('2018-05-27T22:23:44.000Z');
  });

  it('postback without mid gets a stable derived id', () => {
    const body = fixture('messenger/postback.json') as any;
    delete body.entry[0].messaging[0].postback.mid;
    const a = oneMessage(channelAdapters.messenger.normalize(body));
    const b = oneMessage(channelAdapters.messenger.normalize(structuredClone(body)));
    expect(a.providerMessageId).toBe(b.providerMessageId);
    expect(a.providerMessageId).toContain(PSID);
  });

  it('reaction → type reaction with emoji and target mid', () => {
    const e = oneMessage(normalize('messenger/reaction.json'));
    expect(e.type).toBe('reaction');
    expect(e.text).toBe('❤️');
    expect(e.details).toMatchObject({
      emoji: '❤️',
      reaction: 'love',
      action: 'react',
      removed: false,
      targetProviderMessageId: 'mid.1458668856218:ed81099e15d3f4f233',
    });
  });

  it('unreact → reaction removed', () => {
    const body = fixture('messenger/reaction.json') as any;
    const r = body.entry[0].messaging[0].reaction;
    r.action = 'unreact';
    delete r.emoji;
    delete r.reaction;
    const e = oneMessage(channelAdapters.messenger.normalize(body));
    expect(e.details).toMatchObject({ removed: true, emoji: null, action: 'unreact' });
  });

  it('delivery → watermark delivered with the mids; entry time stands in for the missing timestamp', () => {
    const e = only(normalize('messenger/delivery.json'), 'watermark');
    expect(e).toEqual({
      v: 1,
      kind: 'watermark',
      channelType: 'messenger',
      routeKey: PAGE,
      timestamp: '2016-03-22T17:47:36.300Z',
      contact: person(PSID),
      status: 'delivered',
      watermark: '2016-03-22T17:47:36.253Z',
      providerMessageIds: ['mid.1458668856218:ed81099e15d3f4f233'],
    });
  });

  it('read → watermark read', () => {
    const e = only(normalize('messenger/read.json'), 'watermark');
    expect(e).toMatchObject({ status: 'read', watermark: '2016-03-22T17:47:36.253Z', providerMessageIds: [] });
  });

  it('standby[] events are normalized too, flagged', () => {
    const body = fixture('messenger/message_text.json') as any;
    body.entry[0].standby = body.entry[0].messaging;
    delete body.entry[0].messaging;
    const e = oneMessage(channelAdapters.messenger.normalize(body));
    expect(e.details).toMatchObject({ standby: true });
    expect(e.text).toBe('facebook message');
  });

  it('several pages in one POST: each routed by its entry id', () => {
    const a = fixture('messenger/message_text.json') as any;
    const b = fixture('messenger/message_quick_reply.json') as any;
    const events = channelAdapters.messenger.normalize({ object: 'page', entry: [...a.entry, ...b.entry] });
    expect(events.map((e) => e.routeKey)).toEqual([PAGE, '682498302938465']);
  });

  it.each([
    [
      'optin event',
      {
        object: 'page',
        entry: [
          {
            id: PAGE,
            time: 1,
            messaging: [{ sender: { id: '1' }, recipient: { id: PAGE }, timestamp: 1, optin: { ref: 'x' } }],
          },
        ],
      },
    ],
    [
      'deleted message',
      {
        object: 'page',
        entry: [{ id: PAGE, messaging: [{ sender: { id: '1' }, message: { mid: 'm_1', is_deleted: true } }] }],
      },
    ],
    ['instagram object', { object: 'instagram', entry: [] }],
    ['garbage', [1, 2, 3]],
  ])('%s → unhandled', (_name, body) => {
    const events = channelAdapters.messenger.normalize(body);
    expect(events).toHaveLength(1);
    expect(events[0]!.kind).toBe('unhandled');
  });
});
