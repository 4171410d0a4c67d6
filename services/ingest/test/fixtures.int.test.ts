import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { messageRowToMessage, type Message } from '@hub/shared/domain';
import { describeDrivers } from '@hub/shared/testing';
import { createChannel, createWorkspace } from '../../worker/test/inbound.helpers';
import { fixture, FIXTURES, META_SECRET, post, signatures, startPipeline, TG_SECRET } from './pipeline.helpers';

// Every public fixture, byte for byte with the headers a platform would send
// (fixtures/signatures.json), through HTTP → queue → database, each into a fresh workspace
// whose channel carries the fixture's number/page id. Then the rows it must have left.

type Expect = {
  /** The message rows (oldest first), matched field by field against the API shape. */
  messages?: Partial<Message>[];
  /** Receipts/edits waiting for their message. */
  pending?: { provider_message_id: string; kind: string; status: string }[];
  /** Status of the raw log row. */
  raw: 'processed' | 'unhandled';
  /** The contact created for the sender. */
  contact?: { name: string; phone: string | null; country?: string | null };
  identities?: string[];
  check?: (ctx: { messages: Message[] }) => void;
};

const downloaded = { url: expect.stringMatching(/^\/api\/v1\/media\/[0-9a-f-]{36}$/) as unknown as string };
const failedMedia = { url: null, error: expect.stringMatching(/media download failed/) as unknown as string };

const expectations: Record<string, Expect> = {
  // ── WhatsApp ──────────────────────────────────────────────────────────────
  'whatsapp/message_text.json': {
    raw: 'processed',
    messages: [
      {
        direction: 'in',
        type: 'text',
        text: 'Does it come in another color?',
        status: 'received',
        createdAt: '2025-06-08T20:59:43.000Z',
        providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      },
    ],
    contact: { name: 'Sheena Nelson', phone: '+16505551234', country: 'US' },
    identities: ['whatsapp:16505551234'],
  },
  'whatsapp/message_text_bsuid.json': {
    raw: 'processed',
    messages: [{ type: 'text', text: 'this is a text message', providerMessageId: 'ABGGFlA5Fpa' }],
    contact: { name: 'test user name', phone: '+16315551181', country: 'US' },
    identities: ['whatsapp:16315551181', 'whatsapp_bsuid:US.13491208655302741918'],
  },
  'whatsapp/message_image.json': {
    raw: 'processed',
    messages: [
      {
        type: 'image',
        text: 'Check out my product!',
        media: { ...downloaded, mimeType: 'image/jpeg', caption: 'Check out my product!' },
      },
    ],
  },
  'whatsapp/message_image_download_error.json': {
    raw: 'processed',
    messages: [
      {
        type: 'image',
        error: { code: '400', message: expect.stringContaining('Media download failed') as unknown as string },
      },
    ],
    contact: { name: 'Sojan Jose', phone: null },
  },
  'whatsapp/message_audio.json': {
    raw: 'processed',
    messages: [{ type: 'audio', media: { ...downloaded, mimeType: 'audio/ogg; codecs=opus' } }],
    check: ({ messages }) => expect(messages[0]!.details).toMatchObject({ voice: true }),
  },
  'whatsapp/message_video.json': {
    raw: 'processed',
    messages: [
      { type: 'video', text: 'Unboxing', media: { ...downloaded, mimeType: 'video/mp4', caption: 'Unboxing' } },
    ],
  },
  'whatsapp/message_document.json': {
    raw: 'processed',
    messages: [
      {
        type: 'document',
        text: 'My résumé',
        media: { ...downloaded, mimeType: 'application/pdf', fileName: 'Currículum café.pdf', caption: 'My résumé' },
      },
    ],
  },
  'whatsapp/message_sticker.json': {
    raw: 'processed',
    messages: [{ type: 'sticker', media: { ...downloaded, mimeType: 'image/webp' } }],
  },
  'whatsapp/message_location.json': {
    raw: 'processed',
    messages: [{ type: 'location', text: null, media: null }],
    check: ({ messages }) =>
      expect(messages[0]!.details).toMatchObject({
        latitude: 37.44221496582,
        longitude: -122.16141891479,
        name: 'Lucky Shrub',
        address: '101 Forest Ave, Palo Alto, CA 94301',
      }),
  },
  'whatsapp/message_contacts.json': {
    raw: 'processed',
    messages: [{ type: 'contact' }],
    check: ({ messages }) =>
      expect((messages[0]!.details['contacts'] as { name: string }[])[0]!.name).toBe('Barbara J. Johnson'),
  },
  'whatsapp/message_interactive_button_reply.json': {
    raw: 'processed',
    messages: [
      {
        type: 'interactive',
        text: 'First Button',
        replyToProviderMessageId: 'wamid.HBgKMjQyMzQyMzI0MxUCABEYEjAwMTEyMjMzNDQ1NTY2Nzc4OAA=',
      },
    ],
  },
  'whatsapp/message_interactive_list_reply.json': {
    raw: 'processed',
    messages: [{ type: 'interactive', text: 'Express (1 day)' }],
  },
  'whatsapp/message_interactive_nfm_reply.json': { raw: 'processed', messages: [{ type: 'interactive' }] },
  'whatsapp/message_button_template_quick_reply.json': {
    raw: 'processed',
    messages: [{ type: 'interactive', text: 'Yes this is a button' }],
    check: ({ messages }) => expect(messages[0]!.details).toMatchObject({ payload: 'CONFIRM_APPOINTMENT' }),
  },
  'whatsapp/message_reaction.json': {
    raw: 'processed',
    messages: [{ type: 'reaction', text: '👍' }],
    check: ({ messages }) =>
      expect(messages[0]!.details).toMatchObject({
        targetProviderMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
      }),
  },
  'whatsapp/message_reaction_removed.json': { raw: 'processed', messages: [{ type: 'reaction', text: null }] },
  'whatsapp/message_unsupported.json': {
    raw: 'processed',
    messages: [
      {
        type: 'unsupported',
        error: { code: '131051', message: expect.stringContaining('Message type unknown') as unknown as string },
      },
    ],
  },
  'whatsapp/status_sent.json': {
    raw: 'processed',
    messages: [],
    pending: [
      {
        provider_message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
        kind: 'status',
        status: 'sent',
      },
    ],
  },
  'whatsapp/status_delivered.json': {
    raw: 'processed',
    messages: [],
    pending: [
      {
        provider_message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
        kind: 'status',
        status: 'delivered',
      },
    ],
  },
  'whatsapp/status_read.json': {
    raw: 'processed',
    messages: [],
    pending: [
      {
        provider_message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
        kind: 'status',
        status: 'read',
      },
    ],
  },
  'whatsapp/status_failed.json': {
    raw: 'processed',
    messages: [],
    pending: [
      {
        provider_message_id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBIwRjlFOEQ3QzZCNUE0OTM4MjcA',
        kind: 'status',
        status: 'failed',
      },
    ],
  },
  'whatsapp/status_failed_131026.json': {
    raw: 'processed',
    messages: [],
    pending: [
      {
        provider_message_id: 'wamid.HBgLMTY1MDU1NTk5OTkVAgARGBIxMjM0NTY3ODlBQkNERUYwMTIA',
        kind: 'status',
        status: 'failed',
      },
    ],
  },
  'whatsapp/batch_statuses.json': {
    raw: 'processed',
    messages: [],
    pending: [
      {
        provider_message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
        kind: 'status',
        status: 'delivered',
      },
      {
        provider_message_id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJGRkVFRERDQ0JCQUE5OTg4NzcA',
        kind: 'status',
        status: 'read',
      },
    ],
  },
  'whatsapp/errors_system_130429.json': { raw: 'unhandled', messages: [] },

  // ── Messenger ─────────────────────────────────────────────────────────────
  'messenger/message_text.json': {
    raw: 'processed',
    messages: [{ direction: 'in', type: 'text', text: 'facebook message', createdAt: '2022-03-29T19:20:33.369Z' }],
    identities: ['messenger:3383290475046708'],
  },
  'messenger/message_quick_reply.json': {
    raw: 'processed',
    messages: [{ type: 'interactive', text: 'hello, world!' }],
  },
  'messenger/message_reply_to.json': {
    raw: 'processed',
    messages: [
      { type: 'text', text: 'hello, world!', replyToProviderMessageId: 'm_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU' },
    ],
  },
  // The CDN URLs of the fixtures are not reachable from tests: the message stays, media noted.
  'messenger/message_attachment_image.json': {
    raw: 'processed',
    messages: [{ type: 'image', media: { ...failedMedia, mimeType: null } }],
  },
  'messenger/message_attachment_audio.json': {
    raw: 'processed',
    messages: [{ type: 'audio', media: { ...failedMedia, mimeType: null } }],
  },
  'messenger/message_attachment_video.json': {
    raw: 'processed',
    messages: [{ type: 'video', media: { ...failedMedia, mimeType: null } }],
  },
  'messenger/message_attachment_file.json': {
    raw: 'processed',
    messages: [{ type: 'document', media: { ...failedMedia, mimeType: null, fileName: 'invoice_march.pdf' } }],
  },
  'messenger/postback.json': { raw: 'processed', messages: [{ type: 'interactive', text: 'Get Started' }] },
  'messenger/postback_with_referral.json': {
    raw: 'processed',
    messages: [{ type: 'interactive', text: 'TITLE-FOR-THE-CTA' }],
    check: ({ messages }) =>
      expect(messages[0]!.details).toMatchObject({ referral: { ref: 'USER-DEFINED-REFERRAL-PARAM' } }),
  },
  'messenger/reaction.json': {
    raw: 'processed',
    messages: [{ type: 'reaction', text: '❤️' }],
  },
  'messenger/echo.json': {
    raw: 'processed',
    messages: [{ direction: 'out', type: 'text', status: 'sent', text: 'Thanks, your order #1042 has shipped.' }],
    identities: ['messenger:3383290475046708'],
  },
  'messenger/delivery.json': {
    raw: 'processed',
    messages: [],
    pending: [{ provider_message_id: 'mid.1458668856218:ed81099e15d3f4f233', kind: 'status', status: 'delivered' }],
  },
  // A read receipt from someone we never talked to: nothing to move, kept for inspection.
  'messenger/read.json': { raw: 'unhandled', messages: [] },

  // ── Telegram ──────────────────────────────────────────────────────────────
  'telegram/message_text.json': {
    raw: 'processed',
    messages: [{ type: 'text', text: 'test', providerMessageId: '23:1', createdAt: '2021-09-08T20:14:37.000Z' }],
    contact: { name: 'Sojan Jose', phone: null },
    identities: ['telegram:23'],
  },
  'telegram/message_caption_only.json': { raw: 'processed', messages: [{ type: 'text', text: 'test' }] },
  'telegram/message_photo.json': {
    raw: 'processed',
    messages: [{ type: 'image', media: { ...downloaded, mimeType: 'image/jpeg' } }],
  },
  'telegram/message_document.json': {
    raw: 'processed',
    messages: [
      {
        type: 'document',
        media: { ...downloaded, mimeType: 'application/png', fileName: 'Screenshot 2021-09-27 at 2.01.14 PM.png' },
      },
    ],
  },
  'telegram/message_voice.json': {
    raw: 'processed',
    messages: [{ type: 'audio', media: { ...downloaded, mimeType: 'audio/ogg' } }],
  },
  'telegram/message_audio.json': {
    raw: 'processed',
    messages: [{ type: 'audio', media: { ...downloaded, mimeType: 'audio/mpeg' } }],
  },
  'telegram/message_video.json': {
    raw: 'processed',
    messages: [{ type: 'video', media: { ...downloaded, mimeType: 'video/mp4' } }],
  },
  'telegram/message_sticker.json': {
    raw: 'processed',
    messages: [{ type: 'sticker', media: { ...downloaded, mimeType: 'application/x-tgsticker' } }],
  },
  'telegram/message_location.json': {
    raw: 'processed',
    messages: [{ type: 'location', providerMessageId: '23:2' }],
    check: ({ messages }) => expect(messages[0]!.details).toMatchObject({ latitude: 48.858093, longitude: 2.294694 }),
  },
  'telegram/message_contact.json': {
    raw: 'processed',
    messages: [{ type: 'contact', providerMessageId: '23:3' }],
    // The shared card is someone else's phone: the sender keeps none.
    contact: { name: 'Sojan Jose', phone: null },
  },
  // An edit of a message we never saw: kept until (if ever) the message arrives.
  'telegram/edited_message.json': {
    raw: 'processed',
    messages: [],
    pending: [{ provider_message_id: '23:1', kind: 'edit', status: '' }],
  },
  'telegram/callback_query.json': {
    raw: 'processed',
    messages: [{ type: 'interactive', text: 'Yes', replyToProviderMessageId: '23:5' }],
  },
  // The person blocked the bot before ever writing: nobody to mark, kept for inspection.
  'telegram/my_chat_member.json': { raw: 'unhandled', messages: [] },
};

const bodies = ['whatsapp', 'messenger', 'telegram'].flatMap((dir) =>
  readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.request.json'))
    .map((f) => `${dir}/${f}`),
);

/** The number / page id the fixture is for (the channel's external id). */
function routeKeyOf(name: string, body: unknown): string {
  const b = body as { entry?: { id?: string; changes?: { value?: { metadata?: { phone_number_id?: string } } }[] }[] };
  if (name.startsWith('whatsapp/')) return b.entry?.[0]?.changes?.[0]?.value?.metadata?.phone_number_id ?? '0';
  if (name.startsWith('messenger/')) return b.entry?.[0]?.id ?? '0';
  return '7012345678';
}

describeDrivers('public fixtures through HTTP → queue → database', startPipeline, (hub) => {
  const db = () => hub().rt.database.db;

  it('has an expectation for every fixture body', () => {
    expect(bodies.sort()).toEqual(Object.keys(expectations).sort());
  });

  for (const name of bodies) {
    it(name, async () => {
      const exp = expectations[name]!;
      const raw = fixture(name);
      const body = JSON.parse(raw.toString('utf8')) as unknown;
      const type = name.split('/')[0] as 'whatsapp' | 'messenger' | 'telegram';
      const ws = await createWorkspace(db(), name);
      const externalId = routeKeyOf(name, body);
      const credentials =
        type === 'whatsapp'
          ? {
              phoneNumberId: externalId,
              accessToken: 'wa-access-token',
              appSecret: META_SECRET,
              verifyToken: 'vibecoding',
            }
          : type === 'messenger'
            ? { pageId: externalId, pageAccessToken: 'page-token', appSecret: META_SECRET, verifyToken: 'meatyhamhock' }
            : { botToken: `${externalId}:fixture-token`, secretToken: TG_SECRET };
      const channelId = await createChannel(db(), ws, type, credentials, externalId);

      const res = await post(`${hub().url}/webhooks/${type}/${channelId}`, raw, signatures.headers[name]!);
      expect(res.status).toBe(200);
      await hub().settle();

      const rows = await db()
        .selectFrom('messages')
        .selectAll()
        .where('channel_id', '=', channelId)
        .orderBy('sent_at')
        .orderBy('seq')
        .execute();
      const messages = rows.map(messageRowToMessage);
      expect(messages).toHaveLength(exp.messages?.length ?? 0);
      exp.messages?.forEach((m, i) => expect(messages[i]).toMatchObject(m));

      const pending = await db()
        .selectFrom('pending_updates')
        .select(['provider_message_id', 'kind', 'status'])
        .where('channel_id', '=', channelId)
        .orderBy('provider_message_id')
        .execute();
      expect(pending).toEqual(exp.pending ?? []);

      const log = await db().selectFrom('webhook_events').selectAll().where('channel_id', '=', channelId).execute();
      expect(log).toHaveLength(1);
      expect(log[0]!.body).toBe(raw.toString('utf8'));
      expect(log[0]!.status).toBe(exp.raw);
      if (exp.raw === 'unhandled') expect(log[0]!.notes.length).toBeGreaterThan(0);

      if (exp.contact) {
        const contacts = await db().selectFrom('contacts').selectAll().where('workspace_id', '=', ws).execute();
        expect(contacts).toHaveLength(1);
        expect(contacts[0]).toMatchObject(exp.contact);
      }
      if (exp.identities) {
        const ids = await db()
          .selectFrom('contact_identities')
          .select(['kind', 'value'])
          .where('workspace_id', '=', ws)
          .execute();
        expect(ids.map((i) => `${i.kind}:${i.value}`).sort()).toEqual([...exp.identities].sort());
      }
      if ((exp.messages?.length ?? 0) > 0) {
        const convs = await db().selectFrom('conversations').selectAll().where('channel_id', '=', channelId).execute();
        expect(convs).toHaveLength(1);
        const inbound = messages.filter((m) => m.direction === 'in' && m.type !== 'reaction').length;
        expect(convs[0]!.unread_count).toBe(inbound);
      }
      exp.check?.({ messages });
      if (name === 'telegram/callback_query.json') {
        expect(
          hub().fake.requests.some(
            (r) => r.action === 'answerCallbackQuery' && r.token === `${externalId}:fixture-token`,
          ),
        ).toBe(true);
      }
    });
  }
});
