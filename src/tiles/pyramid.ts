/**
 * Reduced-resolution copies of a raster for low-zoom tiles. Most drone GeoTIFFs carry no
 * overviews, and a tile showing a whole flight would otherwise decode every pixel of it. A
 * pyramid is a folder of GeoTIFFs decimated by 2, 4, 8, … (each a 2 × 2 average of the one
 * before, written window by window with the streaming writer, so memory stays bounded whatever
 * the raster size), down to a level under 256 px. The folder appears under its name only when
 * complete.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fromFile, fromUrl } from 'geotiff';
import { BadInputError } from '../errors.js';
import { writeAtomically } from '../files.js';
import { openGeoTiff } from '../raster/geotiff-source.js';
import { openGeoTiffWriter, type GeoTiffWriteOptions } from '../raster/geotiff-writer.js';
import { allocateSamples } from '../raster/resample.js';
import type { RasterData, RasterSource } from '../raster/types.js';

/** A level of a pyramid: its factor to full resolution and where it is. */
export interface PyramidLevel {
  factor: number;
  path: string;
}

/** GeoKey value of a CRS the file does not name (the levels' georeferencing comes from the raster itself). */
const USER_DEFINED_CRS = 32767;
/** Windows read and written at a time while building a level. */
const CONCURRENT_WINDOWS = 4;

/** The levels of the pyramid of a width × height raster: factors 2, 4, … until one is under 256 px. */
export function pyramidLevels(dir: string, width: number, height: number): PyramidLevel[] {
  const levels: PyramidLevel[] = [];
  for (let factor = 2; Math.ceil(Math.max(width, height) / (factor / 2)) >= 256; factor *= 2) {
    levels.push({ factor, path: join(dir, `${factor}.tif`) });
  }
  return levels;
}

/** True when the pyramid folder exists (it only ever appears complete). */
export async function hasPyramid(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => null))?.isDirectory() ?? false;
}

/** Builds the pyramid of `source` in `dir`, each level from the one before. */
export async function buildPyramid(source: RasterSource, dir: string): Promise<void> {
  await writeAtomically(dir, async (partial) => {
    await mkdir(partial, { recursive: true });
    const opened: RasterSource[] = [];
    try {
      let previous = source;
      for (const level of pyramidLevels(partial, source.info.width, source.info.height)) {
        await writeHalf(previous, level.path, levelOptions(source, level.factor));
        previous = await openGeoTiff(level.path);
        opened.push(previous);
      }
    } finally {
      await Promise.all(opened.map((level) => level.close()));
    }
  }).catch(async (err) => {
    // another process finished the same pyramid first: keep theirs
    if (!(await hasPyramid(dir))) throw err;
  });
}

/** Factors (to full resolution) of the reduced-resolution images inside a GeoTIFF, finest first. */
export async function internalOverviewFactors(pathOrUrl: string): Promise<number[]> {
  const tiff = /^https?:\/\//i.test(pathOrUrl) ? await fromUrl(pathOrUrl) : await fromFile(pathOrUrl);
  try {
    const first = await tiff.getImage(0);
    const factors: number[] = [];
    for (let index = 1; index < (await tiff.getImageCount()); index++) {
      const image = await tiff.getImage(index);
      // bit 0: reduced resolution; bit 2: transparency mask (same rule as geotiff-source.ts)
      const subfileType = Number(image.getFileDirectory().getValue('NewSubfileType') ?? 0);
      if ((subfileType & 5) === 1 && image.getSamplesPerPixel() === first.getSamplesPerPixel()) factors.push(first.getWidth() / image.getWidth());
    }
    return factors.sort((a, b) => a - b);
  } finally {
    await tiff.close();
  }
}

/** Layout of the level `factor` times coarser than `source`. */
function levelOptions(source: RasterSource, factor: number): GeoTiffWriteOptions {
  const { info } = source;
  const [x0, a, b, y0, c, d] = info.geoTransform;
  return {
    width: Math.ceil(info.width / factor),
    height: Math.ceil(info.height / factor),
    bandCount: info.bandCount,
    sampleType: writableType(source),
    epsg: info.epsg ?? USER_DEFINED_CRS,
    geoTransform: [x0, a * factor, b * factor, y0, c * factor, d * factor],
    nodata: info.nodata,
  };
}

function writableType({ info, name }: RasterSource): GeoTiffWriteOptions['sampleType'] {
  if (info.sampleType === 'uint8') return 'uint8';
  if ((info.sampleType === 'float32' || info.sampleType === 'float64') && info.bandCount === 1) return 'float32';
  throw new BadInputError(`${name} has ${info.bandCount} band(s) of ${info.sampleType}; tiles are drawn from uint8 orthophotos and float height models`);
}

/** Writes `previous` at half its resolution: each output tile is the 2 × 2 average of a window twice its size. */
async function writeHalf(previous: RasterSource, path: string, options: GeoTiffWriteOptions): Promise<void> {
  const writer = await openGeoTiffWriter(path, options);
  const size = writer.tileSize;
  const windows: [number, number][] = [];
  for (let row = 0; row < writer.tilesDown; row++) for (let column = 0; column < writer.tilesAcross; column++) windows.push([column, row]);
  try {
    for (let i = 0; i < windows.length; i += CONCURRENT_WINDOWS) {
      await Promise.all(
        windows.slice(i, i + CONCURRENT_WINDOWS).map(async ([column, row]) => {
          const width = Math.min(size, options.width - column * size);
          const height = Math.min(size, options.height - row * size);
          const window = { x: column * size * 2, y: row * size * 2, width: width * 2, height: height * 2 };
          const pixels = await previous.readWindow(window);
          const inside = { width: Math.min(window.width, previous.info.width - window.x), height: Math.min(window.height, previous.info.height - window.y) };
          const tile = halve(pixels, inside, previous.info.nodata, options.sampleType);
          await writer.writeTile(column, row, tile);
        }),
      );
    }
  } catch (err) {
    await writer.abort();
    throw err;
  }
  await writer.close();
}

/**
 * The 2 × 2 average of `pixels`, leaving out samples past the raster's edge (`inside` is the part
 * of the window on it) and nodata; all four missing gives nodata. Heights come out as float32.
 */
function halve(pixels: RasterData, inside: { width: number; height: number }, nodata: number | null, sampleType: GeoTiffWriteOptions['sampleType']): RasterData {
  const { width, height, bandCount, data } = pixels;
  const outWidth = width / 2;
  const outHeight = height / 2;
  const out = allocateSamples(sampleType, outWidth * outHeight * bandCount);
  const empty = nodata ?? (sampleType === 'uint8' ? 0 : Number.NaN);
  const missing = (v: number) => v !== v || v === nodata || (nodata !== null && v === Math.fround(nodata));
  for (let j = 0; j < outHeight; j++) {
    for (let i = 0; i < outWidth; i++) {
      for (let b = 0; b < bandCount; b++) {
        let sum = 0;
        let count = 0;
        for (let dy = 0; dy < 2; dy++) {
          for (let dx = 0; dx < 2; dx++) {
            const x = 2 * i + dx;
            const y = 2 * j + dy;
            const value = data[(y * width + x) * bandCount + b];
            if (x >= inside.width || y >= inside.height || missing(value)) continue;
            sum += value;
            count++;
          }
        }
        out[(j * outWidth + i) * bandCount + b] = count > 0 ? (sampleType === 'uint8' ? Math.round(sum / count) : sum / count) : empty;
      }
    }
  }
  return { width: outWidth, height: outHeight, bandCount, data: out };
}
