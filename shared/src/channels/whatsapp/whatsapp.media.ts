import { z } from 'zod';
import { SendError, type FetchedMedia, type PlatformEndpoints, type WhatsAppCredentials } from '../channel.port';
import { contentType, platformRequest, toBuffer } from '../common/platform-http';
import { graphError } from '../meta/graph.errors';

// Two steps: GET /{version}/{media-id} with the Bearer token → {url, mime_type, …}, then GET
// that url WITH THE SAME token (the lookaside URL refuses anonymous requests; it lives ~5 min).
// https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media/

const MediaInfo = z.looseObject({
  url: z.string().min(1),
  mime_type: z.string().optional(),
  file_size: z.number().optional(),
  sha256: z.string().optional(),
});

/** Cloud API media tops out at 100 MB (documents). */
const MAX_BYTES = 100 * 1024 * 1024;

export async function fetchWhatsAppMedia(
  credentials: WhatsAppCredentials,
  endpoints: PlatformEndpoints,
  ref: { providerMediaId: string | null; url: string | null },
): Promise<FetchedMedia> {
  const headers = { Authorization: `Bearer ${credentials.accessToken}` };
  let url = ref.url;
  let mimeType: string | null = null;
  if (ref.providerMediaId) {
    const info = await platformRequest(
      {
        method: 'GET',
        url: `${endpoints.whatsappApiUrl}/${endpoints.graphApiVersion}/${encodeURIComponent(ref.providerMediaId)}`,
        headers,
      },
      graphError,
    );
    const parsed = MediaInfo.safeParse(info.data);
    if (!parsed.success) {
      throw new SendError({ code: 'invalid_response', message: 'WhatsApp media lookup returned no url' }, false);
    }
    url = parsed.data.url;
    mimeType = parsed.data.mime_type ?? null;
  }
  if (!url) throw new SendError({ code: 'media_not_found', message: 'neither a media id nor a url was given' }, false);
  const res = await platformRequest(
    { method: 'GET', url, headers, responseType: 'arraybuffer', maxContentLength: MAX_BYTES },
    graphError,
  );
  const headersOf = res.headers as Record<string, unknown>;
  return { data: toBuffer(res.data), mimeType: mimeType ?? contentType(headersOf) ?? 'application/octet-stream' };
}
