import { z } from 'zod';

// What an agent sends into a conversation (POST /api/v1/conversations/:id/messages and the
// socket's message:send), parsed at both boundaries with these schemas.
//
//   {"text":"…"}                                     free-form text (type defaults to text)
//   {"text":"… @jane@example.com","private":true}    a private note: stored, never sent
//   {"type":"image|video|audio|document","mediaId":"<upload id>"|"url":"https://…","caption"?,"fileName"?}
//   {"type":"template","template":{"name","language","variables":[]}}   WhatsApp only
//   any of them + "replyToMessageId": "<a message id of this conversation>"

const Text = z.string().trim().min(1, 'must not be empty').max(4096, 'at most 4096 characters');
const ReplyTo = z.uuid().optional().meta({ description: 'Our id of the message this one answers' });

export const TextSend = z
  .object({
    /** May be left out. */
    type: z.literal('text').optional(),
    text: Text,
    private: z.boolean().default(false).meta({ description: 'A private note: kept for the team, never sent' }),
    replyToMessageId: ReplyTo,
  })
  .strict();

export const OutboundMediaType = z.enum(['image', 'video', 'audio', 'document']);
export type OutboundMediaType = z.infer<typeof OutboundMediaType>;

export const MediaSend = z
  .object({
    type: OutboundMediaType,
    mediaId: z.uuid().optional().meta({ description: 'id from POST /api/v1/media' }),
    url: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .optional()
      .meta({ description: 'A public URL the platform fetches' }),
    caption: z.string().trim().min(1).max(1024).optional(),
    fileName: z.string().trim().min(1).max(255).optional(),
    replyToMessageId: ReplyTo,
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.mediaId === undefined) === (v.url === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['mediaId'], message: 'give exactly one of mediaId and url' });
    }
  });

export const TemplateSend = z
  .object({
    type: z.literal('template'),
    template: z
      .object({
        name: z
          .string()
          .regex(/^[a-z0-9_]{1,512}$/, 'lowercase letters, digits and underscores (as Meta names templates)'),
        language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a language code such as en or en_US'),
        variables: z.array(z.string().min(1).max(1024)).max(20).default([]),
      })
      .strict(),
    replyToMessageId: ReplyTo,
  })
  .strict();

/** The body of a send; `type` may be left out for text. */
export const SendMessageBody = z.discriminatedUnion('type', [TextSend, MediaSend, TemplateSend]).meta({
  id: 'SendMessageBody',
});
export type SendMessageBody = z.output<typeof SendMessageBody>;

/** Idempotency-Key header (or the socket's idempotencyKey): printable ASCII, like Stripe's. */
export const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** Socket message:send — the same body plus the conversation and the key. */
export const SocketSendEnvelope = z.object({
  conversationId: z.uuid(),
  idempotencyKey: IdempotencyKey.optional(),
});

export function splitSocketSend(p: unknown): { conversationId: string; idempotencyKey?: string; body: unknown } {
  const env = SocketSendEnvelope.parse(p);
  const rest = { ...(p as Record<string, unknown>) };
  delete rest['conversationId'];
  delete rest['idempotencyKey'];
  return {
    conversationId: env.conversationId,
    ...(env.idempotencyKey !== undefined ? { idempotencyKey: env.idempotencyKey } : {}),
    body: rest,
  };
}
