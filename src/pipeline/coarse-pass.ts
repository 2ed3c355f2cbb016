/**
 * The coarse pass (DESIGN.md section 4, height change): one cheap read of the DSMs on a coarse grid
 * (2 m pixels by default, the analysis grid's CRS and origin), tile by tile, before the fine
 * tiles run. It yields the vertical offset between the flights, fitted on flat ground, and the
 * ground surface under everything: the before DTM when given, else estimated from the before DSM.
 * It also warns of DSMs whose heights do not look like metres (a file in feet that does not say so).
 */
import { BadInputError } from '../errors.js';
import { estimateGround, groundSurface, type GroundSurface } from './ground.js';
import type { IngestResult } from './ingest.js';
import { readHeights } from '../raster/read-rows.js';
import type { AnalysisGrid, RasterSource } from '../raster/types.js';
import type { ProgressFactory } from './types.js';
import { estimateVerticalOffset, type HeightSample, type VerticalOffset } from '../geo/vertical-offset.js';

export type { GroundSurface } from './ground.js';

/** Options of `coarsePass`. */
export interface CoarsePassOptions {
  /** Coarse pixel size (m); defaults to 2. */
  coarseGsd?: number;
  /** Radius (m) of the opening that removes buildings from the DSM; wider than half the widest building. Defaults to 24. */
  groundRadius?: number;
  progress?: ProgressFactory;
}

/** What the coarse pass found; both null when the run has no DSM pair. */
export interface CoarsePass {
  offset: VerticalOffset | null;
  ground: GroundSurface | null;
  /** Heights implausible for metres, in words for the run summary. */
  warnings: string[];
}

/** Coarse pixels per side of one read: 256 m at 2 m, so a read stays a few MB even from a 0.1 m DSM. */
const tileSize = 128;
/** Most height samples handed to the offset fit; beyond it the coarse grid is sampled on a lattice. */
const maxSamples = 200_000;
/**
 * Largest range (m) of before-DSM heights over a coarse pixel's 3 × 3 neighbourhood for it to count
 * as flat: block means astride building edges vary far more. Only the before DSM is tested, and
 * loosely, so that a noisy pair is not judged on its quietest pixels and keeps an honest spread.
 */
const flatRange = 1.5;

/** Reads the DSM pair (and DTM) once on a coarse grid: vertical offset and ground surface. */
export async function coarsePass(ingested: IngestResult, options: CoarsePassOptions = {}): Promise<CoarsePass> {
  const { beforeDsm, afterDsm, beforeDtm } = ingested.sources;
  if (!beforeDsm || !afterDsm) return { offset: null, ground: null, warnings: [] };
  const gsd = ingested.grid.geoTransform[1];
  const coarseGsd = options.coarseGsd ?? 2;
  if (!(coarseGsd >= gsd)) throw new RangeError(`coarseGsd must be at least the analysis GSD (${gsd} m), got ${coarseGsd}`);
  const grid = coarseGrid(ingested.grid, coarseGsd);
  const { width, height } = grid;
  const stride = Math.max(1, Math.ceil(Math.sqrt((width * height) / maxSamples)));
  const groundHeights = new Float32Array(width * height).fill(Number.NaN);
  const samples: HeightSample[] = [];
  const heights = { before: [] as number[], after: [] as number[] };
  const [originX, , , originY] = grid.geoTransform;

  const bar = options.progress?.('height offset', Math.ceil(width / tileSize) * Math.ceil(height / tileSize), 'tiles');
  for (let ty = 0; ty < height; ty += tileSize) {
    for (let tx = 0; tx < width; tx += tileSize) {
      bar?.tick();
      const tile = { x: tx, y: ty, width: Math.min(tileSize, width - tx), height: Math.min(tileSize, height - ty) };
      // One pixel of halo so the flatness test sees every inner pixel's neighbours.
      const halo = { x: tx - 1, y: ty - 1, width: tile.width + 2, height: tile.height + 2 };
      const before = await readHeights(beforeDsm, grid, halo);
      const after = await readHeights(afterDsm, grid, halo);
      const dtm = beforeDtm ? await readHeights(beforeDtm, grid, tile) : null;
      for (let j = 0; j < tile.height; j++) {
        for (let i = 0; i < tile.width; i++) {
          const h = (j + 1) * halo.width + i + 1;
          const col = tx + i;
          const row = ty + j;
          groundHeights[row * width + col] = dtm ? dtm[j * tile.width + i] : before[h];
          if (col % stride || row % stride) continue;
          if (before[h] === before[h]) heights.before.push(before[h]);
          if (after[h] === after[h]) heights.after.push(after[h]);
          if (!isFlat(before, halo.width, h) || Number.isNaN(after[h])) continue;
          samples.push({ x: originX + (col + 0.5) * coarseGsd, y: originY - (row + 0.5) * coarseGsd, dh: after[h] - before[h] });
        }
      }
    }
  }
  bar?.done();
  if (samples.length < 10) {
    throw new BadInputError(
      `${beforeDsm.name} and ${afterDsm.name} share only ${samples.length} flat ${coarseGsd} m pixels with data; too few to fit their vertical offset`,
      'check that both DSMs cover the same area and are not mostly nodata',
    );
  }
  const ground = beforeDtm ? groundHeights : groundUnderDsm(groundHeights, grid, options);
  const offset = estimateVerticalOffset(samples);
  const across = Math.max(width, height) * coarseGsd;
  const warnings = [
    ...heightWarnings(beforeDsm.name, heights.before, across),
    ...heightWarnings(afterDsm.name, heights.after, across),
    ...offsetWarnings(beforeDsm.name, afterDsm.name, offset.offset),
  ];
  return { offset, ground: groundSurface({ width, height, values: ground, scale: gsd / coarseGsd }), warnings };
}

/**
 * The coarse pass of one flight (a survey): one coarse read of its DSM, for the ground under it
 * (estimated as for detect's before DSM; null when a DTM is given, which the survey reads itself)
 * and warnings of heights implausible for metres.
 */
export async function flightCoarsePass(
  analysisGrid: AnalysisGrid,
  dsm: RasterSource,
  dtm: RasterSource | undefined,
  options: CoarsePassOptions = {},
): Promise<{ ground: GroundSurface | null; warnings: string[] }> {
  const gsd = analysisGrid.geoTransform[1];
  const coarseGsd = options.coarseGsd ?? 2;
  if (!(coarseGsd >= gsd)) throw new RangeError(`coarseGsd must be at least the analysis GSD (${gsd} m), got ${coarseGsd}`);
  const grid = coarseGrid(analysisGrid, coarseGsd);
  const { width, height } = grid;
  const stride = Math.max(1, Math.ceil(Math.sqrt((width * height) / maxSamples)));
  const heights = new Float32Array(width * height);
  const lattice: number[] = [];
  const bar = options.progress?.('ground', Math.ceil(width / tileSize) * Math.ceil(height / tileSize), 'tiles');
  for (let ty = 0; ty < height; ty += tileSize) {
    for (let tx = 0; tx < width; tx += tileSize) {
      const tile = { x: tx, y: ty, width: Math.min(tileSize, width - tx), height: Math.min(tileSize, height - ty) };
      const values = await readHeights(dsm, grid, tile);
      for (let j = 0; j < tile.height; j++) {
        for (let i = 0; i < tile.width; i++) {
          const value = values[j * tile.width + i];
          heights[(ty + j) * width + tx + i] = value;
          if ((tx + i) % stride === 0 && (ty + j) % stride === 0 && value === value) lattice.push(value);
        }
      }
      bar?.tick();
    }
  }
  bar?.done();
  const warnings = heightWarnings(dsm.name, lattice, Math.max(width, height) * coarseGsd);
  const ground = dtm ? null : groundSurface({ width, height, values: groundUnderDsm(heights, grid, options), scale: gsd / coarseGsd });
  return { ground, warnings };
}

/** The ground under a coarse DSM on `grid`: an opening wider than any building, then smoothed. */
function groundUnderDsm(heights: Float32Array, grid: AnalysisGrid, options: CoarsePassOptions): Float32Array {
  const radius = Math.max(1, Math.round((options.groundRadius ?? 24) / grid.geoTransform[1]));
  return estimateGround(heights, grid.width, grid.height, radius, Math.ceil(radius / 2));
}

/** Lowest and highest ground on earth (m), the Dead Sea's shore and Everest, rounded outwards. */
const earthHeights = [-500, 9000] as const;
/**
 * Largest offset (m) two flights' DSMs in metres can have: geoid heights, the largest difference
 * between height datums (ellipsoidal and orthometric), stay within about ±106 m.
 */
const largestDatumOffset = 100;
const unitQuestion = 'are its heights in another unit (feet, centimetres) that the file does not declare?';

/**
 * Warnings for one DSM's heights (a lattice of its coarse pixels): beyond any ground on earth, or
 * spanning more height than the scene is wide (steeper than 45° on average).
 */
function heightWarnings(name: string, heights: number[], acrossM: number): string[] {
  if (heights.length === 0) return [];
  const sorted = Float64Array.from(heights).sort();
  const low = sorted[Math.floor(0.01 * (sorted.length - 1))];
  const high = sorted[Math.ceil(0.99 * (sorted.length - 1))];
  const range = `${name} has heights from ${low.toFixed(1)} to ${high.toFixed(1)} m`;
  if (low < earthHeights[0] || high > earthHeights[1]) return [`${range}, beyond any ground on earth: ${unitQuestion}`];
  if (high - low > acrossM) return [`${range}, a span of ${(high - low).toFixed(0)} m over a scene ${acrossM.toFixed(0)} m across: ${unitQuestion}`];
  return [];
}

/** A warning when the after DSM lies further from the before one than any two height datums. */
function offsetWarnings(beforeName: string, afterName: string, offsetM: number): string[] {
  if (!(Math.abs(offsetM) > largestDatumOffset)) return [];
  return [
    `${afterName} lies ${Math.abs(offsetM).toFixed(1)} m ${offsetM > 0 ? 'above' : 'below'} ${beforeName} on flat ground, ` +
      `more than any two height datums differ: are both DSMs in metres?`,
  ];
}

/** The grid of `coarseGsd` pixels with the analysis grid's CRS and origin, covering it. */
function coarseGrid(grid: AnalysisGrid, coarseGsd: number): AnalysisGrid {
  const [originX, gsd, , originY] = grid.geoTransform;
  return {
    ...grid,
    geoTransform: [originX, coarseGsd, 0, originY, 0, -coarseGsd],
    width: Math.ceil((grid.width * gsd) / coarseGsd),
    height: Math.ceil((grid.height * gsd) / coarseGsd),
  };
}


/** Whether the 3 × 3 neighbourhood of pixel `p` (not on the border) has data throughout and a small height range. */
function isFlat(values: Float32Array, width: number, p: number): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (let dy = -width; dy <= width; dy += width) {
    for (let dx = -1; dx <= 1; dx++) {
      const v = values[p + dy + dx];
      if (v !== v) return false;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return max - min <= flatRange;
}
