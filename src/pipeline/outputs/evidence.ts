/**
 * Evidence chips (DESIGN.md section 3): for each candidate, the before and after orthophotos
 * around it (the outline drawn on the after one) and its height change, as small images an
 * officer can read at a glance. One candidate at a time, so memory stays bounded.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { polygonsBounds } from '../../geo/measure.js';
import { writeImage } from '../../raster/image-file.js';
import type { RasterSource } from '../../raster/types.js';
import type { Candidate } from '../candidate.js';
import { readAligned } from '../../raster/read-aligned.js';
import type { AnalysisGrid } from '../../raster/types.js';

/** The rasters evidence is cut from; chips are made for what is given. */
export interface EvidenceSources {
  beforeOrtho?: RasterSource;
  afterOrtho?: RasterSource;
  beforeDsm?: RasterSource;
  afterDsm?: RasterSource;
  /** DSM offset (after − before, m) at a map position of the grid's CRS, removed from the height change. */
  verticalOffset?: (x: number, y: number) => number;
}

/** Margin around a candidate's bounding box: this share of its larger side, and at least `minMarginM`. */
const marginShare = 0.3;
const minMarginM = 5;
/** Largest chip side (px); bigger candidates get a chip coarser than the grid. */
const maxChipPixels = 512;
/** Height change (m) shown at full red or blue. */
const heightScaleM = 10;
const noDataGrey = 128;
const outlineRgb = [255, 0, 0];

/**
 * The square chip around polygons as a grid of its own: the analysis grid's GSD (a whole multiple
 * of it past `maxChipPixels`), its origin on a grid pixel corner, the bounding box in the middle.
 */
export function chipGrid(grid: AnalysisGrid, polygons: [number, number][][][]): AnalysisGrid {
  const [minX, minY, maxX, maxY] = polygonsBounds(polygons);
  if (!(maxX >= minX && maxY >= minY)) throw new RangeError('a candidate without polygon vertices has no evidence chip');
  const [gridX, gsd, , gridY] = grid.geoTransform;
  const extent = Math.max(maxX - minX, maxY - minY);
  // one pixel more than needed, so that snapping the origin never eats into the margin
  const cells = Math.ceil((extent + 2 * Math.max(marginShare * extent, minMarginM)) / gsd) + 1;
  const step = Math.ceil(cells / maxChipPixels);
  const size = Math.ceil(cells / step);
  const half = (size * step * gsd) / 2;
  const col = Math.round(((minX + maxX) / 2 - half - gridX) / gsd);
  const row = Math.round((gridY - (minY + maxY) / 2 - half) / gsd);
  const geoTransform: AnalysisGrid['geoTransform'] = [gridX + col * gsd, gsd * step, 0, gridY - row * gsd, 0, -gsd * step];
  return { ...grid, geoTransform, width: size, height: size };
}

/**
 * Writes the chips of one candidate into `dir` (created): `before.jpg`, `after.jpg` with the
 * outline in red, `height-change.png`; returns the names of the files written.
 */
export async function writeCandidateEvidence(
  dir: string,
  grid: AnalysisGrid,
  candidate: Pick<Candidate, 'polygons'>,
  sources: EvidenceSources,
): Promise<string[]> {
  const chip = chipGrid(grid, candidate.polygons);
  // one candidate's chips at a time: a megabyte or two whatever the raster size
  const images: [string, () => Promise<Uint8Array>][] = [];
  const { beforeOrtho, afterOrtho, beforeDsm, afterDsm, verticalOffset } = sources;
  if (beforeOrtho) images.push(['before.jpg', () => orthoChip(beforeOrtho, chip)]);
  if (afterOrtho) images.push(['after.jpg', async () => drawOutline(await orthoChip(afterOrtho, chip), chip, candidate.polygons)]);
  if (beforeDsm && afterDsm) images.push(['height-change.png', () => heightChip(beforeDsm, afterDsm, chip, verticalOffset)]);
  if (images.length === 0) return [];
  await mkdir(dir, { recursive: true });
  // the images at once: one is read and resampled while libvips encodes another off the main thread
  await Promise.all(images.map(async ([name, read]) => writeImage(join(dir, name), { width: chip.width, height: chip.height, bandCount: 3, data: await read() })));
  return images.map(([name]) => name);
}

/** RGB pixels of an orthophoto over the chip; nodata grey. */
async function orthoChip(source: RasterSource, chip: AnalysisGrid): Promise<Uint8Array> {
  const window = { x: 0, y: 0, width: chip.width, height: chip.height };
  const read = await readAligned(source, chip, window, { resample: 'bilinear', bands: [0, 1, 2] });
  const rgb = new Uint8Array(read.data);
  for (let p = 0; p < read.valid.length; p++) if (!read.valid[p]) rgb.fill(noDataGrey, p * 3, p * 3 + 3);
  return rgb;
}

/** After − before height over the chip, blue (fell) through white to red (rose) over ±`heightScaleM`; nodata grey. */
async function heightChip(
  before: RasterSource,
  after: RasterSource,
  chip: AnalysisGrid,
  verticalOffset?: (x: number, y: number) => number,
): Promise<Uint8Array> {
  const window = { x: 0, y: 0, width: chip.width, height: chip.height };
  const [b, a] = await Promise.all([
    readAligned(before, chip, window, { resample: 'bilinear', bands: [0] }),
    readAligned(after, chip, window, { resample: 'bilinear', bands: [0] }),
  ]);
  const [x0, step, , y0] = chip.geoTransform;
  const rgb = new Uint8Array(chip.width * chip.height * 3).fill(noDataGrey);
  for (let row = 0; row < chip.height; row++) {
    for (let col = 0; col < chip.width; col++) {
      const p = row * chip.width + col;
      if (!b.valid[p] || !a.valid[p]) continue;
      const offset = verticalOffset ? verticalOffset(x0 + (col + 0.5) * step, y0 - (row + 0.5) * step) : 0;
      const t = Math.max(-1, Math.min(1, (a.data[p] - b.data[p] - offset) / heightScaleM));
      if (!Number.isFinite(t)) continue;
      const fade = Math.round(255 * (1 - Math.abs(t)));
      rgb[p * 3] = t >= 0 ? 255 : fade;
      rgb[p * 3 + 1] = fade;
      rgb[p * 3 + 2] = t >= 0 ? fade : 255;
    }
  }
  return rgb;
}

/** Draws every ring of the polygons as a 2 px red line on RGB chip pixels; returns the pixels. */
function drawOutline(rgb: Uint8Array, chip: AnalysisGrid, polygons: [number, number][][][]): Uint8Array {
  const [x0, step, , y0] = chip.geoTransform;
  const { width, height } = chip;
  const paint = (col: number, row: number): void => {
    for (let r = Math.round(row) - 1; r <= Math.round(row); r++) {
      for (let c = Math.round(col) - 1; c <= Math.round(col); c++) {
        if (c >= 0 && r >= 0 && c < width && r < height) rgb.set(outlineRgb, (r * width + c) * 3);
      }
    }
  };
  for (const ring of polygons.flat()) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [ax, ay] = [(ring[j][0] - x0) / step, (y0 - ring[j][1]) / step];
      const [bx, by] = [(ring[i][0] - x0) / step, (y0 - ring[i][1]) / step];
      // half-pixel steps leave no gaps in the line
      const steps = Math.ceil(2 * Math.hypot(bx - ax, by - ay)) + 1;
      for (let s = 0; s <= steps; s++) paint(ax + ((bx - ax) * s) / steps, ay + ((by - ay) * s) / steps);
    }
  }
  return rgb;
}
