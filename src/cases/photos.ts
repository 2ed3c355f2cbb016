/**
 * Field photos: only JPEG, PNG and WebP are taken, told apart by their first bytes (never by the
 * name or the type a client claims), only if they decode whole as an image, and only up to a size
 * limit.
 */
import sharp from 'sharp';
import { BadInputError } from '../errors.js';

/** Largest photo accepted, in bytes. */
export const photoMaxBytes = 10 * 1024 * 1024;

/** Most photos with one transition. */
export const photoMaxCount = 10;

/** Media type of a JPEG, PNG or WebP image that decodes; BadInputError naming `field` for anything else. */
export async function photoMediaType(content: Buffer, field: string): Promise<string> {
  const mediaType = mediaTypeByFirstBytes(content, field);
  try {
    // Decoding to a thumbnail reads the whole image (a JPEG header followed by garbage fails here)
    // without holding its full-size pixels; sharp decodes off the request thread.
    await sharp(content, { failOn: 'truncated' }).resize(64, 64, { fit: 'inside', withoutEnlargement: true }).raw().toBuffer();
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    throw new BadInputError(`${field}: starts like a ${mediaType.slice(6).toUpperCase()} image but does not decode as one (${reason})`, 'send the photo file as the camera saved it', field);
  }
  return mediaType;
}

function mediaTypeByFirstBytes(content: Buffer, field: string): string {
  if (content.length >= 3 && content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'image/jpeg';
  if (content.length >= 8 && content.subarray(0, 8).equals(pngSignature)) return 'image/png';
  if (content.length >= 12 && content.toString('latin1', 0, 4) === 'RIFF' && content.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  throw new BadInputError(`${field}: not a JPEG, PNG or WebP image (its first bytes are ${content.subarray(0, 8).toString('hex') || 'missing'})`, undefined, field);
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
