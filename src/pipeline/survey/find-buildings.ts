/**
 * Buildings from one flight (issue 17): the grid streams through in full-width strips, whose
 * building pixels (at least the minimum height above ground, no tree crown) the detect job's
 * vectorizer joins into regions with their sums, merged across strips; each region is judged
 * (area, guard.ts: rough tree crowns, vehicles), and each kept one measured in a window of its own
 * (measure.ts), where the buildings split from it are judged again. The crowns' rough patches go
 * through a vectorizer of their own, to be counted. Memory holds a strip, a window and the kept
 * regions' outlines.
 */
import type { ChangeRegion, ChangeStrip, ProgressFactory } from '../types.js';
import { createVectorizer, regionMeasurements } from '../vectorize.js';
import type { Building, SurveyThresholds } from './building.js';
import { guardRule } from './guard.js';
import { measureRegion, type MeasuredBuilding } from './measure.js';
import { readSurface, type SurveyRasters, type SurveySurface } from './surface.js';

export type { SurveyRasters } from './surface.js';

/** What a survey found: its buildings, the regions rejected by rule, and the footprints' area before and after regularisation. */
export interface SurveyFindings {
  buildings: Building[];
  rejected: Record<string, number>;
  regularisation: { pixelAreaM2: number; areaM2: number };
}

/** Grid rows per strip. */
const stripRows = 256;

/** Finds and measures the buildings standing in one flight's rasters. */
export async function findBuildings(inputs: SurveyRasters, thresholds: SurveyThresholds, progress: ProgressFactory): Promise<SurveyFindings> {
  const { grid } = inputs;
  const rejected: Record<string, number> = {};
  const kept: ChangeRegion[] = [];
  const vectorizer = createVectorizer(grid, {
    simplifyTolerancePx: 0.75,
    onRegion(region) {
      const rule = rejection(region, thresholds);
      if (rule) rejected[rule] = (rejected[rule] ?? 0) + 1;
      else kept.push(region);
    },
  });
  // tree crowns' rough patches are no building pixels; those large enough for a building are counted
  const crownRule = 'vegetation: a rough surface, a tree crown?';
  const crowns = createVectorizer(grid, {
    simplifyTolerancePx: 0.75,
    onRegion(region) {
      if (region.pixelAreaM2 >= thresholds.minAreaM2) rejected[crownRule] = (rejected[crownRule] ?? 0) + 1;
    },
  });
  const bar = progress('buildings', Math.ceil(grid.height / stripRows), 'strips');
  for (let y0 = 0; y0 < grid.height; y0 += stripRows) {
    const window = { x: 0, y: y0, width: grid.width, height: Math.min(stripRows, grid.height - y0) };
    const surface = await readSurface(inputs, window, thresholds.minHeightM);
    vectorizer.addStrip(buildingStrip(surface, surface.building));
    crowns.addStrip(buildingStrip(surface, surface.crown));
    bar.tick();
  }
  bar.done();
  vectorizer.finish();
  crowns.finish();
  const measureBar = progress('measure', kept.length, 'regions');
  const measured: MeasuredBuilding[] = [];
  for (const region of kept) {
    const result = await measureRegion(inputs, region, thresholds);
    measured.push(...result.buildings);
    for (const rule of result.rejected) rejected[rule] = (rejected[rule] ?? 0) + 1;
    measureBar.tick();
  }
  measureBar.done();
  measured.sort((a, b) => a.firstPixel - b.firstPixel);
  const buildings = measured.map(({ building, structures }, i): Building => {
    const id = `b${String(i + 1).padStart(5, '0')}`;
    return { id, ...building, rooftopStructures: structures.map((s, k) => ({ id: `${id}-r${k + 1}`, ...s })) };
  });
  const regularisation = { pixelAreaM2: 0, areaM2: 0 };
  for (const b of buildings) {
    regularisation.pixelAreaM2 += b.pixelAreaM2;
    regularisation.areaM2 += b.areaM2;
  }
  return { buildings, rejected, regularisation };
}

/** A strip for the vectorizer: the pixels of `mask` changed, heights above ground as the height after. */
function buildingStrip(surface: SurveySurface, mask: Uint8Array): ChangeStrip {
  const { window, aboveGround } = surface;
  const size = window.width * window.height;
  return {
    y0: window.y,
    width: window.width,
    height: window.height,
    change: mask,
    heightChange: aboveGround,
    heightBefore: aboveGround.map((h) => (h === h ? 0 : Number.NaN)),
    heightAfter: aboveGround,
    nearBuilding: new Uint8Array(size),
    probability: new Float32Array(size).fill(Number.NaN),
    roughness: surface.roughness,
    topSurface: surface.dsm,
    greenness: surface.greenness,
  };
}

/** The rule a region breaks, or null for a building to measure. */
function rejection(region: ChangeRegion, thresholds: SurveyThresholds): string | null {
  if (region.pixelAreaM2 < thresholds.minAreaM2) return `smaller than ${thresholds.minAreaM2} m²`;
  const m = regionMeasurements(region);
  const { roughShare, greenShare, lengthM, widthM } = m;
  return guardRule({ areaM2: region.pixelAreaM2, heightM: m.heightAfterM ?? 0, roughShare, greenShare, roofForm: null, faceResidualM: null, lengthM, widthM });
}
