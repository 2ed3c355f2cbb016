/**
 * An orthophoto or DSM rewritten as a Cloud-Optimized GeoTIFF, the layout HTTP range requests read
 * well: 512 px tiles, DEFLATE with the predictor that suits the samples (horizontal differencing
 * for bytes, floating point for heights), 2 × 2 mean overviews down to one tile, nodata,
 * georeferencing and the heights' unit (metres) kept. The input is read in strips one tile row
 * high, so memory follows the raster's width, not its area; the COG appears under its name only
 * when complete.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BadInputError, NotFoundError } from '../errors.js';
import { openCogWriter } from './cog-writer.js';
import { openGeoTiff } from './geotiff-source.js';
import type { WritableSampleType } from './geotiff-writer.js';
import { isRasterUrl } from './http-source.js';
import type { RasterInfo } from './types.js';

/** Tile edge of the COGs `zhiwei cog` writes. */
export const cogTileSize = 512;

/** EPSG unit code of the metre (VerticalUnitsGeoKey). */
const metre = 9001;

/** Counts rows as they are written. */
export interface RowProgress {
  tick(rows: number): void;
  done(): void;
}

/** What a conversion wrote. */
export interface CogReport {
  width: number;
  height: number;
  bandCount: number;
  sampleType: WritableSampleType;
  /** Overviews below full resolution. */
  overviews: number;
  /** The unit the input stored heights in, when it was not metres (they are written in metres). */
  heightsConvertedFrom?: string;
}

/** Converts the GeoTIFF at `input` (a path or an http(s) URL) into a COG at `output`. */
export async function convertToCog(input: string, output: string, progress?: (totalRows: number) => RowProgress): Promise<CogReport> {
  await checkOutput(input, output);
  const source = await openGeoTiff(input);
  try {
    const { info } = source;
    const sampleType = writableType(info, input);
    const heights = sampleType === 'float32';
    const writer = await openCogWriter(output, {
      width: info.width,
      height: info.height,
      bandCount: info.bandCount,
      sampleType,
      epsg: info.epsg!,
      geoTransform: info.geoTransform,
      nodata: info.nodata,
      tileSize: cogTileSize,
      ...(heights ? { verticalUnits: metre } : {}),
    });
    const rows = progress?.(info.height);
    try {
      for (let y = 0; y < info.height; y += cogTileSize) {
        const height = Math.min(cogTileSize, info.height - y);
        const strip = await source.readWindow({ x: 0, y, width: info.width, height });
        await writer.writeRows(heights && !(strip.data instanceof Float32Array) ? Float32Array.from(strip.data) : (strip.data as Uint8Array | Float32Array));
        rows?.tick(height);
      }
    } catch (err) {
      await writer.abort();
      throw err;
    }
    await writer.close();
    rows?.done();
    return {
      width: info.width,
      height: info.height,
      bandCount: info.bandCount,
      sampleType,
      overviews: Math.max(0, Math.ceil(Math.log2(Math.max(info.width, info.height) / cogTileSize))),
      ...(info.heightUnit ? { heightsConvertedFrom: info.heightUnit.name } : {}),
    };
  } finally {
    await source.close();
  }
}

/** Refuses writing over the input, or into a folder that does not exist. */
async function checkOutput(input: string, output: string): Promise<void> {
  if (!isRasterUrl(input) && resolve(input) === resolve(output)) {
    throw new BadInputError(`${output} is the input itself`, 'write the COG to another file, then replace the input with it if you want');
  }
  const folder = await stat(dirname(resolve(output))).catch(() => null);
  if (!folder?.isDirectory()) throw new NotFoundError(`the folder of ${output} does not exist`);
}

/**
 * 8-bit imagery (1, 3 or 4 bands) is written as it is, single-band heights as float32 (exact for
 * 16-bit integers, 7 digits for the rest: ample for heights); other layouts are refused with the
 * GDAL command that writes them.
 */
function writableType(info: RasterInfo, name: string): WritableSampleType {
  const gdalHint = `use gdal_translate -of COG -co BLOCKSIZE=${cogTileSize} -co COMPRESS=DEFLATE -co PREDICTOR=YES IN OUT`;
  if (info.epsg === null) {
    throw new BadInputError(`${name}: its CRS has no EPSG code, and zhiwei cog writes the CRS as one`, gdalHint);
  }
  if (info.sampleType === 'uint8' && [1, 3, 4].includes(info.bandCount)) return 'uint8';
  if (info.bandCount === 1 && info.sampleType !== 'uint8') return 'float32';
  throw new BadInputError(`${name}: zhiwei cog writes 8-bit orthophotos (1, 3 or 4 bands) and single-band DSMs, not ${info.bandCount} bands of ${info.sampleType}`, gdalHint);
}
