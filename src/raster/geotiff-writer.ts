/**
 * Streaming GeoTIFF writer: tiled, DEFLATE-compressed, with GeoKeys (EPSG code, and the heights'
 * unit when given), pixel scale and tie point, and GDAL_NODATA. Tiles are compressed and appended as they arrive, in any order, and
 * the directory is written at the end, so memory holds one tile at a time whatever the raster
 * size. The file appears under its name only when complete (temporary path, then rename).
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import type { GeoTransform } from '../geo/geotransform.js';
import type { RasterData } from './types.js';
import { compressTile } from './tiff-tiles.js';

/** Sample types the writer supports: imagery bytes and heights. */
export type WritableSampleType = 'uint8' | 'float32';

/** Layout and georeferencing of a GeoTIFF to write. */
export interface GeoTiffWriteOptions {
  width: number;
  height: number;
  bandCount: number;
  sampleType: WritableSampleType;
  /** EPSG code of the CRS (projected, or geographic 4326/4490). */
  epsg: number;
  /** North-up geotransform (no rotation terms). */
  geoTransform: GeoTransform;
  nodata?: number | null;
  /** VerticalUnitsGeoKey: the EPSG unit code of the heights (9001 metre, 9002 foot, 9003 US survey foot); unset, none is written. */
  verticalUnits?: number;
  /** Tile edge in pixels, a multiple of 16; default 256. */
  tileSize?: number;
  /** Force BigTIFF; by default it is used only when the raster could pass the 4 GiB limit. */
  bigTiff?: boolean;
}

/** An open GeoTIFF being written tile by tile. */
export interface GeoTiffWriter {
  readonly tileSize: number;
  readonly tilesAcross: number;
  readonly tilesDown: number;
  /**
   * Writes tile (column, row): pixel-interleaved samples, `tileSize` square or clipped to the
   * raster edge (then padded with nodata).
   */
  writeTile(column: number, row: number, tile: RasterData): Promise<void>;
  /** Writes the directory and moves the file to its final name. Every tile must be written. */
  close(): Promise<void>;
  /** Removes the partial file. */
  abort(): Promise<void>;
}

const geographicEpsg = new Set([4326, 4490]);

/** Opens a GeoTIFF for tile-by-tile writing at `path` (written to a temporary path until close). */
export async function openGeoTiffWriter(path: string, options: GeoTiffWriteOptions): Promise<GeoTiffWriter> {
  const tileSize = options.tileSize ?? 256;
  checkLayout(path, options, tileSize);
  const { width, height, bandCount, sampleType } = options;
  const tilesAcross = Math.ceil(width / tileSize);
  const tilesDown = Math.ceil(height / tileSize);
  const bytesPerSample = sampleType === 'uint8' ? 1 : 4;
  // Switch to BigTIFF when even incompressible data could pass the 4 GiB offset limit.
  const bigTiff = options.bigTiff ?? width * height * bandCount * bytesPerSample > 3.5 * 2 ** 30;
  const tempPath = `${path}.${process.pid}.partial`;
  const file = await open(tempPath, 'w');
  const offsets = new Float64Array(tilesAcross * tilesDown);
  const byteCounts = new Float64Array(tilesAcross * tilesDown);
  const headerSize = bigTiff ? 16 : 8;
  let end = headerSize;
  await file.write(new Uint8Array(headerSize), 0, headerSize, 0);

  // Tiles compress concurrently but land in the file in call order, so that the same calls
  // always give the same bytes.
  let previousWrite: Promise<void> = Promise.resolve();

  function writeTile(column: number, row: number, tile: RasterData): Promise<void> {
    if (column < 0 || row < 0 || column >= tilesAcross || row >= tilesDown) {
      throw new RangeError(`tile (${column}, ${row}) is outside ${tilesAcross}x${tilesDown} tiles of ${path}`);
    }
    const compressed = compressTile(tile, tileSize, bandCount, sampleType, options.nodata ?? 0);
    const turn = previousWrite;
    const write = (async () => {
      const encoded = await compressed;
      await turn;
      const index = row * tilesAcross + column;
      const position = end;
      end += encoded.length + (encoded.length & 1); // keep word alignment
      offsets[index] = position;
      byteCounts[index] = encoded.length;
      await file.write(encoded, 0, encoded.length, position);
    })();
    previousWrite = write.catch(() => undefined);
    return write;
  }

  async function close(): Promise<void> {
    try {
      const missing = byteCounts.findIndex((count) => count === 0);
      if (missing >= 0) {
        throw new Error(`tile ${missing % tilesAcross},${Math.floor(missing / tilesAcross)} of ${path} was never written`);
      }
      const ifdOffset = end;
      const image = { width, height, overview: false, offsets, byteCounts };
      const ifd = encodeDirectory(options, image, tileSize, bigTiff, ifdOffset, 0);
      await file.write(ifd, 0, ifd.length, ifdOffset);
      await file.write(encodeHeader(bigTiff, ifdOffset), 0, headerSize, 0);
      await file.sync();
      await file.close();
      await rename(tempPath, path);
    } catch (err) {
      await abort();
      throw err;
    }
  }

  async function abort(): Promise<void> {
    await closeQuietly(file);
    await rm(tempPath, { force: true });
  }

  return { tileSize, tilesAcross, tilesDown, writeTile, close, abort };
}

/** Writes a whole in-memory raster as a tiled GeoTIFF (for small rasters and tests). */
export async function writeGeoTiff(path: string, options: GeoTiffWriteOptions, raster: RasterData): Promise<void> {
  if (raster.width !== options.width || raster.height !== options.height || raster.bandCount !== options.bandCount) {
    throw new RangeError(
      `raster is ${raster.width}x${raster.height}x${raster.bandCount}, options say ${options.width}x${options.height}x${options.bandCount}`,
    );
  }
  const writer = await openGeoTiffWriter(path, options);
  try {
    for (let row = 0; row < writer.tilesDown; row++) {
      for (let column = 0; column < writer.tilesAcross; column++) {
        await writer.writeTile(column, row, cropWindow(raster, column * writer.tileSize, row * writer.tileSize, writer.tileSize));
      }
    }
  } catch (err) {
    await writer.abort();
    throw err;
  }
  await writer.close();
}

/** Refuses a layout the writer cannot write, naming the file. */
export function checkLayout(path: string, options: GeoTiffWriteOptions, tileSize: number): void {
  const { width, height, bandCount, sampleType, geoTransform } = options;
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new BadInputError(`${path}: raster size ${width}x${height} must be positive integers`);
  }
  if (tileSize % 16 !== 0 || tileSize <= 0) throw new BadInputError(`${path}: tile size ${tileSize} is not a multiple of 16`);
  if (sampleType === 'uint8' && ![1, 3, 4].includes(bandCount)) {
    throw new BadInputError(`${path}: uint8 GeoTIFFs are written with 1, 3 (RGB) or 4 (RGBA) bands, not ${bandCount}`);
  }
  if (sampleType === 'float32' && bandCount !== 1) {
    throw new BadInputError(`${path}: float32 GeoTIFFs are written single-band, not ${bandCount} bands`);
  }
  if (geoTransform[2] !== 0 || geoTransform[4] !== 0 || geoTransform[1] <= 0 || geoTransform[5] >= 0) {
    throw new BadInputError(`${path}: only north-up geotransforms are written, got [${geoTransform.join(', ')}]`);
  }
}

/** The part of a raster under one tile, clipped at its right and bottom edges. */
function cropWindow(raster: RasterData, x0: number, y0: number, size: number): RasterData {
  const width = Math.min(size, raster.width - x0);
  const height = Math.min(size, raster.height - y0);
  const bands = raster.bandCount;
  const Typed = raster.data.constructor as new (length: number) => RasterData['data'];
  const data = new Typed(width * height * bands);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * raster.width + x0) * bands;
    data.set(raster.data.subarray(from, from + width * bands), y * width * bands);
  }
  return { width, height, bandCount: bands, data };
}

interface Tag {
  code: number;
  type: 2 | 3 | 4 | 12 | 16; // ASCII, SHORT, LONG, DOUBLE, LONG8
  values: ArrayLike<number> | string;
}

const typeSize = { 2: 1, 3: 2, 4: 4, 12: 8, 16: 8 } as const;

/**
 * One image of a TIFF file: the raster itself, or a reduced-resolution copy of it (an overview,
 * which carries no georeferencing of its own), with where its tiles lie in the file.
 */
export interface TiffImage {
  width: number;
  height: number;
  overview: boolean;
  offsets: Float64Array;
  byteCounts: Float64Array;
}

function directoryTags(options: GeoTiffWriteOptions, image: TiffImage, tileSize: number, bigTiff: boolean): Tag[] {
  const { bandCount, sampleType, epsg, geoTransform, nodata, verticalUnits } = options;
  const { width, height, offsets, byteCounts } = image;
  const perBand = (value: number) => new Array<number>(bandCount).fill(value);
  const uint8 = sampleType === 'uint8';
  const geographic = geographicEpsg.has(epsg);
  // GeoKeyDirectory: version 1.1.0 and the number of keys, then (key, location, count, value):
  // model type, raster type PixelIsArea, the EPSG code of the CRS, and the heights' unit if given.
  const keys = [1024, 0, 1, geographic ? 2 : 1, 1025, 0, 1, 1, geographic ? 2048 : 3072, 0, 1, epsg];
  if (verticalUnits !== undefined) keys.push(4099, 0, 1, verticalUnits);
  const geoKeys = [1, 1, 0, keys.length / 4, ...keys];
  const tags: Tag[] = [
    { code: 256, type: 4, values: [width] },
    { code: 257, type: 4, values: [height] },
    { code: 258, type: 3, values: perBand(uint8 ? 8 : 32) },
    { code: 259, type: 3, values: [8] },
    { code: 262, type: 3, values: [bandCount >= 3 ? 2 : 1] },
    { code: 277, type: 3, values: [bandCount] },
    { code: 284, type: 3, values: [1] },
    { code: 317, type: 3, values: [uint8 ? 2 : 3] },
    { code: 322, type: 3, values: [tileSize] },
    { code: 323, type: 3, values: [tileSize] },
    { code: 324, type: bigTiff ? 16 : 4, values: offsets },
    { code: 325, type: bigTiff ? 16 : 4, values: byteCounts },
    { code: 339, type: 3, values: perBand(uint8 ? 1 : 3) },
  ];
  if (image.overview) {
    tags.push({ code: 254, type: 4, values: [1] }); // NewSubfileType: reduced resolution
  } else {
    tags.push(
      { code: 33550, type: 12, values: [geoTransform[1], -geoTransform[5], 0] },
      { code: 33922, type: 12, values: [0, 0, 0, geoTransform[0], geoTransform[3], 0] },
      { code: 34735, type: 3, values: geoKeys },
    );
  }
  if (bandCount === 4) tags.push({ code: 338, type: 3, values: [2] }); // unassociated alpha
  if (nodata !== undefined && nodata !== null) tags.push({ code: 42113, type: 2, values: `${nodata}\0` });
  return tags.sort((a, b) => a.code - b.code);
}

/** The TIFF header, pointing at the first directory. */
export function encodeHeader(bigTiff: boolean, ifdOffset: number): Uint8Array {
  const header = new DataView(new ArrayBuffer(bigTiff ? 16 : 8));
  header.setUint16(0, 0x4949); // "II": little-endian
  if (bigTiff) {
    header.setUint16(2, 43, true);
    header.setUint16(4, 8, true);
    header.setBigUint64(8, BigInt(ifdOffset), true);
  } else {
    header.setUint16(2, 42, true);
    header.setUint32(4, ifdOffset, true);
  }
  return new Uint8Array(header.buffer);
}

/**
 * The image file directory of `image` at `ifdOffset`, followed by the tag values that do not fit
 * in their entries, pointing at the next directory (0: none). Its length depends only on the
 * layout, not on the offsets.
 */
export function encodeDirectory(
  options: GeoTiffWriteOptions,
  image: TiffImage,
  tileSize: number,
  bigTiff: boolean,
  ifdOffset: number,
  nextIfdOffset: number,
): Uint8Array {
  const tags = directoryTags(options, image, tileSize, bigTiff);
  const entrySize = bigTiff ? 20 : 12;
  const inlineSize = bigTiff ? 8 : 4;
  const countSize = bigTiff ? 8 : 2;
  const ifdSize = countSize + tags.length * entrySize + inlineSize;
  const valueSizes = tags.map((tag) => tag.values.length * typeSize[tag.type]);
  const extraSize = valueSizes.reduce((sum, size) => sum + (size > inlineSize ? size + (size & 1) : 0), 0);
  const view = new DataView(new ArrayBuffer(ifdSize + extraSize));
  let extra = ifdSize;
  if (bigTiff) view.setBigUint64(0, BigInt(tags.length), true);
  else view.setUint16(0, tags.length, true);
  tags.forEach((tag, i) => {
    const entry = countSize + i * entrySize;
    view.setUint16(entry, tag.code, true);
    view.setUint16(entry + 2, tag.type, true);
    if (bigTiff) view.setBigUint64(entry + 4, BigInt(tag.values.length), true);
    else view.setUint32(entry + 4, tag.values.length, true);
    const valueField = entry + (bigTiff ? 12 : 8);
    let at = valueField;
    if (valueSizes[i] > inlineSize) {
      at = extra;
      extra += valueSizes[i] + (valueSizes[i] & 1);
      if (bigTiff) view.setBigUint64(valueField, BigInt(ifdOffset + at), true);
      else view.setUint32(valueField, ifdOffset + at, true);
    }
    writeValues(view, at, tag);
  });
  const next = countSize + tags.length * entrySize;
  if (bigTiff) view.setBigUint64(next, BigInt(nextIfdOffset), true);
  else view.setUint32(next, nextIfdOffset, true);
  return new Uint8Array(view.buffer);
}

function writeValues(view: DataView, at: number, tag: Tag): void {
  const size = typeSize[tag.type];
  for (let i = 0; i < tag.values.length; i++) {
    const value = typeof tag.values === 'string' ? tag.values.charCodeAt(i) : tag.values[i];
    const offset = at + i * size;
    if (tag.type === 2) view.setUint8(offset, value);
    else if (tag.type === 3) view.setUint16(offset, value, true);
    else if (tag.type === 4) view.setUint32(offset, value, true);
    else if (tag.type === 12) view.setFloat64(offset, value, true);
    else view.setBigUint64(offset, BigInt(value), true);
  }
}

async function closeQuietly(file: FileHandle): Promise<void> {
  try {
    await file.close();
  } catch {
    // already closed
  }
}
