/**
 * A cap on what an uploaded zip inflates to. A few MB of zip can hold GBs of zeros (a 4.7 MB zip
 * once held a 4.5 GiB .dbf): before the import reads it, every entry its central directory lists
 * (the entries the import reads) is inflated by zlib on the libuv thread pool, never on the request
 * thread, and zlib stops as soon as the entries together pass the cap. Refused with 413 naming the
 * cap, whether the sizes the zip declares or the bytes it really inflates to pass it.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { BadInputError } from '../../../../../errors.js';

/** Most bytes the entries of an uploaded zip may inflate to, together. */
export const zipMaxInflatedBytes = 200 * 1024 * 1024;

const inflateRawAsync = promisify(inflateRaw);

/** One entry of a zip's central directory. */
interface ZipEntry {
  name: string;
  compression: number;
  compressedBytes: number;
  declaredBytes: number;
  /** Where its data starts, past its local header. */
  dataOffset: number;
}

/** Refuses the zip at `path` (shown as `name`) with 413 when its entries inflate past the cap; BadInputError when it is not a zip that can be read. */
export async function checkZipInflatedSize(path: string, name: string): Promise<void> {
  const zip = await readFile(path);
  const entries = centralDirectory(zip, name);
  const declared = entries.reduce((sum, entry) => sum + entry.declaredBytes, 0);
  if (declared > zipMaxInflatedBytes) throw tooLarge(`${name} declares ${megabytes(declared)} MB inflated; a zipped layer may inflate to ${megabytes(zipMaxInflatedBytes)} MB at most`);
  let inflated = 0;
  for (const entry of entries) {
    const data = zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedBytes);
    if (entry.compression === 0) inflated += data.length;
    else if (entry.compression === 8) inflated += await inflateWithin(data, zipMaxInflatedBytes - inflated, name, entry.name);
    else throw new BadInputError(`${name}: ${entry.name} is compressed with method ${entry.compression}; only stored and deflated entries are read`, 'zip it again with a standard zip tool', 'file');
    if (inflated > zipMaxInflatedBytes) throw tooLarge(pastCap(name, entry.name));
  }
}

/** Bytes `data` inflates to, stopping with 413 past `room`. */
async function inflateWithin(data: Buffer, room: number, name: string, entryName: string): Promise<number> {
  try {
    return (await inflateRawAsync(data, { maxOutputLength: Math.max(room, 1) })).length;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(pastCap(name, entryName));
    throw new BadInputError(`${name}: not a readable zip file (${entryName}: ${(err as Error).message})`, undefined, 'file');
  }
}

/** The entries of a zip's central directory. ZIP64 archives (for entries of 4 GB or more) are refused. */
function centralDirectory(zip: Buffer, name: string): ZipEntry[] {
  const unreadable = (why: string) => new BadInputError(`${name}: not a readable zip file (${why})`, undefined, 'file');
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) {
    if (zip.length - end > 65557) throw unreadable('no end of central directory');
    end--;
  }
  if (end < 0) throw unreadable('no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || offset === 0xffffffff) throw tooLarge(zip64(name));
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (offset + 46 > zip.length || zip.readUInt32LE(offset) !== 0x02014b50) throw unreadable(`central directory entry ${i + 1} is cut short`);
    const nameBytes = zip.readUInt16LE(offset + 28);
    const entry = {
      name: zip.toString('utf8', offset + 46, offset + 46 + nameBytes),
      compression: zip.readUInt16LE(offset + 10),
      compressedBytes: zip.readUInt32LE(offset + 20),
      declaredBytes: zip.readUInt32LE(offset + 24),
      localHeader: zip.readUInt32LE(offset + 42),
    };
    if ([entry.compressedBytes, entry.declaredBytes, entry.localHeader].includes(0xffffffff)) throw tooLarge(zip64(name));
    const local = entry.localHeader;
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) throw unreadable(`${entry.name} has no local header`);
    const dataOffset = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    if (dataOffset + entry.compressedBytes > zip.length) throw unreadable(`${entry.name} is cut short`);
    entries.push({ name: entry.name, compression: entry.compression, compressedBytes: entry.compressedBytes, declaredBytes: entry.declaredBytes, dataOffset });
    offset += 46 + nameBytes + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  return entries;
}

function pastCap(name: string, entryName: string): string {
  return `${name} inflates to more than ${megabytes(zipMaxInflatedBytes)} MB (stopped in ${entryName}), the most a zipped layer may inflate to`;
}

function zip64(name: string): string {
  return `${name} is a ZIP64 archive, made for entries of 4 GB or more; a zipped layer may inflate to ${megabytes(zipMaxInflatedBytes)} MB at most`;
}

/** An error the problem handler answers with 413 and `file: <message>`. */
function tooLarge(message: string): Error {
  return Object.assign(new Error(`file: ${message}`), { statusCode: 413 });
}

function megabytes(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}
