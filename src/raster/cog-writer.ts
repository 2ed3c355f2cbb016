/**
 * Cloud-Optimized GeoTIFF writer for rasters that arrive as rows, top to bottom (the detect job's
 * strips, `zhiwei cog`'s windows). A COG holds its directories first, then the overviews' tiles,
 * smallest first, then the full-resolution tiles, so no tile can go to its place while rows still
 * arrive: each level's tiles are compressed into a scratch file as soon as a row of them is
 * complete, and each overview is built on the way from the level above it (2 × 2 means that leave
 * out nodata, band by band), one tile row at a time. Memory holds one tile row of each level,
 * whatever the raster's height. `close` writes the directories and copies the tiles into COG
 * order under a temporary name, then renames the file.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { checkLayout, encodeDirectory, encodeHeader, type GeoTiffWriteOptions, type TiffImage } from './geotiff-writer.js';
import { compressTile, type TileMemory } from './tiff-tiles.js';
import { allocateSamples } from './resample.js';

type Samples = Float32Array | Uint8Array;

/** A COG being written row by row. */
export interface CogWriter {
  /** Appends the next rows (`width` pixels of `bandCount` interleaved samples each, nodata as the nodata value) below those written. */
  writeRows(rows: Samples): Promise<void>;
  /** Writes the COG and moves it to its final name. Every row must be written. */
  close(): Promise<void>;
  /** Removes the partial and scratch files. */
  abort(): Promise<void>;
}

/** One resolution of the COG: its tile row being filled, and where its finished tiles lie in the scratch file. */
interface Level extends TiffImage {
  tilesAcross: number;
  rows: Samples;
  /** Rows in `rows`. */
  filled: number;
  /** Rows already cut into tiles. */
  done: number;
}

/** Tiles compressed at once (zlib runs them on the thread pool); more would only hold more memory. */
const concurrentTiles = 8;

/** Opens a COG for row-by-row writing at `path`; overviews leave nodata (when set) out of their means. */
export async function openCogWriter(path: string, options: GeoTiffWriteOptions): Promise<CogWriter> {
  const tileSize = options.tileSize ?? 256;
  checkLayout(path, options, tileSize);
  const { sampleType, bandCount } = options;
  const nodata = options.nodata ?? null;
  // overviews halve the level above until one fits in a tile
  const levels: Level[] = [];
  let factor = 1;
  do {
    const width = Math.ceil(options.width / factor);
    const height = Math.ceil(options.height / factor);
    const tilesAcross = Math.ceil(width / tileSize);
    const tiles = tilesAcross * Math.ceil(height / tileSize);
    const rows = allocateSamples(sampleType, width * tileSize * bandCount) as Samples;
    levels.push({ width, height, overview: factor > 1, tilesAcross, offsets: new Float64Array(tiles), byteCounts: new Float64Array(tiles), rows, filled: 0, done: 0 });
    factor *= 2;
  } while (Math.max(levels[levels.length - 1].width, levels[levels.length - 1].height) > tileSize);
  const scratchPath = `${path}.${process.pid}.tiles`;
  const tempPath = `${path}.${process.pid}.partial`;
  const scratch = await open(scratchPath, 'w+');
  let scratchEnd = 0;
  // the memory of the tiles compressed at once, reused by the next ones (fresh arrays per tile cost
  // more in page faults than the copying)
  const slots = Array.from({ length: concurrentTiles }, () => ({ cropped: allocateSamples(sampleType, tileSize * tileSize * bandCount) as Samples, memory: {} as TileMemory }));

  /** Cuts a level's filled rows into tiles, appends them to the scratch file and passes their means down. */
  async function flush(index: number): Promise<void> {
    const level = levels[index];
    const { width, filled, rows } = level;
    const tileRow = level.done / tileSize;
    const tile = (column: number, slot: number) => {
      const x0 = column * tileSize;
      const tileWidth = Math.min(tileSize, width - x0);
      const data = slots[slot].cropped.subarray(0, tileWidth * filled * bandCount);
      for (let y = 0; y < filled; y++) {
        const from = (y * width + x0) * bandCount;
        data.set(rows.subarray(from, from + tileWidth * bandCount), y * tileWidth * bandCount);
      }
      return compressTile({ width: tileWidth, height: filled, bandCount, data }, tileSize, bandCount, sampleType, nodata ?? 0, slots[slot].memory);
    };
    for (let first = 0; first < level.tilesAcross; first += concurrentTiles) {
      const columns = Array.from({ length: Math.min(concurrentTiles, level.tilesAcross - first) }, (_, i) => first + i);
      const compressed = await Promise.all(columns.map((column, slot) => tile(column, slot)));
      for (const [i, bytes] of compressed.entries()) {
        const at = tileRow * level.tilesAcross + columns[i];
        level.offsets[at] = scratchEnd;
        level.byteCounts[at] = bytes.length;
        await scratch.write(bytes, 0, bytes.length, scratchEnd);
        scratchEnd += bytes.length;
      }
    }
    level.done += filled;
    level.filled = 0;
    if (index + 1 < levels.length) await push(index + 1, halve(rows, width, filled, bandCount, nodata, sampleType));
  }

  /** Copies rows into a level's tile row, flushing it whenever it is full or holds the level's last row. */
  async function push(index: number, rows: Samples): Promise<void> {
    const level = levels[index];
    const rowLength = level.width * bandCount;
    const count = rows.length / rowLength;
    if (!Number.isInteger(count)) throw new RangeError(`${path}: ${rows.length} samples are not whole rows of ${level.width} x ${bandCount} bands`);
    if (level.done + level.filled + count > level.height) throw new RangeError(`${path}: rows past the raster's ${level.height}`);
    for (let taken = 0; taken < count; ) {
      const take = Math.min(count - taken, tileSize - level.filled);
      level.rows.set(rows.subarray(taken * rowLength, (taken + take) * rowLength), level.filled * rowLength);
      level.filled += take;
      taken += take;
      if (level.filled === tileSize || level.done + level.filled === level.height) await flush(index);
    }
  }

  async function close(): Promise<void> {
    try {
      const written = levels[0].done + levels[0].filled;
      if (written < options.height) throw new RangeError(`${path}: ${written} of ${options.height} rows were written`);
      const bigTiff = tiffEnd(levels, options, tileSize, false, scratchEnd) > 2 ** 32 - 1;
      const file = await open(tempPath, 'w');
      try {
        await writeCog(file, scratch, levels, options, tileSize, bigTiff);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tempPath, path);
      await scratch.close();
      await rm(scratchPath, { force: true });
    } catch (err) {
      await abort();
      throw err;
    }
  }

  async function abort(): Promise<void> {
    await closeQuietly(scratch);
    await rm(scratchPath, { force: true });
    await rm(tempPath, { force: true });
  }

  return { writeRows: (rows) => push(0, rows), close, abort };
}

/** The directories' lengths, in file order (full resolution first). */
function directoryLengths(levels: Level[], options: GeoTiffWriteOptions, tileSize: number, bigTiff: boolean): number[] {
  return levels.map((level) => encodeDirectory(options, level, tileSize, bigTiff, 0, 0).length);
}

/** The COG's length: header, directories, tiles (each padded to an even length). */
function tiffEnd(levels: Level[], options: GeoTiffWriteOptions, tileSize: number, bigTiff: boolean, tileBytes: number): number {
  const padding = levels.reduce((sum, level) => sum + level.byteCounts.reduce((n, count) => n + (count & 1), 0), 0);
  return (bigTiff ? 16 : 8) + directoryLengths(levels, options, tileSize, bigTiff).reduce((a, b) => a + b, 0) + tileBytes + padding;
}

/**
 * Writes the COG: header, directories chained from full resolution down, then the tiles from the
 * smallest overview up to full resolution, each level row by row.
 */
async function writeCog(file: FileHandle, scratch: FileHandle, levels: Level[], options: GeoTiffWriteOptions, tileSize: number, bigTiff: boolean): Promise<void> {
  const lengths = directoryLengths(levels, options, tileSize, bigTiff);
  const ifdOffsets: number[] = [];
  let end = bigTiff ? 16 : 8;
  for (const length of lengths) {
    ifdOffsets.push(end);
    end += length;
  }
  const placed = levels.map((level) => ({ ...level, offsets: new Float64Array(level.offsets.length) }));
  for (const level of [...placed].reverse()) {
    for (let i = 0; i < level.offsets.length; i++) {
      level.offsets[i] = end;
      end += level.byteCounts[i] + (level.byteCounts[i] & 1);
    }
  }
  const header = encodeHeader(bigTiff, ifdOffsets[0]);
  await file.write(header, 0, header.length, 0);
  for (const [i, level] of placed.entries()) {
    const ifd = encodeDirectory(options, level, tileSize, bigTiff, ifdOffsets[i], ifdOffsets[i + 1] ?? 0);
    await file.write(ifd, 0, ifd.length, ifdOffsets[i]);
  }
  for (const [index, level] of levels.entries()) {
    for (let i = 0; i < level.offsets.length; i++) {
      const bytes = new Uint8Array(level.byteCounts[i]);
      await scratch.read(bytes, 0, bytes.length, level.offsets[i]);
      await file.write(bytes, 0, bytes.length, placed[index].offsets[i]);
    }
  }
}

/**
 * The 2 × 2 means of `count` rows of `width` pixels, band by band: rows and columns past the edge
 * and nodata are left out; all four missing gives nodata. Probabilities and other bytes are rounded.
 */
function halve(rows: Samples, width: number, count: number, bandCount: number, nodata: number | null, sampleType: GeoTiffWriteOptions['sampleType']): Samples {
  const outWidth = Math.ceil(width / 2);
  const outHeight = Math.ceil(count / 2);
  const out = allocateSamples(sampleType, outWidth * outHeight * bandCount) as Samples;
  const stored = nodata === null ? NaN : Math.fround(nodata);
  const empty = nodata ?? NaN;
  const round = sampleType === 'uint8';
  for (let j = 0; j < outHeight; j++) {
    // the pixels of a 2 x 2 block, in row order; -1 past the last row or column
    const top = 2 * j * width;
    const bottom = 2 * j + 1 < count ? top + width : -1;
    for (let i = 0; i < outWidth; i++) {
      const left = 2 * i;
      const right = left + 1 < width ? left + 1 : -1;
      for (let b = 0; b < bandCount; b++) {
        let sum = 0;
        let n = 0;
        for (let k = 0; k < 4; k++) {
          const row = k < 2 ? top : bottom;
          const column = k % 2 === 0 ? left : right;
          if (row < 0 || column < 0) continue;
          const value = rows[(row + column) * bandCount + b];
          if (value !== value || value === nodata || value === stored) continue;
          sum += value;
          n++;
        }
        out[(j * outWidth + i) * bandCount + b] = n === 0 ? empty : round ? Math.round(sum / n) : sum / n;
      }
    }
  }
  return out;
}

async function closeQuietly(file: FileHandle): Promise<void> {
  try {
    await file.close();
  } catch {
    // already closed
  }
}
