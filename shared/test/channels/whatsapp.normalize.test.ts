/* eslint-disable @typescript-eslint/no-explicit-any -- tests mutate parsed fixtures freely */
import { describe, expect, it } from 'vitest';
import { channelAdapters } from '../../src/channels';
import { InboundEvent } from '../../src/events';
import { bodyFixtures, fixture, oneMessage, oneStatus, only } from './fixture.helpers';

const normalize = (path: string) => channelAdapters.whatsapp.normalize(fixture(path));
const PHONE_NUMBER_ID = '106540352242922';
const SHEENA = {
  identities: [{ kind: 'whatsapp', value: '16505551234' }],
  name: 'Sheena Nelson',
  phone: '16505551234',
};
const SOJAN = { identities: [{ kind: 'whatsapp', value: '2423423243' }], name: 'Sojan Jose', phone: '2423423243' };

describe('WhatsApp normalize', () => {
  it.each(bodyFixtures('whatsapp'))('%s → valid events of contract v1', (path) => {
    const events = normalize(path);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(InboundEvent.parse(e)).toEqual(e);
      expect(e.channelType).toBe('whatsapp');
    }
  });

  describe('messages', () => {
    it('text: wamid, sender profile, routeKey, unix seconds → ISO', () => {
      const e = oneMessage(normalize('whatsapp/message_text.json'));
      expect(e).toMatchObject({
        kind: 'message',
        routeKey: PHONE_NUMBER_ID,
        providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        direction: 'in',
        type: 'text',
        text: 'Does it come in another color?',
        media: null,
        timestamp: '2025-06-08T20:59:43.000Z',
        replyToProviderMessageId: null,
        contact: SHEENA,
      });
    });

    it('BSUID: wa_id first, then the business-scoped user id', () => {
      const e = oneMessage(normalize('whatsapp/message_text_bsuid.json'));
      expect(e.routeKey).toBe('123456123');
      expect(e.providerMessageId).toBe('ABGGFlA5Fpa');
      expect(e.contact).toEqual({
        identities: [
          { kind: 'whatsapp', value: '16315551181' },
          { kind: 'whatsapp_bsuid', value: 'US.13491208655302741918' },
        ],
        name: 'test user name',
        phone: '16315551181',
      });
      expect(e.text).toBe('this is a text message');
    });

    it('BSUID without a phone number: identity whatsapp_bsuid, phone null', () => {
      const body = fixture('whatsapp/message_text_bsuid.json') as any;
      const value = body.entry[0].changes[0].value;
      delete value.contacts[0].wa_id;
      delete value.messages[0].from;
      const e = oneMessage(channelAdapters.whatsapp.normalize(body));
      expect(e.contact).toEqual({
        identities: [{ kind: 'whatsapp_bsuid', value: 'US.13491208655302741918' }],
        name: 'test user name',
        phone: null,
      });
    });

    it('keeps a Mexican wa_id as received (521…), no rewriting', () => {
      const body = fixture('whatsapp/message_text.json') as any;
      body.entry[0].changes[0].value.contacts[0].wa_id = '5215512345678';
      body.entry[0].changes[0].value.messages[0].from = '5215512345678';
      const e = oneMessage(channelAdapters.whatsapp.normalize(body));
      expect(e.contact.identities).toEqual([{ kind: 'whatsapp', value: '5215512345678' }]);
      expect(e.contact.phone).toBe('5215512345678');
    });

    it('image: media id, mime, sha256, caption', () => {
      const e = oneMessage(normalize('whatsapp/message_image.json'));
      expect(e.type).toBe('image');
      expect(e.text).toBe('Check out my product!');
      expect(e.media).toMatchObject({
        providerMediaId: 'b1c68f38-8734-4ad3-b4a1-ef0c10d683',
        mimeType: 'image/jpeg',
        caption: 'Check out my product!',
        sha256: '29ed500fa64eb55fc19dc4124acb300e5dcca0f822a301ae99944db',
      });
    });

    it('image whose download failed: still the message, with the errors in details', () => {
      const e = oneMessage(normalize('whatsapp/message_image_download_error.json'));
      expect(e.type).toBe('image');
      expect(e.contact).toEqual(SOJAN);
      expect(e.media?.providerMediaId).toBe('b1c68f38-8734-4ad3-b4a1-ef0c10d683');
      expect(e.details?.['errors']).toEqual([
        expect.objectContaining({ code: '400', message: expect.stringContaining('Media download failed') }),
      ]);
    });

    it('audio: voice flag kept', () => {
      const e = oneMessage(normalize('whatsapp/message_audio.json'));
      expect(e.type).toBe('audio');
      expect(e.media).toMatchObject({ providerMediaId: '1003383421387256', mimeType: 'audio/ogg; codecs=opus' });
      expect(e.details).toMatchObject({ voice: true });
    });

    it('video with caption', () => {
      const e = oneMessage(normalize('whatsapp/message_video.json'));
      expect(e.type).toBe('video');
      expect(e.text).toBe('Unboxing');
      expect(e.media).toMatchObject({ providerMediaId: '1166846181421424', mimeType: 'video/mp4' });
    });

    it('document: \\u-escaped filename decoded', () => {
      const e = oneMessage(normalize('whatsapp/message_document.json'));
      expect(e.type).toBe('document');
      expect(e.media).toMatchObject({
        providerMediaId: 'b1c68f38-8734-4ad3-b4a1-ef0c10d683',
        mimeType: 'application/pdf',
        fileName: 'Currículum café.pdf',
        caption: 'My résumé',
      });
      expect(e.text).toBe('My résumé');
    });

    it('sticker', () => {
      const e = oneMessage(normalize('whatsapp/message_sticker.json'));
      expect(e.type).toBe('sticker');
      expect(e.media).toMatchObject({ providerMediaId: '743419157847295', mimeType: 'image/webp' });
      expect(e.details).toMatchObject({ animated: false });
    });

    it('location: coordinates, name and address in details', () => {
      const e = oneMessage(normalize('whatsapp/message_location.json'));
      expect(e.type).toBe('location');
      expect(e.details).toMatchObject({
        latitude: 37.44221496582,
        longitude: -122.16141891479,
        name: 'Lucky Shrub',
        address: '101 Forest Ave, Palo Alto, CA 94301',
      });
    });

    it('contacts: shared cards (not the sender profile) → type contact', () => {
      const e = oneMessage(normalize('whatsapp/message_contacts.json'));
      expect(e.type).toBe('contact');
      expect(e.contact).toEqual(SHEENA);
      expect(e.details?.['contacts']).toEqual([
        {
          name: 'Barbara J. Johnson',
          phones: [
            { phone: '+1 (650) 555-1234', waId: '16505551234', type: 'WORK' },
            { phone: '+1 (650) 555-9876', type: 'HOME' },
          ],
          emails: ['barbara.j@example.com'],
          organization: 'Lucky Shrub',
        },
      ]);
    });

    it('interactive button_reply: id/title, reply context', () => {
      const e = oneMessage(normalize('whatsapp/message_interactive_button_reply.json'));
      expect(e).toMatchObject({
        type: 'interactive',
        text: 'First Button',
        replyToProviderMessageId: 'wamid.HBgKMjQyMzQyMzI0MxUCABEYEjAwMTEyMjMzNDQ1NTY2Nzc4OAA=',
        details: { interactiveType: 'button_reply', id: '1', title: 'First Button' },
      });
    });

    it('interactive list_reply with description', () => {
      const e = oneMessage(normalize('whatsapp/message_interactive_list_reply.json'));
      expect(e.details).toEqual({
        interactiveType: 'list_reply',
        id: 'priority_express',
        title: 'Express (1 day)',
        description: 'Next day delivery to most US addresses',
      });
      expect(e.replyToProviderMessageId).toBe('wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJBQkNERUYwMTIzNDU2Nzg5QUIA');
    });

    it('interactive nfm_reply (Flow): response_json parsed', () => {
      const e = oneMessage(normalize('whatsapp/message_interactive_nfm_reply.json'));
      expect(e.providerMessageId).toBe('wamid.flow-response-message');
      expect(e.replyToProviderMessageId).toBe('wamid.original-flow-message');
      expect(e.text).toBe('Sent');
      expect(e.details).toMatchObject({
        interactiveType: 'nfm_reply',
        name: 'flow',
        response: { flow_token: 'flow-correlation-token', rating: 'excellent', appointment: { day: 'Monday' } },
      });
    });

    it('button (template quick reply) → interactive with the payload', () => {
      const e = oneMessage(normalize('whatsapp/message_button_template_quick_reply.json'));
      expect(e).toMatchObject({
        type: 'interactive',
        text: 'Yes this is a button',
        replyToProviderMessageId: 'wamid.HBgKMjQyMzQyMzI0MxUCABEYEjk5ODg3NzY2NTU0NDMzMjIxMQA=',
        details: { interactiveType: 'button', id: 'CONFIRM_APPOINTMENT', payload: 'CONFIRM_APPOINTMENT' },
      });
    });

    it('reaction: emoji and target', () => {
      const e = oneMessage(normalize('whatsapp/message_reaction.json'));
      expect(e.type).toBe('reaction');
      expect(e.text).toBe('👍');
      expect(e.details).toEqual({
        emoji: '👍',
        removed: false,
        targetProviderMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
      });
    });

    it('reaction removed (no emoji, or an empty one)', () => {
      const e = oneMessage(normalize('whatsapp/message_reaction_removed.json'));
      expect(e.type).toBe('reaction');
      expect(e.text).toBeNull();
      expect(e.details).toMatchObject({ emoji: null, removed: true });
      const body = fixture('whatsapp/message_reaction_removed.json') as any;
      body.entry[0].changes[0].value.messages[0].reaction.emoji = '';
      expect(oneMessage(channelAdapters.whatsapp.normalize(body)).details).toMatchObject({ removed: true });
    });

    it('unsupported: its type and its 131051 error', () => {
      const e = oneMessage(normalize('whatsapp/message_unsupported.json'));
      expect(e.type).toBe('unsupported');
      expect(e.details).toMatchObject({
        unsupportedType: 'poll_creation',
        errors: [{ code: '131051', message: expect.stringContaining('Message type unknown') }],
      });
    });

    it('click-to-WhatsApp referral is kept', () => {
      const body = fixture('whatsapp/message_text.json') as any;
      const referral = { source_url: 'https://fb.me/x', source_type: 'ad', source_id: '1', headline: 'Sale' };
      body.entry[0].changes[0].value.messages[0].referral = referral;
      expect(oneMessage(channelAdapters.whatsapp.normalize(body)).referral).toEqual(referral);
    });
  });

  describe('statuses', () => {
    it.each([
      ['whatsapp/status_sent.json', 'sent', '2025-06-18T16:22:50.000Z'],
      ['whatsapp/status_delivered.json', 'delivered', '2025-06-18T16:22:53.000Z'],
      ['whatsapp/status_read.json', 'read', '2025-06-18T16:23:10.000Z'],
    ] as const)('%s → %s', (path, status, timestamp) => {
      const e = oneStatus(normalize(path));
      expect(e).toEqual({
        v: 1,
        kind: 'status',
        channelType: 'whatsapp',
        routeKey: PHONE_NUMBER_ID,
        timestamp,
        providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
        status,
        recipient: '16505551234',
        error: null,
      });
    });

    it('failed 131047 carries code and message', () => {
      const e = oneStatus(normalize('whatsapp/status_failed.json'));
      expect(e.status).toBe('failed');
      expect(e.providerMessageId).toBe('wamid.HBgLMTY1MDU1NTEyMzQVAgARGBIwRjlFOEQ3QzZCNUE0OTM4MjcA');
      expect(e.error?.code).toBe('131047');
      expect(e.error?.message).toContain('Re-engagement message');
      expect(e.error?.message).toContain('more than 24 hours');
    });

    it('failed 131026 with its recipient', () => {
      const e = oneStatus(normalize('whatsapp/status_failed_131026.json'));
      expect(e).toMatchObject({ status: 'failed', recipient: '16505559999', error: { code: '131026' } });
      expect(e.error?.message).toContain('undeliverable');
    });

    it('a batch: every status, in order', () => {
      const events = normalize('whatsapp/batch_statuses.json');
      expect(events).toHaveLength(2);
      expect(events.map((e) => (e.kind === 'status' ? [e.status, e.providerMessageId] : e.kind))).toEqual([
        ['delivered', 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA'],
        ['read', 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJGRkVFRERDQ0JCQUE5OTg4NzcA'],
      ]);
    });

    it("'played' and future statuses are kept as unhandled", () => {
      const body = fixture('whatsapp/status_read.json') as any;
      body.entry[0].changes[0].value.statuses[0].status = 'played';
      const e = only(channelAdapters.whatsapp.normalize(body), 'unhandled');
      expect(e.reason).toContain('played');
      expect(e.routeKey).toBe(PHONE_NUMBER_ID);
    });
  });

  describe('errors and the unexpected', () => {
    it('value.errors (system-level 130429) → unhandled with the error', () => {
      const e = only(normalize('whatsapp/errors_system_130429.json'), 'unhandled');
      expect(e.routeKey).toBe(PHONE_NUMBER_ID);
      expect(e.error?.code).toBe('130429');
      expect(e.error?.message).toContain('Rate limit hit');
      expect(e.raw).toMatchObject({ code: 130429 });
    });

    it('several numbers in one POST: each event routed by its own phone_number_id', () => {
      const a = fixture('whatsapp/message_text.json') as any;
      const b = fixture('whatsapp/status_read.json') as any;
      b.entry[0].changes[0].value.metadata.phone_number_id = '999';
      const events = channelAdapters.whatsapp.normalize({ object: a.object, entry: [...a.entry, ...b.entry] });
      expect(events.map((e) => [e.kind, e.routeKey])).toEqual([
        ['message', PHONE_NUMBER_ID],
        ['status', '999'],
      ]);
    });

    it('one unreadable message does not sink its siblings', () => {
      const body = fixture('whatsapp/message_text.json') as any;
      const messages = body.entry[0].changes[0].value.messages;
      messages.push({ ...messages[0], id: 'wamid.second', text: { body: 42 } });
      messages.push({ ...messages[0], id: 'wamid.third' });
      const events = channelAdapters.whatsapp.normalize(body);
      expect(events.map((e) => e.kind)).toEqual(['message', 'unhandled', 'message']);
      expect((events[1] as any).reason).toContain('text.body');
    });

    it.each([
      ['not an object', 'hello'],
      ['null', null],
      ['no entry', { object: 'whatsapp_business_account' }],
      ['another object', { object: 'page', entry: [] }],
      [
        'another field',
        {
          object: 'whatsapp_business_account',
          entry: [{ id: '1', changes: [{ field: 'account_update', value: {} }] }],
        },
      ],
      ['empty entry list', { object: 'whatsapp_business_account', entry: [] }],
    ])('%s → one unhandled event with a reason', (_name, body) => {
      const e = only(channelAdapters.whatsapp.normalize(body), 'unhandled');
      expect(e.reason.length).toBeGreaterThan(0);
      expect(InboundEvent.parse(e)).toBeTruthy();
    });
  });
});
