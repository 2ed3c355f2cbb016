/**
 * The global steps of a detect, before any strip is fused: ingest, the height offset and ground,
 * the co-registration and the fusion rule (`planDetect`), and the segments of the grid that are
 * fused one after another (`fusionSegments`).
 */
import type { ModelManifest } from '../../model/types.js';
import type { AnalysisGrid } from '../../raster/types.js';
import { coarsePass } from '../coarse-pass.js';
import { estimateShift, type EpochShift } from '../coregister.js';
import type { FusionRule } from '../fuse.js';
import type { CoarseHeights } from '../ground.js';
import { ingest, type IngestInputs, type IngestMode } from '../ingest.js';
import { planTiles } from '../tile-plan.js';
import { effectiveHeightThreshold } from '../thresholds.js';
import type { ProgressFactory } from '../types.js';
import { offsetAt, type VerticalOffset } from '../../geo/vertical-offset.js';
import { stageTimer } from './stage-timer.js';
import type { DetectJob } from './run-detect.js';

/** Grid pixels of the DSM-only strips (no model tiles to follow). */
const dsmStripRows = 256;

/**
 * What the global steps of a detect decided (ingest, height offset and ground, co-registration):
 * enough for any process to fuse any rows of the grid exactly as the single-process run does. A
 * queued job stores it as JSON on its row (`queue/plan-json.ts`).
 */
export interface DetectPlan {
  mode: IngestMode;
  grid: AnalysisGrid;
  gridCrsReason: string;
  offset: VerticalOffset | null;
  /** The ground on its coarse grid (none without a DSM pair). */
  ground: CoarseHeights | null;
  shift: EpochShift | null;
  rule: FusionRule;
  /** The model's name, version and tiles; null without both orthophotos. */
  model: { name: string; version: string; tileSize: number; overlap: number } | null;
  warnings: string[];
  /** Times of the global steps. */
  stagesMs: Record<string, number>;
}

/** Rows [y0, y1) of the grid fused after one another; with a model, segment r holds the rows no tile below row r touches. */
export interface FusionSegment {
  y0: number;
  y1: number;
}

/** The global steps: ingest, the height offset and ground, the co-registration, and the fusion rule. */
export async function planDetect(job: DetectJob, sources: IngestInputs, manifest: ModelManifest | null, progress: ProgressFactory): Promise<DetectPlan> {
  const stagesMs: Record<string, number> = {};
  const time = stageTimer(stagesMs);
  const gsd = manifest?.gsd_m ?? 0.2;
  const ingested = await time('ingest', () => ingest(sources, { gsd }));
  const { grid, mode } = ingested;
  const { offset, ground, warnings } = await time('height offset', () => coarsePass(ingested, { progress }));
  const shift =
    offset && sources.beforeDsm && sources.afterDsm
      ? await time('co-registration', () => estimateShift(sources.beforeDsm!, sources.afterDsm!, grid, (x, y) => offsetAt(offset, x, y)))
      : null;
  const rule: FusionRule = {
    heightThresholdM: effectiveHeightThreshold(job.thresholds, offset?.spread ?? 0),
    probabilityThreshold: job.thresholds.probability ?? manifest?.threshold ?? 0.5,
    misregistrationPx: Math.ceil(job.thresholds.misregistrationM / gsd),
    buildingHeightM: job.thresholds.buildingHeightM,
    roughnessRadiusPx: Math.max(1, Math.round(0.4 / gsd)),
  };
  return {
    mode, grid, gridCrsReason: ingested.gridCrsReason, offset, ground: ground?.coarse ?? null, shift, rule, warnings, stagesMs,
    model: manifest ? { name: manifest.name, version: manifest.version, tileSize: manifest.tile_size, overlap: manifest.overlap } : null,
  };
}

/** The fusion segments of a plan, top to bottom, covering the grid (some may be empty). */
export function fusionSegments(plan: Pick<DetectPlan, 'grid' | 'model'>): FusionSegment[] {
  const { grid, model } = plan;
  const bottoms: number[] = [];
  if (model) {
    const rowTops = planTiles(grid, model).filter((tile) => tile.column === 0).map((tile) => Math.max(0, tile.window.y));
    // segment r ends where tile row r + 1 begins: the rows above are final once row r has run
    for (let row = 0; row < rowTops.length; row++) bottoms.push(row + 1 < rowTops.length ? rowTops[row + 1] : grid.height);
  } else {
    for (let y = dsmStripRows; y < grid.height + dsmStripRows; y += dsmStripRows) bottoms.push(Math.min(y, grid.height));
  }
  return bottoms.map((y1, n) => ({ y0: n === 0 ? 0 : bottoms[n - 1], y1 }));
}
