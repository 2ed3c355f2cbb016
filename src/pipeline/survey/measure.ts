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
import { readSurface, roughnessRadius, type SurveyRasters, type SurveySurface } from './surface.js';

/** A building as measured, before it is numbered; `firstPixel` its first pixel's grid index in scan order. */
export interface MeasuredBuilding {
  firstPixel: number;
  building: Omit<Building, 'id' | 'rooftopStructures'>;
  structures: Omit<RooftopStructure, 'id'>[];
}

/** Height step (m) between neighbouring roofs that makes them two buildings (or a structure on a roof). */
const roofStepM = 1.5;
/** Pixels this far (px) inside a roof give its heights: DSM edges are soft. */
const interiorPx = 2;
/** A roof is flat when its median local slope stays under this (rise over run, about 6°)… */
const flatSlope = 0.1;
/** …and one plane fits it within this (m, root mean square, rooftop objects aside). */
const flatResidualM = 0.2;
/** Points further than this (m) from the first plane fit are rooftop objects, left out of the second. */
const planeOutlierM = 0.5;

/** The buildings of one region, measured; an empty list when none is left after the split. */
export async function measureRegion(inputs: SurveyRasters, region: ChangeRegion, thresholds: SurveyThresholds): Promise<MeasuredBuilding[]> {
  const { grid } = inputs;
  const window = regionWindow(grid, region);
  const surface = await readSurface(inputs, window, thresholds.minHeightM);
  const { width, height } = window;
  const pixelAreaM2 = Math.abs(grid.geoTransform[1] * grid.geoTransform[5]);
  const mask = patchOf(surface, region, grid);
  fillHoles(mask, surface.aboveGround, width, height, thresholds.minAreaM2 / pixelAreaM2);
  const rule: RoofRule = {
    stepM: roofStepM,
    stepRadiusPx: roughnessRadius(grid),
    minBuildingPx: thresholds.minAreaM2 / pixelAreaM2,
    minStructurePx: thresholds.rooftopMinAreaM2 / pixelAreaM2,
    minStructureHeightM: thresholds.rooftopMinHeightM,
  };
  const { labels, standsOn } = splitRoofs(surface.dsm, mask, width, height, rule);
  const measured: MeasuredBuilding[] = [];
  standsOn.forEach((on, k) => {
    if (on !== 0) return;
    const label = k + 1;
    const roof = Uint8Array.from(labels, (l) => (l === label ? 1 : 0));
    const footprint = Uint8Array.from(labels, (l) => (l === label || (l > 0 && standsOn[l - 1] === label) ? 1 : 0));
    const pixels = footprint.reduce((n, v) => n + v, 0);
    if (pixels < rule.minBuildingPx) return;
    const roofHeights = heightsOf(roof, surface);
    const roofHeightM = median(roofHeights);
    const structures = standsOn.flatMap((s, j) => (s === label ? [measureStructure(Uint8Array.from(labels, (l) => (l === j + 1 ? 1 : 0)), surface, grid, roofHeightM)] : []));
    const polygons = outline(footprint, pixels, window, grid);
    measured.push({
      firstPixel: (window.y + Math.floor(footprint.indexOf(1) / width)) * grid.width + window.x + (footprint.indexOf(1) % width),
      building: {
        polygons,
        areaM2: polygonsArea(polygons),
        pixelAreaM2: pixels * pixelAreaM2,
        roofHeightM,
        roofHeightMaxM: percentile(roofHeights, 0.99),
        floors: Math.max(1, Math.round(roofHeightM / thresholds.storeyHeightM)),
        roofForm: roofForm(roof, surface, grid),
      },
      structures: structures.sort((a, b) => b.areaM2 - a.areaM2),
    });
  });
  return measured;
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

function isInterior(part: Uint8Array, width: number, height: number, x: number, y: number): boolean {
  if (x < interiorPx || y < interiorPx || x >= width - interiorPx || y >= height - interiorPx) return false;
  for (let d = 1; d <= interiorPx; d++) {
    const i = y * width + x;
    if (!part[i - d] || !part[i + d] || !part[i - d * width] || !part[i + d * width]) return false;
  }
  return true;
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
 * Flat when the roof's median local slope is small and one plane fits it closely (rooftop objects
 * aside); pitched otherwise (gables, hips, mono-pitch roofs).
 */
function roofForm(roof: Uint8Array, surface: SurveySurface, grid: AnalysisGrid): RoofForm {
  const gsd = grid.geoTransform[1];
  const { width, height } = surface.window;
  const r = roughnessRadius(grid);
  const points: [number, number, number][] = [];
  const slopes: number[] = [];
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (!roof[i] || surface.dsm[i] !== surface.dsm[i] || !isInterior(roof, width, height, x, y)) continue;
      points.push([x * gsd, y * gsd, surface.dsm[i]]);
      const slope = localSlope(surface.dsm, roof, width, height, x, y, r);
      if (slope !== null) slopes.push(slope / gsd);
    }
  }
  if (points.length < 10) return 'pitched';
  let plane = fitPlane(points);
  const inliers = points.filter((p) => Math.abs(p[2] - planeAt(plane, p)) <= planeOutlierM);
  if (inliers.length >= 10) plane = fitPlane(inliers);
  const residual = Math.sqrt(inliers.reduce((sum, p) => sum + (p[2] - planeAt(plane, p)) ** 2, 0) / Math.max(1, inliers.length));
  const tilt = Math.hypot(plane[1], plane[2]);
  const flat = tilt <= flatSlope && residual <= flatResidualM && (slopes.length === 0 || median(slopes) <= flatSlope);
  return flat ? 'flat' : 'pitched';
}

/** Slope (m per pixel) of the plane fitted to the (2r+1)² window around a pixel, or null when it leaves the roof. */
function localSlope(dsm: Float32Array, roof: Uint8Array, width: number, height: number, x: number, y: number, r: number): number | null {
  if (x < r || y < r || x >= width - r || y >= height - r) return null;
  let su = 0;
  let sv = 0;
  for (let v = -r; v <= r; v++) {
    for (let u = -r; u <= r; u++) {
      const j = (y + v) * width + x + u;
      if (!roof[j] || dsm[j] !== dsm[j]) return null;
      su += u * dsm[j];
      sv += v * dsm[j];
    }
  }
  const uu = (2 * r + 1) * ((r * (r + 1) * (2 * r + 1)) / 3);
  return Math.hypot(su / uu, sv / uu);
}

/** Least-squares plane z = a + b·x + c·y through the points, as [a, b, c]. */
function fitPlane(points: [number, number, number][]): [number, number, number] {
  const n = points.length;
  let mx = 0, my = 0, mz = 0;
  for (const [x, y, z] of points) {
    mx += x / n;
    my += y / n;
    mz += z / n;
  }
  let xx = 0, yy = 0, xy = 0, xz = 0, yz = 0;
  for (const [x, y, z] of points) {
    xx += (x - mx) ** 2;
    yy += (y - my) ** 2;
    xy += (x - mx) * (y - my);
    xz += (x - mx) * (z - mz);
    yz += (y - my) * (z - mz);
  }
  const det = xx * yy - xy * xy;
  if (!(Math.abs(det) > 1e-12)) return [mz, 0, 0];
  const b = (xz * yy - yz * xy) / det;
  const c = (yz * xx - xz * xy) / det;
  return [mz - b * mx - c * my, b, c];
}

function planeAt([a, b, c]: [number, number, number], [x, y]: [number, number, number]): number {
  return a + b * x + c * y;
}

/** The value below which a share `q` of the values lie (NaN when there are none). */
function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
