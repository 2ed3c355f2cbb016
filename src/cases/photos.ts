/**
 * Field photos: only JPEG, PNG and WebP are taken, told apart by their first bytes (never by the
 * name or the type a client claims), and only up to a size limit.
 */
import { BadInputError } from '../errors.js';

/** Largest photo accepted, in bytes. */
export const photoMaxBytes = 10 * 1024 * 1024;

/** Most photos with one transition. */
export const photoMaxCount = 10;

/** Media type of a JPEG, PNG or WebP image from its first bytes; BadInputError for anything else. */
export function photoMediaType(content: Buffer, field: string): string {
  if (content.length >= 3 && content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'image/jpeg';
  if (content.length >= 8 && content.subarray(0, 8).equals(pngSignature)) return 'image/png';
  if (content.length >= 12 && content.toString('latin1', 0, 4) === 'RIFF' && content.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  throw new BadInputError(`${field}: not a JPEG, PNG or WebP image (its first bytes are ${content.subarray(0, 8).toString('hex') || 'missing'})`);
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
