/**
 * Decoded TIFF blocks (tiles, or strips) kept for the windows that read them again. A detect job
 * reads the same source pixels several times: the rows a row of model tiles shares with the next,
 * each DSM in the height offset pass and again strip by strip, and each candidate's evidence
 * chips just above the rows being read. Without the cache every such read decodes its blocks
 * again (bench/README.md, "Decoded blocks").
 */
import { allocateSamples, type LevelReader, type LevelSize } from './resample.js';
import type { PixelWindow, SampleArray, SampleType } from './types.js';

/** One resolution level's size and its TIFF block size (a strip is a block as wide as the level). */
export interface BlockLayout extends LevelSize {
  blockWidth: number;
  blockHeight: number;
}

/** Pixels decoded together: a box of whole blocks of one level of one source, every band. */
interface Chunk {
  box: PixelWindow;
  /** Its source's blocks, and the ones it was decoded for (others in its box may be in other chunks). */
  blocks: Map<string, Chunk>;
  keys: string[];
  pixels: Promise<SampleArray>;
  bytes: number;
}

/** Decoded blocks of any number of sources, the `capacity` bytes used last. */
export interface BlockCache {
  capacity: number;
  /** Least recently used first. */
  chunks: Set<Chunk>;
  bytes: number;
}

/** An empty cache of `capacity` bytes. */
export function blockCache(capacity: number): BlockCache {
  return { capacity, chunks: new Set(), bytes: 0 };
}

/**
 * The cache every GeoTIFF source of the process reads through, so that memory stays bounded
 * however many are open (the service keeps dozens): a few rows of blocks of a wide orthophoto
 * and more besides.
 */
export const sharedBlockCache = blockCache(128 * 1024 * 1024);

function drop(cache: BlockCache, chunk: Chunk): void {
  if (!cache.chunks.delete(chunk)) return;
  cache.bytes -= chunk.bytes;
  for (const key of chunk.keys) if (chunk.blocks.get(key) === chunk) chunk.blocks.delete(key);
}

/**
 * `read` (one source's levels, laid out in `layouts`) behind `cache`. A window's blocks missing
 * from it are decoded together (the box around them, one call of `read`, every band) into one
 * chunk, kept and dropped whole; the window's pixels are copied out of the chunks holding its
 * blocks. Two reads at once share a chunk being decoded. `clear` drops the source's chunks (when
 * it is closed).
 */
export function cachedBlocks(read: LevelReader, layouts: BlockLayout[], bandCount: number, sampleType: SampleType, cache = sharedBlockCache): { read: LevelReader; clear(): void } {
  const allBands = Array.from({ length: bandCount }, (_, i) => i);
  const pixelBytes = bandCount * allocateSamples(sampleType, 0).BYTES_PER_ELEMENT;
  // the chunk holding each cached block of this source, by `level:column:row`
  const blocks = new Map<string, Chunk>();

  /** Decodes the `missing` blocks of a level together into a chunk, cached. */
  const decode = (level: number, layout: BlockLayout, missing: [number, number][]): Chunk => {
    const columns = missing.map(([bx]) => bx);
    const rows = missing.map(([, by]) => by);
    const x = Math.min(...columns) * layout.blockWidth;
    const y = Math.min(...rows) * layout.blockHeight;
    const width = Math.min((Math.max(...columns) + 1) * layout.blockWidth, layout.width) - x;
    const height = Math.min((Math.max(...rows) + 1) * layout.blockHeight, layout.height) - y;
    const keys = missing.map(([bx, by]) => `${level}:${bx}:${by}`);
    const bytes = width * height * pixelBytes;
    const chunk: Chunk = { box: { x, y, width, height }, blocks, keys, pixels: read(level, { x, y, width, height }, allBands), bytes };
    // blocks that failed to decode are decoded again by the next read, which fails with its own reason
    chunk.pixels.catch(() => drop(cache, chunk));
    for (const key of keys) blocks.set(key, chunk);
    cache.chunks.add(chunk);
    cache.bytes += bytes;
    for (const old of cache.chunks) {
      if (cache.bytes <= cache.capacity) break;
      drop(cache, old);
    }
    return chunk;
  };

  // a file in one strip, or in strips or tiles of many megabytes, is read window by window as
  // before: whole blocks of it would be decoded for every window and crowd out everything else
  const cacheable = layouts.map(({ blockWidth, blockHeight }) => blockWidth * blockHeight * pixelBytes <= cache.capacity / 8);

  const cachedRead: LevelReader = async (level, window, bands) => {
    if (!cacheable[level]) return read(level, window, bands);
    const layout = layouts[level];
    const bx0 = Math.floor(window.x / layout.blockWidth);
    const by0 = Math.floor(window.y / layout.blockHeight);
    const bx1 = Math.floor((window.x + window.width - 1) / layout.blockWidth);
    const by1 = Math.floor((window.y + window.height - 1) / layout.blockHeight);
    // the window's chunks, held here: decoding the missing blocks may evict cached ones of a large window
    const holding = new Set<Chunk>();
    const missing: [number, number][] = [];
    for (let by = by0; by <= by1; by++) {
      for (let bx = bx0; bx <= bx1; bx++) {
        const chunk = blocks.get(`${level}:${bx}:${by}`);
        if (chunk) holding.add(chunk);
        else missing.push([bx, by]);
      }
    }
    for (const chunk of holding) {
      // now the most recently used: last in the set's order
      cache.chunks.delete(chunk);
      cache.chunks.add(chunk);
    }
    if (missing.length > 0) holding.add(decode(level, layout, missing));
    const out = allocateSamples(sampleType, window.width * window.height * bands.length);
    // chunks may overlap (a box decoded again around a cached block): their pixels there are the same
    for (const chunk of holding) paste(await chunk.pixels, chunk.box, window, out, bands, bandCount);
    return out;
  };
  return {
    read: cachedRead,
    clear: () => {
      for (const chunk of new Set(blocks.values())) drop(cache, chunk);
    },
  };
}

/** Copies the part of `pixels` (over `box`, every band) inside `window` into `out` (the window's pixels, `bands` of each). */
function paste(pixels: SampleArray, box: PixelWindow, window: PixelWindow, out: SampleArray, bands: number[], bandCount: number): void {
  const x0 = Math.max(box.x, window.x);
  const x1 = Math.min(box.x + box.width, window.x + window.width);
  const y0 = Math.max(box.y, window.y);
  const y1 = Math.min(box.y + box.height, window.y + window.height);
  const every = bands.length === bandCount && bands.every((band, i) => band === i);
  const n = bands.length;
  for (let y = y0; y < y1; y++) {
    const from = ((y - box.y) * box.width + x0 - box.x) * bandCount;
    const to = ((y - window.y) * window.width + x0 - window.x) * n;
    if (every) {
      out.set(pixels.subarray(from, from + (x1 - x0) * bandCount), to);
      continue;
    }
    for (let p = 0; p < x1 - x0; p++) {
      for (let b = 0; b < n; b++) out[to + p * n + b] = pixels[from + p * bandCount + bands[b]];
    }
  }
}
