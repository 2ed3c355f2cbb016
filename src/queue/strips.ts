/**
 * A strip batch's fused strips as stored in its `job_batches.strip` (bytea): what the finish step
 * feeds, in order, to the same vectorizer and change rasters as a single-process run, so the
 * strips must come back bit for bit. Layout before compression: a 4-byte little-endian length,
 * a JSON header (the batch's tally and stage times, each strip's first row and size), then each
 * strip's arrays in `fields` order, raw (typed arrays in the machine's byte order: little-endian
 * on every platform Node runs zhiwei on). Compressed with zlib's deflate at its fastest level,
 * which runs off the main thread (most bytes are heights and NaN-filled rows, which shrink well).
 */
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw, constants } from 'node:zlib';
import type { ChangeStrip } from '../pipeline/types.js';

/** What a batch counted besides its strips. */
export interface BatchTally {
  tilesInferred: number;
  /** Stage times of the batch (read+align, infer, height change, fuse). */
  stagesMs: Record<string, number>;
}

/** The arrays of a strip, in the order they are stored, with their element type. */
const fields = [
  ['change', Uint8Array],
  ['heightChange', Float32Array],
  ['heightBefore', Float32Array],
  ['heightAfter', Float32Array],
  ['nearBuilding', Uint8Array],
  ['probability', Float32Array],
  ['roughness', Float32Array],
  ['topSurface', Float32Array],
  ['greenness', Float32Array],
] as const;

interface Header extends BatchTally {
  strips: { y0: number; width: number; height: number }[];
}

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/** A copy of a fused strip, whose arrays the next strip of its run reuses. */
export function copyStrip(strip: ChangeStrip): ChangeStrip {
  const copy: Record<string, unknown> = { ...strip };
  for (const [name] of fields) copy[name] = strip[name].slice();
  return copy as unknown as ChangeStrip;
}

/** A batch's strips and tally as the bytes stored for it. */
export async function encodeStrips(strips: ChangeStrip[], tally: BatchTally): Promise<Buffer> {
  const header: Header = { ...tally, strips: strips.map(({ y0, width, height }) => ({ y0, width, height })) };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const parts: Buffer[] = [length, json];
  for (const strip of strips) {
    for (const [name] of fields) {
      const values = strip[name];
      if (values.length !== strip.width * strip.height) throw new RangeError(`strip at row ${strip.y0}: ${name} has ${values.length} values, expected ${strip.width * strip.height}`);
      parts.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    }
  }
  return deflate(Buffer.concat(parts), { level: constants.Z_BEST_SPEED });
}

/** The strips and tally stored for a batch. */
export async function decodeStrips(stored: Buffer): Promise<{ strips: ChangeStrip[]; tally: BatchTally }> {
  const bytes = await inflate(stored);
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString()) as Header;
  let offset = 4 + headerLength;
  const strips = header.strips.map(({ y0, width, height }) => {
    const strip: Record<string, unknown> = { y0, width, height };
    for (const [name, Type] of fields) {
      const byteLength = width * height * Type.BYTES_PER_ELEMENT;
      if (offset + byteLength > bytes.length) throw new RangeError(`stored strips end at byte ${bytes.length}, before the ${name} of the strip at row ${y0}`);
      // a copy: the stored arrays are not aligned to their element size
      strip[name] = new Type(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + byteLength));
      offset += byteLength;
    }
    return strip as unknown as ChangeStrip;
  });
  return { strips, tally: { tilesInferred: header.tilesInferred, stagesMs: header.stagesMs } };
}
