import { SendError, type FetchedMedia, type MessengerCredentials, type PlatformEndpoints } from '../channel.port';
import { contentType, platformRequest, toBuffer } from '../common/platform-http';
import { graphError } from '../meta/graph.errors';

// Messenger attachments come as signed, expiring CDN URLs (attachments[].payload.url): a plain
// GET, no token. Fetch promptly.
// https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages

/** Messenger's attachment limit is 25 MB. */
const MAX_BYTES = 25 * 1024 * 1024;

export async function fetchMessengerMedia(
  _credentials: MessengerCredentials,
  _endpoints: PlatformEndpoints,
  ref: { providerMediaId: string | null; url: string | null },
): Promise<FetchedMedia> {
  if (!ref.url)
    throw new SendError({ code: 'media_not_found', message: 'Messenger media needs its attachment url' }, false);
  const res = await platformRequest(
    { method: 'GET', url: ref.url, responseType: 'arraybuffer', maxContentLength: MAX_BYTES },
    graphError,
  );
  const fileName = fileNameFromUrl(ref.url);
  return {
    data: toBuffer(res.data),
    mimeType: contentType(res.headers as Record<string, unknown>) ?? 'application/octet-stream',
    ...(fileName ? { fileName } : {}),
  };
}

function fileNameFromUrl(url: string): string | undefined {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : undefined;
  } catch {
    return undefined;
  }
}
