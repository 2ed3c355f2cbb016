/**
 * GeoTIFF / Cloud-Optimized GeoTIFF as a `RasterSource`. Headers and georeferencing come from
 * geotiff.js (local file, or HTTP range requests for a COG); pixels are decoded by libvips through
 * sharp for local RGB(A) orthophotos and float32 DSMs, by geotiff.js otherwise (see `pickDecoder`).
 * Only the tiles or strips a window touches are read, from the overview that suits the requested
 * output size, and decoded blocks are kept for the next window (`block-cache.ts`). Heights stored
 * in feet are read as metres.
 */
import { open } from 'node:fs/promises';
import { fromFile, fromUrl, type BlockedSourceOptions, type GeoTIFF, type GeoTIFFImage, type RemoteSourceOptions } from 'geotiff';
import sharp from 'sharp';
import { BadInputError, NotFoundError, ZhiweiError } from '../errors.js';
import { cachedBlocks } from './block-cache.js';
import { readRasterInfo } from './geotiff-info.js';
import { checkRangeRequests, checkTiledForHttp, isRasterUrl } from './http-source.js';
import { readWindowFrom, type LevelReader, type LevelSize } from './resample.js';
import type { RasterInfo, RasterSource, SampleArray } from './types.js';

/** Which library decodes the pixels: `auto` picks the faster one for the file's format. */
export type TiffDecoder = 'auto' | 'geotiff' | 'sharp';

/** Options of `openGeoTiff`. */
export interface OpenGeoTiffOptions {
  decoder?: TiffDecoder;
}

// libvips' operation cache keys loads by file name: a file rewritten in place would read stale,
// and bench/raster-read.ts ran faster without it. This is process-wide.
sharp.cache(false);

const COMPRESSION_JPEG = 7;
const PHOTOMETRIC_YCBCR = 6;

/** One resolution level: image index in the file (IFD number) and its geotiff.js image. */
interface Level {
  index: number;
  image: GeoTIFFImage;
}

/** What the first IFD and the overview IFDs say, everything needed before reading pixels. */
interface Header {
  info: RasterInfo;
  levels: Level[];
  ycbcr: boolean;
  interleaved: boolean;
  compression: number;
}

/** Opens a GeoTIFF file path or http(s) URL (COG) for windowed reading. */
export async function openGeoTiff(pathOrUrl: string, options: OpenGeoTiffOptions = {}): Promise<RasterSource> {
  const remote = isRasterUrl(pathOrUrl);
  if (remote) await checkRangeRequests(pathOrUrl);
  const tiff = await openTiff(pathOrUrl, remote);
  let header: Header;
  try {
    header = await readHeader(tiff, pathOrUrl, remote);
  } catch (err) {
    await tiff.close();
    if (err instanceof ZhiweiError) throw err;
    throw new BadInputError(`${pathOrUrl} is not a readable TIFF: ${messageOf(err)}`);
  }
  const { info, levels, ycbcr } = header;
  const decoder = pickDecoder(options.decoder ?? 'auto', header, remote, pathOrUrl);
  const sizes: LevelSize[] = levels.map(({ image }) => ({ width: image.getWidth(), height: image.getHeight() }));
  const layouts = levels.map(({ image }, level) => ({ ...sizes[level], blockWidth: image.getTileWidth(), blockHeight: image.getTileHeight() }));
  const reader = decoder === 'sharp' ? sharpReader(pathOrUrl, levels, info) : geotiffReader(levels, ycbcr);
  const decoded = cachedBlocks(reader, layouts, info.bandCount, info.sampleType);
  const read = info.heightUnit ? inMetres(decoded.read, info.heightUnit.metres, info.nodata) : decoded.read;
  return {
    name: pathOrUrl,
    info,
    readWindow: (window, readOptions) => readWindowFrom(info, sizes, withFileName(read, pathOrUrl), window, readOptions),
    close: async () => {
      decoded.clear();
      await tiff.close();
    },
  };
}

async function readHeader(tiff: GeoTIFF, name: string, remote: boolean): Promise<Header> {
  const first = await tiff.getImage(0);
  if (remote) checkTiledForHttp(first, name);
  const info = await readRasterInfo(first, name);
  const levels = [{ index: 0, image: first }, ...(await findOverviews(tiff, first))];
  const ycbcr = await checkPhotometric(first, name);
  const fd = first.getFileDirectory();
  const interleaved = Number((await fd.loadValue('PlanarConfiguration')) ?? 1) === 1;
  const compression = Number((await fd.loadValue('Compression')) ?? 1);
  return { info, levels, ycbcr, interleaved, compression };
}

/** TIFF compressions each library decodes (libvips in sharp lacks ZSTD and LERC; geotiff.js has no WebP in Node). */
const compressions = {
  geotiff: new Set([1, 5, 7, 8, 32946, 32773, 34887, 50000]),
  sharp: new Set([1, 5, 7, 8, 32946, 32773, 50001]),
};

/**
 * sharp (libvips: native code, off the main thread) for local 8-bit RGB/RGBA and float32
 * single-band files, where bench/raster-read.ts measured it 5-15x faster than geotiff.js;
 * geotiff.js for the rest: URLs (range requests), band-interleaved files (libvips refuses tiled
 * ones), other sample types, ZSTD and LERC.
 */
function pickDecoder(wanted: TiffDecoder, header: Header, remote: boolean, name: string): 'geotiff' | 'sharp' {
  const { info, compression, interleaved } = header;
  const rgb = info.sampleType === 'uint8' && (info.bandCount === 3 || info.bandCount === 4);
  const heights = info.sampleType === 'float32' && info.bandCount === 1;
  const sharpCan = !remote && interleaved && (rgb || heights) && compressions.sharp.has(compression);
  const choice = wanted === 'auto' ? (sharpCan ? 'sharp' : 'geotiff') : wanted;
  if (choice === 'sharp' ? sharpCan : compressions.geotiff.has(compression)) return choice;
  const layout = `${info.bandCount} x ${info.sampleType}, ${interleaved ? 'pixel' : 'band'}-interleaved, compression ${compression}`;
  throw new BadInputError(
    `${name}: the ${choice} decoder cannot read this file (${layout}${remote ? ', over HTTP' : ''})`,
    'rewrite it with gdal_translate -co TILED=YES -co COMPRESS=DEFLATE',
  );
}

/**
 * Remote files are fetched in 64 KiB blocks, the last 256 (16 MiB) kept: without a block cache
 * geotiff.js fetches a tile again for every window that touches it, and the detect job reads each
 * DSM window several times (offset, co-registration, strips, evidence).
 */
// fromUrl passes these on to its BlockedSource, though its declared type leaves them out
const remoteBlocks: RemoteSourceOptions & BlockedSourceOptions = { blockSize: 65536, cacheSize: 256 };

async function openTiff(pathOrUrl: string, remote: boolean): Promise<GeoTIFF> {
  try {
    if (!remote) await checkDirectoryInFile(pathOrUrl);
    return remote ? await fromUrl(pathOrUrl, remoteBlocks) : await fromFile(pathOrUrl);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`raster ${pathOrUrl} does not exist`);
    }
    if (err instanceof ZhiweiError) throw err;
    throw new BadInputError(`${pathOrUrl} is not a readable TIFF: ${messageOf(err)}`);
  }
}

/**
 * A truncated copy (an interrupted transfer or export) loses its directory when, as GDAL and
 * zhiwei may write it, the directory follows the pixels; geotiff.js would then read garbage.
 */
async function checkDirectoryInFile(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const { buffer } = await file.read(Buffer.alloc(16), 0, 16, 0);
    const order = buffer.toString('latin1', 0, 2);
    if (order !== 'II' && order !== 'MM') return; // not a TIFF: geotiff.js says so
    const little = order === 'II';
    const bigTiff = (little ? buffer.readUInt16LE(2) : buffer.readUInt16BE(2)) === 43;
    const offset = bigTiff
      ? Number(little ? buffer.readBigUInt64LE(8) : buffer.readBigUInt64BE(8))
      : little ? buffer.readUInt32LE(4) : buffer.readUInt32BE(4);
    if (offset >= size) {
      throw new BadInputError(
        `${path} is truncated or corrupt: its image directory at byte ${offset} lies past the end of the file (${size} bytes)`,
        'the copy or export did not finish: copy or export the file again',
      );
    }
  } finally {
    await file.close();
  }
}

/** Reduced-resolution images (overviews) with the same bands, finest first; masks are skipped. */
async function findOverviews(tiff: GeoTIFF, first: GeoTIFFImage): Promise<Level[]> {
  const count = await tiff.getImageCount();
  const overviews: Level[] = [];
  for (let index = 1; index < count; index++) {
    const image = await tiff.getImage(index);
    const subfileType = Number(image.getFileDirectory().getValue('NewSubfileType') ?? 0);
    const isReduced = (subfileType & 1) === 1 && (subfileType & 4) === 0;
    if (isReduced && image.getSamplesPerPixel() === first.getSamplesPerPixel() && image.getWidth() < first.getWidth()) {
      overviews.push({ index, image });
    }
  }
  return overviews.sort((a, b) => b.image.getWidth() - a.image.getWidth());
}

/** True when pixels are JPEG-compressed YCbCr (converted to RGB after decoding). */
async function checkPhotometric(image: GeoTIFFImage, name: string): Promise<boolean> {
  const fd = image.getFileDirectory();
  if (Number(await fd.loadValue('PhotometricInterpretation')) !== PHOTOMETRIC_YCBCR) return false;
  if (Number(await fd.loadValue('Compression')) !== COMPRESSION_JPEG || image.getSamplesPerPixel() !== 3) {
    throw new BadInputError(
      `${name} stores YCbCr pixels without JPEG compression, which zhiwei cannot read`,
      'rewrite it with gdal_translate -co COMPRESS=DEFLATE (or COMPRESS=JPEG -co PHOTOMETRIC=YCBCR)',
    );
  }
  return true;
}

/**
 * Reads windows with geotiff.js on the main thread. Its worker `Pool` was slower on the bench
 * (the per-sample copy into the output stays on the main thread), so it is not used.
 */
function geotiffReader(levels: Level[], ycbcr: boolean): LevelReader {
  return async (level, window, bands) => {
    const { image } = levels[level];
    const samples = ycbcr ? [0, 1, 2] : [...bands];
    const raster = (await image.readRasters({
      window: [window.x, window.y, window.x + window.width, window.y + window.height],
      samples,
      interleave: true,
    })) as unknown as SampleArray;
    // A plain view, without the width/height properties geotiff.js adds to the array.
    type ViewConstructor = new (buffer: ArrayBufferLike, offset: number, length: number) => SampleArray;
    const pixels = new (raster.constructor as ViewConstructor)(raster.buffer, raster.byteOffset, raster.length);
    if (!ycbcr) return pixels;
    ycbcrToRgb(pixels as Uint8Array);
    return selectBands(pixels, 3, bands);
  };
}

/** Reads windows with sharp (libvips): only the tiles or strips the window touches are decoded. */
function sharpReader(path: string, levels: Level[], info: RasterInfo): LevelReader {
  const float = info.sampleType === 'float32';
  return async (level, window, bands) => {
    const input = sharp(path, { page: levels[level].index, limitInputPixels: false, ignoreIcc: true })
      .extract({ left: window.x, top: window.y, width: window.width, height: window.height });
    // Without 'b-w', libvips would turn one band into three 8-bit sRGB bands.
    const output = float ? input.toColourspace('b-w').raw({ depth: 'float' }) : input.raw();
    const { data, info: out } = await output.toBuffer({ resolveWithObject: true });
    if (out.channels !== info.bandCount) {
      throw new BadInputError(`${path}: libvips returned ${out.channels} bands, expected ${info.bandCount}`);
    }
    const bytes = data.byteOffset % 4 === 0 ? data : new Uint8Array(data); // Float32Array needs alignment
    const pixels = float
      ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    return selectBands(pixels, info.bandCount, bands);
  };
}

/** Heights read in another unit, multiplied into metres; nodata stays as it is. */
function inMetres(read: LevelReader, metres: number, nodata: number | null): LevelReader {
  const stored = nodata === null ? NaN : Math.fround(nodata);
  return async (level, window, bands) => {
    const heights = await read(level, window, bands);
    for (let i = 0; i < heights.length; i++) {
      const value = heights[i];
      if (value !== nodata && value !== stored) heights[i] = value * metres;
    }
    return heights;
  };
}

/** Keeps `bands` of pixel-interleaved `pixels` with `bandCount` bands. */
function selectBands(pixels: SampleArray, bandCount: number, bands: number[]): SampleArray {
  if (bands.length === bandCount && bands.every((band, i) => band === i)) return pixels;
  const n = pixels.length / bandCount;
  const out = new (pixels.constructor as new (length: number) => SampleArray)(n * bands.length);
  for (let p = 0, o = 0; p < n; p++) {
    for (const band of bands) out[o++] = pixels[p * bandCount + band];
  }
  return out;
}

/** JPEG's (JFIF) YCbCr → RGB, in place, rounded and clamped like libjpeg. */
function ycbcrToRgb(pixels: Uint8Array): void {
  for (let i = 0; i < pixels.length; i += 3) {
    const y = pixels[i];
    const cb = pixels[i + 1] - 128;
    const cr = pixels[i + 2] - 128;
    // A Uint8Array store wraps around (256 → 0), so clamp first.
    pixels[i] = clampByte(y + 1.402 * cr);
    pixels[i + 1] = clampByte(y - 0.344136 * cb - 0.714136 * cr);
    pixels[i + 2] = clampByte(y + 1.772 * cb);
  }
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** Wraps decoding failures (corrupt or truncated tiles) in a BadInputError naming the file. */
function withFileName(read: LevelReader, name: string): LevelReader {
  return async (level, window, bands) => {
    try {
      return await read(level, window, bands);
    } catch (err) {
      if (err instanceof BadInputError) throw err;
      const where = `window ${window.width}x${window.height} at (${window.x}, ${window.y})`;
      throw new BadInputError(`${name}: cannot read ${where}${level ? ` of overview ${level}` : ''}: ${messageOf(err)}`);
    }
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
