/**
 * The measurement pass of a survey: the window around one kept region is read again (DSM, ground),
 * its patch of building pixels split into buildings and rooftop structures (roofs.ts), and each
 * building measured: roof heights above ground, floors, roof form, its structures, and its
 * regularised footprint.
 */
import type { PolygonRings } from '../../geo/geojson.js';
import { burnPolygons } from '../../geo/rasterize.js';
import { polygonsArea, polygonsBounds } from '../../geo/measure.js';
import { labelComponents, pixelToMap, traceComponents } from '../../geo/polygonize.js';
import type { AnalysisGrid, PixelWindow } from '../../raster/types.js';
import type { ChangeRegion } from '../types.js';
import type { Building, RoofForm, RooftopStructure, SurveyThresholds } from './building.js';
import { regularisePolygons } from './regularise.js';
import { median, splitRoofs, type RoofRule } from './roofs.js';
import { cropped, cropSurface, isInterior, readSurface, roughnessRadius, wallBandPx, type SurveyRasters, type SurveySurface } from './surface.js';
import { guardRule, partFacts } from './guard.js';

/** A building as measured, before it is numbered; `firstPixel` its first pixel's grid index in scan order. */
export interface MeasuredBuilding {
  firstPixel: number;
  building: Omit<Building, 'id' | 'rooftopStructures'>;
  structures: Omit<RooftopStructure, 'id'>[];
}

/** Height step (m) between neighbouring roofs that makes them two buildings (or a structure on a roof). */
const roofStepM = 1.5;
/** Floors stand below the eaves: a pitched roof's are about as high as its lowest 5 % (its attic is no floor). */
const eavesPercentile = 0.05;
/** A roof is flat when this share of it lies within `flatBandM` (m) of one height. */
const flatShare = 0.5;
const flatBandM = 0.15;

/** The buildings of one region, measured, and the rules that the parts split from it and rejected broke. */
export async function measureRegion(inputs: SurveyRasters, region: ChangeRegion, thresholds: SurveyThresholds): Promise<{ buildings: MeasuredBuilding[]; rejected: string[] }> {
  const { grid } = inputs;
  const regionSurface = await readSurface(inputs, regionWindow(grid, region), thresholds.minHeightM);
  const { width, height } = regionSurface.window;
  const pixelAreaM2 = Math.abs(grid.geoTransform[1] * grid.geoTransform[5]);
  // the patch's pixels with heights of their own; enclosed holes are filled back below
  const mask = patchOf(regionSurface, region, grid).map((m, i) => (m && regionSurface.aboveGround[i] >= thresholds.minHeightM ? 1 : 0));
  fillHoles(mask, regionSurface.aboveGround, width, height, thresholds.minAreaM2 / pixelAreaM2);
  const rule: RoofRule = {
    stepM: roofStepM,
    stepRadiusPx: roughnessRadius(grid),
    minBuildingPx: thresholds.minAreaM2 / pixelAreaM2,
    minStructurePx: thresholds.rooftopMinAreaM2 / pixelAreaM2,
    minStructureHeightM: thresholds.rooftopMinHeightM,
  };
  const { labels: regionLabels, standsOn } = splitRoofs(regionSurface.aboveGround, mask, width, height, rule);
  restoreWalls(regionLabels, regionSurface, wallBandPx(grid));
  const measured: MeasuredBuilding[] = [];
  const rejected: string[] = [];
  // each building is measured in the box around it and its structures, not the whole window
  const boxes = labelBoxes(regionLabels, width, height, standsOn);
  standsOn.forEach((on, k) => {
    if (on !== 0 || !boxes[k]) return;
    const label = k + 1;
    const surface = cropSurface(regionSurface, boxes[k]);
    const { window } = surface;
    const labels = cropped(regionLabels, width, boxes[k]);
    const roof = Uint8Array.from(labels, (l) => (l === label ? 1 : 0));
    const footprint = Uint8Array.from(labels, (l) => (l === label || (l > 0 && standsOn[l - 1] === label) ? 1 : 0));
    const pixels = footprint.reduce((n, v) => n + v, 0);
    if (pixels < rule.minBuildingPx) return void rejected.push(`smaller than ${thresholds.minAreaM2} m²`);
    const roofHeights = heightsOf(roof, surface);
    const roofHeightM = median(roofHeights);
    // a part of soft DSM edges and fills, its roof under the least height, is no building
    if (!(roofHeightM >= thresholds.minHeightM)) return void rejected.push(`lower than ${thresholds.minHeightM} m`);
    const form = roofForm(roof, surface);
    const guarded = guardRule(partFacts(roof, pixels * pixelAreaM2, roofHeightM, form, surface, grid));
    if (guarded) return void rejected.push(guarded);
    const structures = standsOn.flatMap((s, j) => (s === label ? [measureStructure(Uint8Array.from(labels, (l) => (l === j + 1 ? 1 : 0)), surface, grid, roofHeightM)] : []));
    const polygons = outline(footprint, pixels, window, grid);
    measured.push({
      firstPixel: (window.y + Math.floor(footprint.indexOf(1) / window.width)) * grid.width + window.x + (footprint.indexOf(1) % window.width),
      building: {
        polygons,
        areaM2: polygonsArea(polygons),
        pixelAreaM2: pixels * pixelAreaM2,
        roofHeightM,
        roofHeightMaxM: percentile(roofHeights, 0.99),
        floors: Math.max(1, Math.round((form === 'flat' ? roofHeightM : percentile(roofHeights, eavesPercentile)) / thresholds.storeyHeightM)),
        roofForm: form,
      },
      structures: structures.sort((a, b) => b.areaM2 - a.areaM2),
    });
  });
  return { buildings: measured, rejected };
}

/**
 * Gives back to each part the pixels along its walls that the crown mask took (the DSM is rough
 * astride every wall, and where the band is wide, as between a stair room and its facade, the
 * mask keeps it), up to `rings` pixels out: those at its roof's level, or on its wall above half
 * its height. A tree beside a building loses a rim of the same width to it at most.
 */
function restoreWalls(labels: Int32Array, surface: SurveySurface, rings: number): void {
  const { width, height } = surface.window;
  const { aboveGround, crown } = surface;
  const heights = new Map<number, number[]>();
  labels.forEach((l, i) => {
    if (!l || aboveGround[i] !== aboveGround[i]) return;
    if (!heights.has(l)) heights.set(l, []);
    heights.get(l)!.push(aboveGround[i]);
  });
  const level = new Map([...heights].map(([l, h]) => [l, median(h)]));
  for (let ring = 0; ring < rings; ring++) {
    const before = labels.slice();
    for (let y = 0, i = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i++) {
        if (before[i] || !crown[i]) continue;
        for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1]) {
          const roof = j >= 0 && before[j] ? level.get(before[j])! : Number.NaN;
          if (aboveGround[i] >= 0.5 * roof && aboveGround[i] <= roof + roofStepM) {
            labels[i] = before[j];
            break;
          }
        }
      }
    }
  }
}

/**
 * For each building part (index label − 1), the box of its pixels and its structures' with a pixel
 * to spare, in window pixels; undefined for other parts.
 */
function labelBoxes(labels: Int32Array, width: number, height: number, standsOn: (number | null)[]): (PixelWindow | undefined)[] {
  const bounds: number[][] = standsOn.map(() => [Infinity, Infinity, -Infinity, -Infinity]);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (!labels[i]) continue;
      const on = standsOn[labels[i] - 1];
      const b = bounds[on ? on - 1 : labels[i] - 1];
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    }
  }
  return bounds.map(([x0, y0, x1, y1], k) => {
    if (standsOn[k] !== 0 || x0 === Infinity) return undefined;
    const x = Math.max(0, x0 - 1);
    const y = Math.max(0, y0 - 1);
    return { x, y, width: Math.min(width, x1 + 2) - x, height: Math.min(height, y1 + 2) - y };
  });
}

/** The region's pixel bounds on the grid, two pixels wider on every side (within the grid). */
function regionWindow(grid: AnalysisGrid, region: ChangeRegion): PixelWindow {
  const [originX, gsd, , originY] = grid.geoTransform;
  const [minX, minY, maxX, maxY] = polygonsBounds(region.polygons);
  const x0 = Math.max(0, Math.floor((minX - originX) / gsd) - 2);
  const x1 = Math.min(grid.width, Math.ceil((maxX - originX) / gsd) + 2);
  const y0 = Math.max(0, Math.floor((originY - maxY) / gsd) - 2);
  const y1 = Math.min(grid.height, Math.ceil((originY - minY) / gsd) + 2);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The connected patch of building pixels in the window that the region's outline covers most. */
function patchOf(surface: SurveySurface, region: ChangeRegion, grid: AnalysisGrid): Uint8Array {
  const { window } = surface;
  const [originX, gsd, , originY] = grid.geoTransform;
  const inside = new Uint8Array(window.width * window.height);
  burnPolygons(inside, window.width, window.height, [originX + window.x * gsd, gsd, 0, originY - window.y * gsd, 0, -gsd], region.polygons);
  const { labels, count } = labelComponents(surface.building, window.width, window.height);
  const overlap = new Array<number>(count + 1).fill(0);
  for (let i = 0; i < labels.length; i++) if (inside[i] && labels[i]) overlap[labels[i]]++;
  const best = overlap.indexOf(Math.max(...overlap.slice(1)));
  return Uint8Array.from(labels, (l) => (l === best ? 1 : 0));
}

/**
 * Fills the holes of the patch that are no courtyard: smaller than `maxPx`, or mostly without
 * heights (DSM holes on featureless roofs and at steep edges).
 */
function fillHoles(mask: Uint8Array, aboveGround: Float32Array, width: number, height: number, maxPx: number): void {
  const { labels, count } = labelComponents(Uint8Array.from(mask, (m) => 1 - m), width, height);
  const size = new Array<number>(count + 1).fill(0);
  const missing = new Array<number>(count + 1).fill(0);
  const border = new Uint8Array(count + 1);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const l = labels[i];
      if (!l) continue;
      size[l]++;
      if (aboveGround[i] !== aboveGround[i]) missing[l]++;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) border[l] = 1;
    }
  }
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l && !border[l] && (size[l] < maxPx || missing[l] * 2 > size[l])) mask[i] = 1;
  }
}

/** Heights above ground of the part's interior pixels (all its pixels when the interior is a small part of it). */
function heightsOf(part: Uint8Array, surface: SurveySurface): number[] {
  const all: number[] = [];
  const interior: number[] = [];
  const { width, height } = surface.window;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const h = surface.aboveGround[i];
      if (!part[i] || h !== h) continue;
      all.push(h);
      if (isInterior(part, width, height, x, y)) interior.push(h);
    }
  }
  return interior.length >= Math.max(10, 0.2 * all.length) ? interior : all;
}

/** A rooftop structure's outline and heights. */
function measureStructure(part: Uint8Array, surface: SurveySurface, grid: AnalysisGrid, roofHeightM: number): Omit<RooftopStructure, 'id'> {
  const pixels = part.reduce((n, v) => n + v, 0);
  const polygons = outline(part, pixels, surface.window, grid);
  const heightM = median(heightsOf(part, surface));
  return { polygons, areaM2: polygonsArea(polygons), heightAboveRoofM: heightM - roofHeightM, heightM };
}

/** The regularised outline of the `pixels` pixels of `part`, in map coordinates. */
function outline(part: Uint8Array, pixels: number, window: PixelWindow, grid: AnalysisGrid): PolygonRings[] {
  const traced = traceComponents({ labels: Int32Array.from(part), count: 1 }, window.width, window.height)[0];
  return pixelToMap(regularisePolygons(traced, pixels), grid.geoTransform, window.x, window.y);
}

/**
 * Flat when one horizontal plane fits most of the roof within `flatBandM`: the bare slab of a
 * flat roof lies at one height whatever stands on it (tanks, solar heaters, panels), while a
 * pitched roof spreads its heights evenly from the eaves to the ridge.
 */
function roofForm(roof: Uint8Array, surface: SurveySurface): RoofForm {
  const { width, height } = surface.window;
  const heights: number[] = [];
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (roof[i] && surface.dsm[i] === surface.dsm[i] && isInterior(roof, width, height, x, y)) heights.push(surface.dsm[i]);
    }
  }
  if (heights.length === 0) return 'flat';
  const sorted = Float64Array.from(heights).sort();
  let most = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] > 2 * flatBandM) lo++;
    most = Math.max(most, hi - lo + 1);
  }
  return most >= flatShare * sorted.length ? 'flat' : 'pitched';
}

/** The value below which a share `q` of the values lie (NaN when there are none). */
function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
