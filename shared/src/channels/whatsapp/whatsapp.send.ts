import { z } from 'zod';
import {
  SendError,
  type OutboundRequest,
  type PlatformEndpoints,
  type SendResult,
  type WhatsAppCredentials,
} from '../channel.port';
import { platformRequest } from '../common/platform-http';
import { graphError } from '../meta/graph.errors';
import { assertNever } from '../../errors';

// POST /{version}/{phone-number-id}/messages with the Bearer token → {messages:[{id: wamid}]};
// that wamid is the key of the later status webhooks.
// https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages

const SendResponse = z.looseObject({ messages: z.array(z.looseObject({ id: z.string().min(1) })).min(1) });

export async function sendWhatsApp(
  credentials: WhatsAppCredentials,
  endpoints: PlatformEndpoints,
  req: OutboundRequest,
): Promise<SendResult> {
  const res = await platformRequest(
    {
      method: 'POST',
      url: `${endpoints.whatsappApiUrl}/${endpoints.graphApiVersion}/${encodeURIComponent(credentials.phoneNumberId)}/messages`,
      headers: { Authorization: `Bearer ${credentials.accessToken}`, 'Content-Type': 'application/json' },
      data: whatsappSendBody(req),
    },
    graphError,
  );
  const parsed = SendResponse.safeParse(res.data);
  // Accepted but no id: the message may well be out, so a retry could duplicate it.
  if (!parsed.success)
    throw new SendError({ code: 'invalid_response', message: 'WhatsApp returned no message id' }, false);
  return { providerMessageId: parsed.data.messages[0]!.id };
}

export function whatsappSendBody(req: OutboundRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { messaging_product: 'whatsapp', recipient_type: 'individual', to: req.to };
  const c = req.content;
  switch (c.type) {
    case 'text':
      Object.assign(body, { type: 'text', text: { body: c.text, preview_url: false } });
      break;
    case 'image':
    case 'video':
    case 'document':
    case 'audio':
    case 'sticker': {
      const media: Record<string, unknown> = { link: c.url };
      // Captions exist for image, video and document only; filenames for documents.
      if (c.caption && (c.type === 'image' || c.type === 'video' || c.type === 'document'))
        media['caption'] = c.caption;
      if (c.fileName && c.type === 'document') media['filename'] = c.fileName;
      Object.assign(body, { type: c.type, [c.type]: media });
      break;
    }
    case 'template':
      Object.assign(body, {
        type: 'template',
        template: {
          name: c.name,
          language: { code: c.language },
          ...(c.variables.length > 0
            ? { components: [{ type: 'body', parameters: c.variables.map((text) => ({ type: 'text', text })) }] }
            : {}),
        },
      });
      break;
    default:
      assertNever(c);
  }
  if (req.replyToProviderMessageId) body['context'] = { message_id: req.replyToProviderMessageId };
  return body;
}
