/**
 * Vectorization, streaming: the changed pixels of each strip become 4-connected components with
 * their sums and traced outlines; a component touching the strip's first row joins the component
 * of the previous strip directly above it (union-find across any number of strips), so pieces of
 * one structure cut by strip borders become one region. Only the previous strip's last row and
 * the regions still open at it are kept; a region is finished as soon as a strip passes without
 * extending it, and handed on at once (memory holds the open regions, never all of a scene's).
 * Outlines of pieces share pixel edges, so their union in pixel coordinates is
 * exact; it is simplified afterwards, then moved into map coordinates.
 *
 * The ring around a region is counted in pixel edges (an outside pixel beside two of the region's
 * pixels counts twice), edges across strip borders included: edge counts of pieces add up
 * exactly, so the sums of a region do not depend on where the strips were cut.
 */
import polygonClipping from 'polygon-clipping';
import type { PolygonRings } from '../geo/geojson.js';
import { polygonsArea } from '../geo/measure.js';
import { labelComponents, pixelToMap, traceComponents } from '../geo/polygonize.js';
import { simplifyPolygons } from '../geo/simplify.js';
import type { AnalysisGrid } from '../raster/types.js';
import type { ChangeRegion, ChangeStrip, RegionSums } from './types.js';
import { leafyExcessGreen, roughSurfaceM } from './vegetation.js';

/** How outlines are simplified, and where finished regions go. */
export interface VectorizeOptions {
  /** Douglas-Peucker tolerance in grid pixels (0.75 removes the staircase). */
  simplifyTolerancePx: number;
  /** Called once per region when it is finished, with the grid index (row × width + column) of its first pixel in scan order. */
  onRegion(region: ChangeRegion, firstPixel: number): void;
}

/** The area of all regions before and after simplification (m²). */
export interface VectorizeResult {
  pixelAreaM2: number;
  simplifiedAreaM2: number;
}

/** Takes the strips of a grid top to bottom; each region goes to `onRegion` once no later strip can extend it. */
export interface Vectorizer {
  addStrip(strip: ChangeStrip): void;
  /** Finishes the regions still open at the last row. */
  finish(): VectorizeResult;
}

/** The measurements of a region, full precision (writers round); null where the rasters had no values. */
export interface RegionMeasurements {
  areaM2: number;
  /** Mean and signed extreme height change (m). */
  heightChangeM: number | null;
  heightChangeMaxM: number | null;
  /** Mean height above ground before and after (m). */
  heightBeforeM: number | null;
  heightAfterM: number | null;
  /** Mean model probability. */
  confidence: number | null;
  /** Share of the ring around the region that stood on a building before (0-1). */
  attachedShare: number;
  /** Share of the interior whose surface on top is rough (0-1); null without heights. */
  roughShare: number | null;
  /** Share of the region that is leafy green in the after orthophoto (0-1); null without orthophotos. */
  greenShare: number | null;
  /** Length and width (m) of the rectangle with the region's area moments (its long and short axes). */
  lengthM: number;
  widthM: number;
  /** Root mean square distance (m) of the interior's top surface from its best-fitting plane; null without heights. */
  topPlaneResidualM: number | null;
}

/** A region being assembled from pieces of consecutive strips; `mergedInto` links it to its union-find root. */
interface OpenRegion {
  sums: RegionSums;
  /** Traced polygons of each piece, grid pixel coordinates. */
  pieces: PolygonRings[][];
  /** Grid index (row × width + column) of the first pixel in scan order. */
  first: number;
  mergedInto: OpenRegion | null;
}

/** Creates a vectorizer for the strips of one analysis grid. */
export function createVectorizer(grid: AnalysisGrid, options: VectorizeOptions): Vectorizer {
  const { width, geoTransform } = grid;
  const pixelAreaM2 = Math.abs(geoTransform[1] * geoTransform[5]);
  let nextRow = 0;
  // the previous strip's last row: the open region of each pixel, and its height above ground before
  let aboveRegions: (OpenRegion | null)[] = new Array<OpenRegion | null>(width).fill(null);
  let aboveNearBuilding = new Uint8Array(width);
  let openRegions: OpenRegion[] = [];
  const totals: VectorizeResult = { pixelAreaM2: 0, simplifiedAreaM2: 0 };

  const finishRegion = ({ sums, pieces, first }: OpenRegion) => {
    const pixelPolygons = pieces.length === 1 ? pieces[0] : polygonClipping.union(pieces[0], ...pieces.slice(1));
    const polygons = pixelToMap(simplifyPolygons(pixelPolygons, options.simplifyTolerancePx), geoTransform);
    const region = { polygons, pixelAreaM2: sums.pixels * pixelAreaM2, areaM2: polygonsArea(polygons), sums };
    totals.pixelAreaM2 += region.pixelAreaM2;
    totals.simplifiedAreaM2 += region.areaM2;
    options.onRegion(region, first);
  };

  return {
    addStrip(strip) {
      if (strip.width !== width) throw new RangeError(`strip is ${strip.width} px wide, the grid ${width} px`);
      if (strip.y0 !== nextRow) throw new RangeError(`strip starts at row ${strip.y0}, expected row ${nextRow}`);
      if (strip.height < 1) throw new RangeError(`strip at row ${strip.y0} has no rows`);
      const components = labelComponents(strip.change, width, strip.height);
      const { sums, first } = stripSums(strip, components.labels, components.count);
      const traced = traceComponents(components, width, strip.height);
      const regions = sums.map((s, k): OpenRegion => ({
        sums: s,
        pieces: [shiftRows(traced[k], strip.y0)],
        first: strip.y0 * width + first[k],
        mergedInto: null,
      }));
      const { labels } = components;
      for (let x = 0; x < width; x++) {
        const above = aboveRegions[x];
        const below = labels[x] ? regions[labels[x] - 1] : null;
        if (above && below) merge(above, below);
        else if (above) addRingEdge(root(above).sums, strip.nearBuilding[x]);
        else if (below) addRingEdge(root(below).sums, aboveNearBuilding[x]);
      }
      const lastRow = (strip.height - 1) * width;
      const open = new Set<OpenRegion>();
      aboveRegions = Array.from(labels.subarray(lastRow), (label) => {
        const region = label ? root(regions[label - 1]) : null;
        if (region) open.add(region);
        return region;
      });
      aboveNearBuilding = strip.nearBuilding.slice(lastRow, lastRow + width);
      const candidates = new Set([...regions, ...openRegions].map(root));
      openRegions = [...open];
      for (const region of candidates) if (!open.has(region)) finishRegion(region);
      nextRow += strip.height;
    },

    finish() {
      if (nextRow !== grid.height) throw new RangeError(`strips cover ${nextRow} of the grid's ${grid.height} rows`);
      for (const region of openRegions) finishRegion(region);
      openRegions = [];
      return totals;
    },
  };
}

/** The measurements of a region (mean heights, extreme height change, confidence, shares, axes), from its sums. */
export function regionMeasurements(region: ChangeRegion): RegionMeasurements {
  const s = region.sums;
  const heights = s.heightPixels > 0;
  const ground = s.groundPixels > 0;
  // the interior speaks for the region when it is a fair part of it (not a thin sliver's few pixels)
  const interior = s.interiorHeightPixels >= Math.max(4, 0.1 * s.heightPixels);
  const interiorGround = s.interiorGroundPixels >= Math.max(4, 0.1 * s.groundPixels);
  return {
    areaM2: region.areaM2,
    heightChangeM: interior ? s.sumInteriorHeightChange / s.interiorHeightPixels : heights ? s.sumHeightChange / s.heightPixels : null,
    heightChangeMaxM: heights ? s.extremeHeightChange : null,
    heightBeforeM: interiorGround ? s.sumInteriorHeightBefore / s.interiorGroundPixels : ground ? s.sumHeightBefore / s.groundPixels : null,
    heightAfterM: interiorGround ? s.sumInteriorHeightAfter / s.interiorGroundPixels : ground ? s.sumHeightAfter / s.groundPixels : null,
    confidence: s.probabilityPixels > 0 ? s.sumProbability / s.probabilityPixels : null,
    attachedShare: s.ringPixels > 0 ? s.ringOnBuilding / s.ringPixels : 0,
    roughShare: s.roughnessPixels > 0 ? s.roughPixels / s.roughnessPixels : null,
    greenShare: s.greennessPixels > 0 ? s.greenPixels / s.greennessPixels : null,
    ...axes(s, Math.sqrt(region.pixelAreaM2 / s.pixels)),
    topPlaneResidualM: planeFitResidual(s),
  };
}

/**
 * How far the top surface stays from the plane z = a + b·x + c·y fitted to it by least squares:
 * a roof is a plane or two, a tree crown a dome. Null with fewer than 10 interior pixels.
 */
function planeFitResidual(s: RegionSums): number | null {
  const n = s.topPixels;
  if (n < 10) return null;
  const mx = s.sumTopX / n;
  const my = s.sumTopY / n;
  const mz = s.sumTopZ / n;
  const xx = s.sumTopXX / n - mx * mx;
  const yy = s.sumTopYY / n - my * my;
  const xy = s.sumTopXY / n - mx * my;
  const xz = s.sumTopXZ / n - mx * mz;
  const yz = s.sumTopYZ / n - my * mz;
  const zz = s.sumTopZZ / n - mz * mz;
  const det = xx * yy - xy * xy;
  // variance explained by the plane: [xz yz] · inverse([[xx xy] [xy yy]]) · [xz yz]ᵀ
  const explained = det > 1e-9 ? (yy * xz * xz - 2 * xy * xz * yz + xx * yz * yz) / det : 0;
  return Math.sqrt(Math.max(0, zz - explained));
}

/**
 * The sides (m) of the rectangle whose pixel centres have the region's second moments: a
 * rectangle of L pixels has centres of variance (L² − 1) / 12 along its side.
 */
function axes(s: RegionSums, gsd: number): { lengthM: number; widthM: number } {
  const n = s.pixels;
  const vx = s.sumXX / n - (s.sumX / n) ** 2;
  const vy = s.sumYY / n - (s.sumY / n) ** 2;
  const cxy = s.sumXY / n - (s.sumX / n) * (s.sumY / n);
  const mid = (vx + vy) / 2;
  const spread = Math.sqrt(((vx - vy) / 2) ** 2 + cxy * cxy);
  const side = (variance: number) => Math.sqrt(Math.max(0, 12 * variance + 1)) * gsd;
  return { lengthM: side(mid + spread), widthM: side(mid - spread) };
}

/** Sums of every component of a strip, and the strip index of each component's first pixel. */
function stripSums(strip: ChangeStrip, labels: Int32Array, count: number): { sums: RegionSums[]; first: number[] } {
  const { y0, width, height, heightChange, heightBefore, heightAfter, nearBuilding, probability, roughness, topSurface, greenness } = strip;
  const sums = Array.from({ length: count }, emptySums);
  const first = new Array<number>(count).fill(-1);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const label = labels[i];
      if (label) {
        const s = sums[label - 1];
        if (first[label - 1] < 0) first[label - 1] = i;
        s.pixels++;
        const change = heightChange[i];
        const inside = isInterior(labels, width, height, x, y, label);
        if (Number.isFinite(change)) {
          s.heightPixels++;
          s.sumHeightChange += change;
          if (Math.abs(change) > Math.abs(s.extremeHeightChange)) s.extremeHeightChange = change;
          if (inside) {
            s.interiorHeightPixels++;
            s.sumInteriorHeightChange += change;
          }
        }
        if (Number.isFinite(heightBefore[i]) && Number.isFinite(heightAfter[i])) {
          s.groundPixels++;
          s.sumHeightBefore += heightBefore[i];
          s.sumHeightAfter += heightAfter[i];
          if (inside) {
            s.interiorGroundPixels++;
            s.sumInteriorHeightBefore += heightBefore[i];
            s.sumInteriorHeightAfter += heightAfter[i];
          }
        }
        if (Number.isFinite(probability[i])) {
          s.probabilityPixels++;
          s.sumProbability += probability[i];
        }
        if (inside && Number.isFinite(roughness[i])) {
          s.roughnessPixels++;
          if (roughness[i] >= roughSurfaceM) s.roughPixels++;
        }
        if (inside && Number.isFinite(topSurface[i])) addTopSurface(s, x, y0 + y, topSurface[i]);
        if (Number.isFinite(greenness[i])) {
          s.greennessPixels++;
          if (greenness[i] >= leafyExcessGreen) s.greenPixels++;
        }
        const row = y0 + y;
        s.sumX += x;
        s.sumY += row;
        s.sumXX += x * x;
        s.sumYY += row * row;
        s.sumXY += x * row;
        continue;
      }
      // an unchanged pixel is in the ring of every component beside it, once per shared edge
      if (y > 0 && labels[i - width]) addRingEdge(sums[labels[i - width] - 1], nearBuilding[i]);
      if (y < height - 1 && labels[i + width]) addRingEdge(sums[labels[i + width] - 1], nearBuilding[i]);
      if (x > 0 && labels[i - 1]) addRingEdge(sums[labels[i - 1] - 1], nearBuilding[i]);
      if (x < width - 1 && labels[i + 1]) addRingEdge(sums[labels[i + 1] - 1], nearBuilding[i]);
    }
  }
  return { sums, first };
}

/** True when the pixels 1 and 2 px away along the axes (those inside the strip) share the label. */
function isInterior(labels: Int32Array, width: number, height: number, x: number, y: number, label: number): boolean {
  for (let d = 1; d <= 2; d++) {
    if (x - d < 0 || x + d >= width) return false;
    if (labels[y * width + x - d] !== label || labels[y * width + x + d] !== label) return false;
    if (y - d >= 0 && labels[(y - d) * width + x] !== label) return false;
    if (y + d < height && labels[(y + d) * width + x] !== label) return false;
  }
  return true;
}

function emptySums(): RegionSums {
  return {
    pixels: 0,
    heightPixels: 0,
    sumHeightChange: 0,
    extremeHeightChange: 0,
    groundPixels: 0,
    sumHeightBefore: 0,
    sumHeightAfter: 0,
    interiorHeightPixels: 0,
    sumInteriorHeightChange: 0,
    interiorGroundPixels: 0,
    sumInteriorHeightBefore: 0,
    sumInteriorHeightAfter: 0,
    probabilityPixels: 0,
    sumProbability: 0,
    ringPixels: 0,
    ringOnBuilding: 0,
    roughnessPixels: 0,
    roughPixels: 0,
    topPixels: 0,
    sumTopX: 0,
    sumTopY: 0,
    sumTopZ: 0,
    sumTopXX: 0,
    sumTopYY: 0,
    sumTopXY: 0,
    sumTopXZ: 0,
    sumTopYZ: 0,
    sumTopZZ: 0,
    greennessPixels: 0,
    greenPixels: 0,
    sumX: 0,
    sumY: 0,
    sumXX: 0,
    sumYY: 0,
    sumXY: 0,
  };
}

function addTopSurface(s: RegionSums, x: number, y: number, z: number): void {
  s.topPixels++;
  s.sumTopX += x;
  s.sumTopY += y;
  s.sumTopZ += z;
  s.sumTopXX += x * x;
  s.sumTopYY += y * y;
  s.sumTopXY += x * y;
  s.sumTopXZ += x * z;
  s.sumTopYZ += y * z;
  s.sumTopZZ += z * z;
}

function addRingEdge(sums: RegionSums, nearBuilding: number): void {
  sums.ringPixels++;
  sums.ringOnBuilding += nearBuilding;
}

function root(region: OpenRegion): OpenRegion {
  while (region.mergedInto) region = region.mergedInto;
  return region;
}

/** Joins the regions of two pieces: sums add, outlines wait for the union at the end. */
function merge(a: OpenRegion, b: OpenRegion): void {
  const into = root(a);
  const from = root(b);
  if (into === from) return;
  const s = into.sums;
  const t = from.sums;
  // every sum adds up, but the extreme height change, which keeps the larger
  for (const key of Object.keys(t) as (keyof RegionSums)[]) if (key !== 'extremeHeightChange') s[key] += t[key];
  if (Math.abs(t.extremeHeightChange) > Math.abs(s.extremeHeightChange)) s.extremeHeightChange = t.extremeHeightChange;
  into.pieces.push(...from.pieces);
  into.first = Math.min(into.first, from.first);
  from.mergedInto = into;
}

function shiftRows(polygons: PolygonRings[], rows: number): PolygonRings[] {
  return polygons.map((rings) => rings.map((ring) => ring.map(([x, y]): [number, number] => [x, y + rows])));
}
