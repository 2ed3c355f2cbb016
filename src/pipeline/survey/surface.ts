/**
 * What one flight says of each pixel of a grid window: the DSM, the height above ground (DSM − DTM,
 * else − the estimated ground), the surface roughness, the orthophoto's greenness, and which
 * pixels are building: at least the minimum height above ground and not a tree crown. The same
 * function serves the full-width strips of the survey and the window around each building, so both
 * see the same building pixels.
 */
import { readAligned } from '../../raster/read-aligned.js';
import { readHeights } from '../../raster/read-rows.js';
import type { AnalysisGrid, PixelWindow, RasterSource } from '../../raster/types.js';
import type { GroundSurface } from '../ground.js';
import { neighbourhoodMax } from '../height-change.js';
import { excessGreen, planeResidual, roughSurfaceM } from '../vegetation.js';

/** One flight's rasters, as the survey reads them; `ground` from the coarse pass when no DTM is given. */
export interface SurveyRasters {
  grid: AnalysisGrid;
  dsm: RasterSource;
  dtm?: RasterSource;
  ortho?: RasterSource;
  ground: GroundSurface | null;
}

/** The pixels of one window, row-major; NaN where a raster has no data. */
export interface SurveySurface {
  window: PixelWindow;
  dsm: Float32Array;
  /** DSM − ground (m). */
  aboveGround: Float32Array;
  /** Plane residual of the DSM (narrow holes filled) over about a metre (m); see vegetation.ts. */
  roughness: Float32Array;
  /** Excess green of the orthophoto; NaN everywhere without one. */
  greenness: Float32Array;
  /**
   * 1 on building pixels, judged on heights whose narrow holes are filled (so that a stair room
   * walled off by the DSM's holes stays joined to its roof): use them for connectivity, and
   * `aboveGround` for what was measured.
   */
  building: Uint8Array;
  /** 1 on the pixels at least the minimum height above ground that a tree crown's rough patch covers. */
  crown: Uint8Array;
}

/** Window radius (px) of the roughness: about 0.4 m, so a window spans a metre of roof. */
export function roughnessRadius(grid: AnalysisGrid): number {
  return Math.max(1, Math.round(0.4 / grid.geoTransform[1]));
}

/**
 * Radius (px) of the opening that keeps a crown's rough patch and drops the rough band along
 * every wall (as wide as the roughness window): wider than the band, far narrower than a crown.
 */
function crownOpeningRadius(grid: AnalysisGrid): number {
  return roughnessRadius(grid) + 3;
}

/**
 * How far (px) from a wall the crown mask may reach: the roughness window's radius past the wall,
 * and a band as wide as the opening keeps.
 */
export function wallBandPx(grid: AnalysisGrid): number {
  return roughnessRadius(grid) + crownOpeningRadius(grid);
}

/** Rows and columns read beyond a window so that its pixels do not depend on where it was cut. */
export function surfaceMargin(grid: AnalysisGrid): number {
  return gapFillPx + roughnessRadius(grid) + 2 * crownOpeningRadius(grid) + 1;
}

/**
 * DSM holes up to this far (px) from a height are filled from their neighbours when joining
 * building pixels: photogrammetry leaves holes along steep walls.
 */
const gapFillPx = 4;

/**
 * The surface of `window` (columns clipped to the grid), read with a margin of `surfaceMargin`
 * rows and columns inside the grid's columns.
 */
export async function readSurface(inputs: SurveyRasters, window: PixelWindow, minHeightM: number): Promise<SurveySurface> {
  const { grid } = inputs;
  const margin = surfaceMargin(grid);
  const x0 = Math.max(0, window.x - margin);
  const x1 = Math.min(grid.width, window.x + window.width + margin);
  const outer: PixelWindow = { x: x0, y: window.y - margin, width: x1 - x0, height: window.height + 2 * margin };
  const dsm = await readHeights(inputs.dsm, grid, outer);
  const filled = fillGaps(dsm, outer.width, outer.height, gapFillPx);
  const ground = await groundOf(inputs, outer);
  const aboveGround = dsm.map((h, i) => h - ground[i]);
  const roughness = planeResidual(filled, outer.width, outer.height, roughnessRadius(grid));
  const crown = crownMask(roughness, outer.width, outer.height, crownOpeningRadius(grid));
  const high = Uint8Array.from(filled, (h, i) => (h - ground[i] >= minHeightM ? 1 : 0));
  const building = high.map((v, i) => v & (1 - crown[i]));
  const greenness = inputs.ortho ? await readGreenness(inputs.ortho, grid, outer) : new Float32Array(dsm.length).fill(Number.NaN);
  const crop = { x: window.x - x0, y: margin, width: window.width, height: window.height };
  return {
    window,
    dsm: cropped(dsm, outer.width, crop),
    aboveGround: cropped(aboveGround, outer.width, crop),
    roughness: cropped(roughness, outer.width, crop),
    greenness: cropped(greenness, outer.width, crop),
    building: cropped(building, outer.width, crop),
    crown: cropped(high.map((v, i) => v & crown[i]), outer.width, crop),
  };
}

/**
 * The heights with holes filled ring by ring from their edges, each pixel the mean of its
 * neighbours filled before it, up to `rings` pixels deep; deeper holes stay NaN.
 */
function fillGaps(heights: Float32Array, width: number, height: number, rings: number): Float32Array {
  const filled = heights.slice();
  for (let ring = 0; ring < rings; ring++) {
    const before = filled.slice();
    for (let y = 0, i = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i++) {
        if (before[i] === before[i]) continue;
        let sum = 0;
        let count = 0;
        for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1]) {
          if (j >= 0 && before[j] === before[j]) {
            sum += before[j];
            count++;
          }
        }
        if (count > 0) filled[i] = sum / count;
      }
    }
  }
  return filled;
}

async function groundOf(inputs: SurveyRasters, window: PixelWindow): Promise<Float32Array> {
  if (inputs.dtm) return readHeights(inputs.dtm, inputs.grid, window);
  if (inputs.ground) return inputs.ground.groundAt(window);
  throw new RangeError('a survey needs a DTM or an estimated ground surface');
}

async function readGreenness(ortho: RasterSource, grid: AnalysisGrid, window: PixelWindow): Promise<Float32Array> {
  const rgb = await readAligned(ortho, grid, window, { resample: 'bilinear', bands: [0, 1, 2] });
  return excessGreen(rgb.data, rgb.valid);
}

/**
 * 1 on the rough patches of tree crowns: rough pixels opened by a square of `radius`, which removes the rough band the roughness window draws along
 * every wall and keeps patches wider than it.
 */
function crownMask(roughness: Float32Array, width: number, height: number, radius: number): Uint8Array {
  // pixels without a roughness (DSM holes, window edges) count as smooth: a hole is no crown
  const smooth = Float32Array.from(roughness, (r) => (r >= roughSurfaceM ? 0 : 1));
  const eroded = neighbourhoodMax(smooth, width, height, radius).map((v) => (v > 0 ? 0 : 1));
  const opened = neighbourhoodMax(eroded, width, height, radius);
  return Uint8Array.from(opened, (v) => (v > 0 ? 1 : 0));
}

/** The part of a surface inside `box` (in the surface's window pixels). */
export function cropSurface(surface: SurveySurface, box: PixelWindow): SurveySurface {
  const { width } = surface.window;
  return {
    window: { x: surface.window.x + box.x, y: surface.window.y + box.y, width: box.width, height: box.height },
    dsm: cropped(surface.dsm, width, box),
    aboveGround: cropped(surface.aboveGround, width, box),
    roughness: cropped(surface.roughness, width, box),
    greenness: cropped(surface.greenness, width, box),
    building: cropped(surface.building, width, box),
    crown: cropped(surface.crown, width, box),
  };
}

/** The values of `crop` out of a raster `width` pixels wide, row-major. */
export function cropped<T extends Float32Array | Uint8Array | Int32Array>(values: T, width: number, crop: PixelWindow): T {
  const out = new (values.constructor as new (n: number) => T)(crop.width * crop.height);
  for (let row = 0; row < crop.height; row++) {
    const start = (crop.y + row) * width + crop.x;
    out.set(values.subarray(start, start + crop.width), row * crop.width);
  }
  return out;
}

/** Pixels this far (px) inside a part give its heights and surface: DSM edges are soft. */
const interiorPx = 2;

/** True when the pixels up to `interiorPx` away along the axes are all in the part. */
export function isInterior(part: Uint8Array, width: number, height: number, x: number, y: number): boolean {
  if (x < interiorPx || y < interiorPx || x >= width - interiorPx || y >= height - interiorPx) return false;
  for (let d = 1; d <= interiorPx; d++) {
    const i = y * width + x;
    if (!part[i - d] || !part[i + d] || !part[i - d * width] || !part[i + d * width]) return false;
  }
  return true;
}
