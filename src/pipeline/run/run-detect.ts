/**
 * The detect job (DESIGN.md section 4): ingest → tile plan → read+align → infer and height change
 * → fuse → vectorize and merge seams → measure and classify → outputs. Streams one row of tiles
 * at a time, so memory stays bounded whatever the raster size. It runs on opened `RasterSource`s
 * (files, URLs or in-memory rasters): `runDetectJob` opens a job's files for the CLI and the service.
 */
import { availableParallelism } from 'node:os';
import { loadChangeModel } from '../../model/onnx-change-model.js';
import type { ChangeModel } from '../../model/types.js';
import type { AnalysisGrid, PixelWindow } from '../../raster/types.js';
import { coarsePass } from '../coarse-pass.js';
import { estimateShift, shiftedGrid, type EpochShift } from '../coregister.js';
import { fuseStrip, fusionMargin, type FusionRule } from '../fuse.js';
import { groundSurface, type CoarseHeights, type GroundSurface } from '../ground.js';
import { inferTiles, probabilityRows, type InferTimings, type TileValues } from '../infer.js';
import { ingest, type IngestInputs, type IngestMode, type IngestResult } from '../ingest.js';
import { regionJudge } from '../judge-regions.js';
import { checkIds, detectOutputFolder, writeEvidence, writeResults } from '../outputs/index.js';
import { openChangeRasters } from '../outputs/change-rasters.js';
import { freshFolder, type FreshFolder } from '../../files.js';
import type { Database } from '../../db/connect.js';
import { stageTimer, type StageTimer } from './stage-timer.js';
import { finishOutputs, judge, type Judgement } from './finish-outputs.js';
import { readHeights } from '../../raster/read-aligned.js';
import { planTiles } from '../tile-plan.js';
import { effectiveHeightThreshold, type DetectionThresholds } from '../thresholds.js';
import type { ChangeStrip, ProgressFactory } from '../types.js';
import { createVectorizer } from '../vectorize.js';
import { offsetAt, type VerticalOffset } from '../../geo/vertical-offset.js';

/** The rasters of a job, as file paths or URLs, and where the results go. */
export interface DetectJob {
  beforeOrtho?: string;
  afterOrtho?: string;
  beforeDsm?: string;
  afterDsm?: string;
  beforeDtm?: string;
  out: string;
  /** Model name in models/ or path to an .onnx. */
  model: string;
  threads?: number;
  thresholds: DetectionThresholds;
  /** Flight dates (YYYY-MM-DD); the after date decides which plans are valid. */
  beforeDate?: string;
  afterDate?: string;
}

/** Where the candidates are judged against plans and emitted as cases. */
export interface OverlayTarget {
  db: Database;
  /** Evidence store folder. */
  evidenceDir: string;
  afterDate: string;
  /** The queued `jobs` row to fill (service jobs); without one a row is inserted. */
  jobId?: number;
  /**
   * Called inside the overlay's transaction once the cases are emitted, with the summary as it
   * stands: a queued job marks its row done there, so that its cases commit exactly once.
   */
  onJudged?: (db: Database, summary: DetectSummary) => Promise<void>;
}

/** What a run found and how long each stage took. */
export interface DetectSummary {
  mode: IngestResult['mode'];
  candidates: number;
  byKind: Record<string, number>;
  rejected: Record<string, number>;
  tiles: { planned: number; inferred: number; tilesPerS: number };
  stagesMs: Record<string, number>;
  /** What looks wrong with the inputs without stopping the run (DSM heights implausible for metres). */
  warnings: string[];
  /** Rows a queued run could not analyse, blank in its results; absent when every row was. */
  missing?: MissingRows[];
  [key: string]: unknown;
}

/** Rows of the grid a queued run left blank: their batch failed on bad input (`reason`). */
export interface MissingRows {
  batch: number;
  /** Grid rows [y0, y1). */
  rows: [number, number];
  /** [minX, minY, maxX, maxY] in the grid's CRS. */
  extent: [number, number, number, number];
  reason: string;
}

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

/** What fusing a run of segments counted, for the summary. */
export interface FusionTally {
  tilesInferred: number;
}

/**
 * Runs a detect job on its rasters (`sources`, left open for the caller to close) and writes its
 * outputs; with an overlay target the candidates are also stored, judged against plans and emitted
 * as cases. Returns the summary written to summary.json. The output folder is checked first, before
 * any work. A queued job runs the same three parts (`planDetect`, `fusedStrips` over strip
 * batches, `finishDetect`) in worker processes.
 */
export async function runDetect(job: DetectJob, sources: IngestInputs, progress: ProgressFactory, overlay?: OverlayTarget): Promise<DetectSummary> {
  const startedAt = Date.now();
  const output = await freshFolder(job.out, detectOutputFolder);
  let model: ChangeModel | null = null;
  try {
    model = await loadJobModel(job, sources);
    const plan = await planDetect(job, sources, model, progress);
    const stagesMs = { ...plan.stagesMs };
    const tally: FusionTally = { tilesInferred: 0 };
    const segments = fusionSegments(plan);
    const strips = fusedStrips(plan, sources, model, { from: 0, to: segments.length }, { progress, stagesMs, tally });
    return await finishDetect(job, sources, plan, strips, { output, progress, stagesMs, tally, startedAt }, overlay);
  } catch (err) {
    await output.remove();
    throw err;
  } finally {
    await model?.close();
  }
}

/** The job's change model, when it has both orthophotos; null otherwise. */
export async function loadJobModel(job: DetectJob, sources: IngestInputs): Promise<ChangeModel | null> {
  const needsModel = Boolean(sources.beforeOrtho && sources.afterOrtho);
  return needsModel ? loadChangeModel(job.model, { threads: job.threads ?? availableParallelism() }) : null;
}

/** The global steps: ingest, the height offset and ground, the co-registration, and the fusion rule. */
export async function planDetect(job: DetectJob, sources: IngestInputs, model: ChangeModel | null, progress: ProgressFactory): Promise<DetectPlan> {
  const stagesMs: Record<string, number> = {};
  const time = stageTimer(stagesMs);
  const gsd = model?.manifest.gsd_m ?? 0.2;
  const ingested = await time('ingest', () => ingest(sources, { gsd }));
  const { grid, mode } = ingested;
  const { offset, ground, warnings } = await time('height offset', () => coarsePass(ingested, { progress }));
  const shift =
    offset && sources.beforeDsm && sources.afterDsm
      ? await time('co-registration', () => estimateShift(sources.beforeDsm!, sources.afterDsm!, grid, (x, y) => offsetAt(offset, x, y)))
      : null;
  const rule: FusionRule = {
    heightThresholdM: effectiveHeightThreshold(job.thresholds, offset?.spread ?? 0),
    probabilityThreshold: job.thresholds.probability ?? model?.manifest.threshold ?? 0.5,
    misregistrationPx: Math.ceil(job.thresholds.misregistrationM / gsd),
    buildingHeightM: job.thresholds.buildingHeightM,
    roughnessRadiusPx: Math.max(1, Math.round(0.4 / gsd)),
  };
  const manifest = model?.manifest;
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

/** Where `fusedStrips` reports to. */
export interface FusionRun {
  progress: ProgressFactory;
  /** Stage times, added to. */
  stagesMs: Record<string, number>;
  tally: FusionTally;
}

/**
 * The fused strips of segments [from, to), top to bottom, a few rows each. With a model, each
 * segment's tile row runs (and the row above the first, whose tiles reach into it); the next row
 * of tiles is read and runs (the model on its worker thread) while the strips of the row above are
 * fused and consumed, so the stages overlap and their times add up to more than the job's. Any
 * run of segments gives the strips the whole run gives for them, bit for bit: the same tiles in
 * the same batches, the same windows read.
 */
export async function* fusedStrips(
  plan: DetectPlan,
  sources: IngestInputs,
  model: ChangeModel | null,
  range: { from: number; to: number },
  run: FusionRun,
): AsyncGenerator<ChangeStrip> {
  const { grid, offset, shift, rule } = plan;
  const context: StripContext = {
    sources, grid, offset, rule,
    beforeGrid: shift ? shiftedGrid(grid, shift) : grid,
    ground: plan.ground && groundSurface(plan.ground),
    time: stageTimer(run.stagesMs),
  };
  const segments = fusionSegments(plan).slice(0, range.to);
  if (!model) {
    const bar = run.progress('heights', range.to - range.from, 'strips');
    for (const { y0, y1 } of segments.slice(range.from)) {
      yield* fuseChunks(context, y0, y1, undefined);
      bar.tick();
    }
    bar.done();
    return;
  }
  const tilePlan = planTiles(grid, { tileSize: model.manifest.tile_size, overlap: model.manifest.overlap });
  const start = segments[range.from].y0;
  // the first tile row reaching into the first segment
  const first = tilePlan.find((tile) => tile.window.y + tile.window.height > start)?.row ?? range.from;
  const tiles = tilePlan.filter((tile) => tile.row >= first && tile.row < range.to);
  const rows = probabilityRows(grid.width, model.manifest.tile_size, model.manifest.overlap);
  const timings: InferTimings = { readMs: 0, inferMs: 0 };
  const bar = run.progress('detect', tiles.length, 'tiles');
  const orthophotos = { before: sources.beforeOrtho!, after: sources.afterOrtho! };
  const inferRow = async (row: number): Promise<number> => {
    const rowTiles = tiles.filter((tile) => tile.row === row);
    const count = await inferTiles(model, orthophotos, { before: context.beforeGrid, after: grid }, rowTiles, rows, timings);
    bar.tick(rowTiles.length);
    return count;
  };
  let inferring = inferRow(first);
  for (let row = first; row < range.to; row++) {
    const ran = await inferring;
    // rows above the first segment ran only for the tiles reaching into it: another batch counts them
    if (row >= range.from) run.tally.tilesInferred += ran;
    // the next row's tiles add to rows below this segment only, which fusion no longer reads
    if (row + 1 < range.to) {
      inferring = inferRow(row + 1);
      // awaited on the next turn; should fusion fail first, its failure is the one reported
      inferring.catch(() => {});
    }
    const { y0, y1 } = segments[row];
    if (row >= range.from && y1 > y0) yield* fuseChunks(context, y0, y1, rows.take(y0, y1));
  }
  bar.done();
  run.stagesMs['read+align'] = (run.stagesMs['read+align'] ?? 0) + timings.readMs;
  run.stagesMs.infer = (run.stagesMs.infer ?? 0) + timings.inferMs;
}

/** Where `finishDetect` writes, and what the strips before it counted. */
export interface FinishRun extends FusionRun {
  output: FreshFolder;
  /** When the job started (ms since the epoch), for its total time. */
  startedAt: number;
  /** Rows the strips leave blank (a queued run's batches given up), for the summary. */
  missing?: MissingRows[];
}

/**
 * The last part of a detect: the fused strips, in order, through the vectorizer and into the
 * change rasters; then the candidates, evidence, outputs and (with an overlay target) the overlay
 * and case emission. The caller removes `run.output` when this fails.
 */
export async function finishDetect(
  job: DetectJob,
  sources: IngestInputs,
  plan: DetectPlan,
  strips: AsyncIterable<ChangeStrip>,
  run: FinishRun,
  overlay?: OverlayTarget,
): Promise<DetectSummary> {
  const { grid, mode, offset, shift, rule } = plan;
  const { output, progress, stagesMs, startedAt } = run;
  const time = stageTimer(stagesMs);
  const crs = grid.epsg ? `EPSG:${grid.epsg}` : grid.crs;
  const warnings = [
    ...plan.warnings,
    ...(run.missing ?? []).map(({ rows, extent, reason }) => `rows ${rows[0]}-${rows[1]} (${extent[0]},${extent[1]} - ${extent[2]},${extent[3]} in ${crs}) were not analysed: ${reason}`),
  ];
  const changeRasters = await openChangeRasters(output.path, grid, mode);
  try {
    if (changeRasters.warning) warnings.push(changeRasters.warning);
    const regions = regionJudge(job.thresholds);
    const vectorizer = createVectorizer(grid, { simplifyTolerancePx: 0.75, onRegion: regions.judge });
    for await (const strip of strips) {
      await time('outputs', () => changeRasters.addStrip(strip));
      await time('vectorize', async () => vectorizer.addStrip(strip));
    }
    const { pixelAreaM2, simplifiedAreaM2 } = await time('vectorize', async () => vectorizer.finish());
    await time('outputs', () => changeRasters.close());
    const candidates = regions.candidates();
    const { rejected } = regions;
    const byKind: Record<string, number> = {};
    for (const c of candidates) byKind[c.changeKind] = (byKind[c.changeKind] ?? 0) + 1;
    const seconds = (Date.now() - startedAt) / 1000;
    const gsd = grid.geoTransform[1];
    const inferred = run.tally.tilesInferred;
    const planned = plan.model ? planTiles(grid, plan.model).length : 0;
    const summary: DetectSummary = {
      mode,
      inputs: Object.fromEntries(Object.entries(sources).map(([role, source]) => [role, source.name])),
      height_units: Object.fromEntries(Object.entries(sources).flatMap(([role, { info }]) => (info.heightUnit ? [[role, `${info.heightUnit.name}, read as metres`]] : []))),
      warnings,
      model: plan.model ? { name: plan.model.name, version: plan.model.version } : null,
      grid: { crs, crs_reason: plan.gridCrsReason, gsd_m: gsd, width: grid.width, height: grid.height },
      vertical_offset: offset && describeOffset(offset),
      coregistration_shift_m: shift && { dx: shift.dx, dy: shift.dy, windows: shift.windows },
      thresholds: { ...job.thresholds, applied_height_change_m: rule.heightThresholdM, applied_probability: rule.probabilityThreshold },
      candidates: candidates.length,
      byKind,
      rejected,
      simplification: { pixel_area_m2: pixelAreaM2, simplified_area_m2: simplifiedAreaM2, change: (simplifiedAreaM2 - pixelAreaM2) / (pixelAreaM2 || 1) },
      tiles: { planned, inferred, tilesPerS: inferred / seconds },
      stagesMs,
      ...(run.missing?.length ? { missing: run.missing } : {}),
    };
    // summary.json is written before the outputs stage ends, so it times everything but the writing
    summary.stagesMs = { ...stagesMs, total: Date.now() - startedAt };
    checkIds(candidates);
    const evidenceSources = { ...sources, verticalOffset: offset ? (x: number, y: number) => offsetAt(offset, x, y) : undefined };
    const evidence = await time('outputs', () => writeEvidence(output.path, grid, candidates, evidenceSources, progress));
    const results = (judged?: Judgement) =>
      time('outputs', () => writeResults(output.path, { grid, candidates, evidence, verdicts: judged?.verdicts, projectEpsg: judged?.projectEpsg, summary: { ...summary, ...judged?.summary } }));
    const judging = overlay && {
      db: overlay.db,
      judge: async (db: Database) => {
        const judged = await time('overlay', () => judge({ ...overlay, db }, job, grid, candidates, summary, output.path, evidence));
        await overlay.onJudged?.(db, { ...summary, ...judged.summary, stagesMs: { ...stagesMs, total: Date.now() - startedAt } });
        return judged;
      },
    };
    const judgement = await finishOutputs(output, progress, results, judging);
    return { ...summary, ...judgement?.summary, stagesMs: { ...stagesMs, total: Date.now() - startedAt } };
  } catch (err) {
    await changeRasters.abort();
    throw err;
  }
}

interface StripContext {
  sources: IngestInputs;
  grid: AnalysisGrid;
  /** The grid the before epoch is read on: the analysis grid moved by the co-registration shift. */
  beforeGrid: AnalysisGrid;
  offset: VerticalOffset | null;
  ground: GroundSurface | null;
  rule: FusionRule;
  time: StageTimer;
}

/** Rows fused at once: fusion's working arrays grow with a strip's width times its rows. */
const fuseRows = 64;

/** Heights of rows [y0, y1) (with a margin for misregistration), then the fused strips a few rows at a time. */
async function* fuseChunks(strips: StripContext, y0: number, y1: number, tiles: TileValues | undefined): AsyncGenerator<ChangeStrip> {
  const { sources, grid, beforeGrid, offset, ground, rule, time } = strips;
  const margin = fusionMargin(rule);
  const { width } = grid;
  const window: PixelWindow = { x: 0, y: y0 - margin, width, height: y1 - y0 + 2 * margin };
  const heights: Partial<Record<'dsmBefore' | 'dsmAfter' | 'offset' | 'ground', Float32Array>> =
    sources.beforeDsm && sources.afterDsm && offset
      ? await time('height change', async () => {
          // both DSMs at once: libvips decodes one off the main thread while the other is resampled
          const [dsmBefore, dsmAfter] = await Promise.all([readHeights(sources.beforeDsm!, beforeGrid, window), readHeights(sources.afterDsm!, grid, window)]);
          return { dsmBefore, dsmAfter, offset: offsetRaster(offset, grid, window), ground: ground?.groundAt(window) };
        })
      : {};
  for (let a = y0; a < y1; a += fuseRows) {
    const b = Math.min(y1, a + fuseRows);
    // rows [a - margin, b + margin) of the arrays read for [y0 - margin, y1 + margin)
    const rows = (values: Float32Array | undefined) => values?.subarray((a - y0) * width, (b - y0 + 2 * margin) * width);
    const part = {
      y0: a, width, height: b - a, margin,
      probability: tiles?.probability.subarray((a - y0) * width, (b - y0) * width),
      greenness: tiles?.greenness.subarray((a - y0) * width, (b - y0) * width),
      dsmBefore: rows(heights.dsmBefore), dsmAfter: rows(heights.dsmAfter), offset: rows(heights.offset), ground: rows(heights.ground),
    };
    yield await time('fuse', async () => fuseStrip(part, rule));
  }
}

/** The fitted vertical offset of the after DSM at every pixel of a grid window. */
function offsetRaster(offset: VerticalOffset, grid: AnalysisGrid, window: PixelWindow): Float32Array {
  const [originX, gsd, , originY] = grid.geoTransform;
  const out = new Float32Array(window.width * window.height);
  for (let row = 0; row < window.height; row++) {
    const y = originY - (window.y + row + 0.5) * gsd;
    for (let column = 0; column < window.width; column++) {
      out[row * window.width + column] = offsetAt(offset, originX + (window.x + column + 0.5) * gsd, y);
    }
  }
  return out;
}

function describeOffset(offset: VerticalOffset) {
  return {
    offset_m: offset.offset,
    tilt_m_per_m: [offset.tiltX, offset.tiltY],
    spread_m: offset.spread,
    stable_samples: offset.stableSamples,
  };
}
