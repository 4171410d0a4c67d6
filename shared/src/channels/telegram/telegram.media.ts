import { z } from 'zod';
import { SendError, type FetchedMedia, type PlatformEndpoints, type TelegramCredentials } from '../channel.port';
import { contentType, platformRequest, toBuffer } from '../common/platform-http';
import { callTelegram, telegramError } from './telegram.api';

// getFile(file_id) → file_path, then GET {api}/file/bot<token>/<file_path> (valid ≥ 1 h).
// Bots can download files up to 20 MB. https://core.telegram.org/bots/api#getfile

const File = z.looseObject({ file_path: z.string().min(1) });
const MAX_BYTES = 20 * 1024 * 1024;

/** Telegram's file server mostly answers application/octet-stream: guess from the extension. */
const MIME_BY_EXT: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  oga: 'audio/ogg',
  ogg: 'audio/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  pdf: 'application/pdf',
  tgs: 'application/x-tgsticker',
};

export async function fetchTelegramMedia(
  credentials: TelegramCredentials,
  endpoints: PlatformEndpoints,
  ref: { providerMediaId: string | null; url: string | null },
): Promise<FetchedMedia> {
  if (!ref.providerMediaId)
    throw new SendError({ code: 'media_not_found', message: 'Telegram media needs a file_id' }, false);
  const file = File.safeParse(await callTelegram(credentials, endpoints, 'getFile', { file_id: ref.providerMediaId }));
  if (!file.success) throw new SendError({ code: 'invalid_response', message: 'getFile returned no file_path' }, false);
  const path = file.data.file_path;
  const res = await platformRequest(
    {
      method: 'GET',
      url: `${endpoints.telegramApiUrl}/file/bot${credentials.botToken}/${path}`,
      responseType: 'arraybuffer',
      maxContentLength: MAX_BYTES,
    },
    (status, data) => telegramError(status, data),
  );
  const fileName = path.split('/').pop() ?? path;
  const ext = fileName.includes('.') ? fileName.split('.').pop()!.toLowerCase() : '';
  const served = contentType(res.headers as Record<string, unknown>);
  const mimeType =
    served && served !== 'application/octet-stream'
      ? served
      : (MIME_BY_EXT[ext] ?? served ?? 'application/octet-stream');
  return { data: toBuffer(res.data), mimeType, fileName };
}
