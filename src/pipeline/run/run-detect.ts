/**
 * The detect job (DESIGN.md section 4): ingest → tile plan → read+align → infer and height change
 * → fuse → vectorize and merge seams → measure and classify → outputs. Streams one row of tiles
 * at a time, so memory stays bounded whatever the raster size. It runs on opened `RasterSource`s
 * (files, URLs or in-memory rasters): `runDetectJob` opens a job's files for the CLI and the service.
 */
import { availableParallelism } from 'node:os';
import { loadChangeModel } from '../../model/onnx-change-model.js';
import type { ChangeModel } from '../../model/types.js';
import type { PixelWindow } from '../../raster/types.js';
import { coarsePass, type GroundSurface } from '../coarse-pass.js';
import { estimateShift, shiftedGrid } from '../coregister.js';
import { fuseStrip, fusionMargin, type FusionRule } from '../fuse.js';
import { inferTiles, probabilityRows, type InferTimings, type TileValues } from '../infer.js';
import { ingest, type IngestInputs, type IngestResult } from '../ingest.js';
import { regionJudge } from '../judge-regions.js';
import { checkIds, detectOutputFolder, writeEvidence, writeResults } from '../outputs/index.js';
import { openChangeRasters, type ChangeRasters } from '../outputs/change-rasters.js';
import { freshFolder } from '../../files.js';
import type { Database } from '../../db/connect.js';
import { stageTimer, type StageTimer } from './stage-timer.js';
import { finishOutputs, judge, type Judgement } from './finish-outputs.js';
import { readHeights } from '../../raster/read-aligned.js';
import { planTiles, type Tile } from '../tile-plan.js';
import { effectiveHeightThreshold, type DetectionThresholds } from '../thresholds.js';
import type { AnalysisGrid } from '../../raster/types.js';
import type { ProgressFactory } from '../types.js';
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
  [key: string]: unknown;
}

/** Grid pixels of the DSM-only strips (no model tiles to follow). */
const dsmStripRows = 256;

/**
 * Runs a detect job on its rasters (`sources`, left open for the caller to close) and writes its
 * outputs; with an overlay target the candidates are also stored, judged against plans and emitted
 * as cases. Returns the summary written to summary.json. The output folder is checked first, before
 * any work.
 */
export async function runDetect(job: DetectJob, sources: IngestInputs, progress: ProgressFactory, overlay?: OverlayTarget): Promise<DetectSummary> {
  const started = performance.now();
  const output = await freshFolder(job.out, detectOutputFolder);
  const stagesMs: Record<string, number> = {};
  const time = stageTimer(stagesMs);
  let model: ChangeModel | null = null;
  let rasters: ChangeRasters | null = null;
  try {
    const needsModel = Boolean(sources.beforeOrtho && sources.afterOrtho);
    model = needsModel ? await loadChangeModel(job.model, { threads: job.threads ?? availableParallelism() }) : null;
    const gsd = model?.manifest.gsd_m ?? 0.2;
    const ingested = await time('ingest', () => ingest(sources, { gsd }));
    const { grid, mode } = ingested;
    const { offset, ground, warnings } = await time('height offset', () => coarsePass(ingested, { progress }));
    const shift =
      offset && sources.beforeDsm && sources.afterDsm
        ? await time('co-registration', () => estimateShift(sources.beforeDsm!, sources.afterDsm!, grid, (x, y) => offsetAt(offset, x, y)))
        : null;
    const beforeGrid = shift ? shiftedGrid(grid, shift) : grid;
    const changeRasters = await openChangeRasters(output.path, grid, mode);
    rasters = changeRasters; // for the abort below
    if (changeRasters.warning) warnings.push(changeRasters.warning);
    const rule: FusionRule = {
      heightThresholdM: effectiveHeightThreshold(job.thresholds, offset?.spread ?? 0),
      probabilityThreshold: job.thresholds.probability ?? model?.manifest.threshold ?? 0.5,
      misregistrationPx: Math.ceil(job.thresholds.misregistrationM / gsd),
      buildingHeightM: job.thresholds.buildingHeightM,
      roughnessRadiusPx: Math.max(1, Math.round(0.4 / gsd)),
    };
    const regions = regionJudge(job.thresholds);
    const vectorizer = createVectorizer(grid, { simplifyTolerancePx: 0.75, onRegion: regions.judge });
    const strips = { sources, grid, beforeGrid, offset, ground, rule, vectorizer, rasters: changeRasters, time };
    let tiles: Tile[] = [];
    let inferred = 0;
    if (model) {
      tiles = planTiles(grid, { tileSize: model.manifest.tile_size, overlap: model.manifest.overlap });
      inferred = await inferAndFuse(model, tiles, strips, progress, stagesMs);
    } else {
      const bar = progress('heights', Math.ceil(grid.height / dsmStripRows), 'strips');
      for (let y0 = 0; y0 < grid.height; y0 += dsmStripRows) {
        await fuseAndVectorize(strips, y0, Math.min(grid.height, y0 + dsmStripRows), undefined);
        bar.tick();
      }
      bar.done();
    }
    const { pixelAreaM2, simplifiedAreaM2 } = await time('vectorize', async () => vectorizer.finish());
    await time('outputs', () => changeRasters.close());
    const candidates = regions.candidates();
    const { rejected } = regions;
    const byKind: Record<string, number> = {};
    for (const c of candidates) byKind[c.changeKind] = (byKind[c.changeKind] ?? 0) + 1;
    const seconds = (performance.now() - started) / 1000;
    const summary: DetectSummary = {
      mode,
      inputs: Object.fromEntries(Object.entries(sources).map(([role, source]) => [role, source.name])),
      height_units: Object.fromEntries(Object.entries(sources).flatMap(([role, { info }]) => (info.heightUnit ? [[role, `${info.heightUnit.name}, read as metres`]] : []))),
      warnings,
      model: model ? { name: model.manifest.name, version: model.manifest.version } : null,
      grid: { crs: grid.epsg ? `EPSG:${grid.epsg}` : grid.crs, crs_reason: ingested.gridCrsReason, gsd_m: gsd, width: grid.width, height: grid.height },
      vertical_offset: offset && describeOffset(offset),
      coregistration_shift_m: shift && { dx: shift.dx, dy: shift.dy, windows: shift.windows },
      thresholds: { ...job.thresholds, applied_height_change_m: rule.heightThresholdM, applied_probability: rule.probabilityThreshold },
      candidates: candidates.length,
      byKind,
      rejected,
      simplification: { pixel_area_m2: pixelAreaM2, simplified_area_m2: simplifiedAreaM2, change: (simplifiedAreaM2 - pixelAreaM2) / (pixelAreaM2 || 1) },
      tiles: { planned: tiles.length, inferred, tilesPerS: inferred / seconds },
      stagesMs,
    };
    // summary.json is written before the outputs stage ends, so it times everything but the writing
    summary.stagesMs = { ...stagesMs, total: performance.now() - started };
    checkIds(candidates);
    const evidenceSources = { ...sources, verticalOffset: offset ? (x: number, y: number) => offsetAt(offset, x, y) : undefined };
    const evidence = await time('outputs', () => writeEvidence(output.path, grid, candidates, evidenceSources, progress));
    const results = (judged?: Judgement) =>
      time('outputs', () => writeResults(output.path, { grid, candidates, evidence, verdicts: judged?.verdicts, projectEpsg: judged?.projectEpsg, summary: { ...summary, ...judged?.summary } }));
    const judging = overlay && {
      db: overlay.db,
      judge: (db: Database) => time('overlay', () => judge({ ...overlay, db }, job, grid, candidates, summary, output.path, evidence)),
    };
    const judgement = await finishOutputs(output, progress, results, judging);
    return { ...summary, ...judgement?.summary, stagesMs: { ...stagesMs, total: performance.now() - started } };
  } catch (err) {
    await rasters?.abort();
    await output.remove();
    throw err;
  } finally {
    await model?.close();
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
  vectorizer: ReturnType<typeof createVectorizer>;
  /** Where the fused strips' height change and probability are written as they pass. */
  rasters: ChangeRasters;
  time: StageTimer;
}

/**
 * Rows of tiles through the model; each run of rows that no later tile touches goes on to fusion
 * while the next row of tiles is read and runs (the model on its worker thread), so the stages
 * overlap and their times add up to more than the job's. Returns how many tiles ran (tiles
 * without data in either orthophoto do not).
 */
async function inferAndFuse(model: ChangeModel, plan: Tile[], strips: StripContext, progress: ProgressFactory, stagesMs: Record<string, number>): Promise<number> {
  const { grid, sources } = strips;
  const rows = probabilityRows(grid.width, model.manifest.tile_size, model.manifest.overlap);
  const timings: InferTimings = { readMs: 0, inferMs: 0 };
  const rowCount = Math.max(...plan.map((tile) => tile.row)) + 1;
  const bar = progress('detect', plan.length, 'tiles');
  const orthophotos = { before: sources.beforeOrtho!, after: sources.afterOrtho! };
  const inferRow = async (row: number): Promise<number> => {
    const rowTiles = plan.filter((tile) => tile.row === row);
    const count = await inferTiles(model, orthophotos, { before: strips.beforeGrid, after: grid }, rowTiles, rows, timings);
    bar.tick(rowTiles.length);
    return count;
  };
  let emitted = 0;
  let ran = 0;
  let inferring = inferRow(0);
  for (let row = 0; row < rowCount; row++) {
    ran += await inferring;
    // the next row's tiles add to rows below `final` only, which fusion no longer reads
    if (row + 1 < rowCount) {
      inferring = inferRow(row + 1);
      // awaited on the next turn; should fusion fail first, its failure is the one reported
      inferring.catch(() => {});
    }
    const next = plan.find((tile) => tile.row === row + 1);
    const final = next ? Math.max(0, next.window.y) : grid.height;
    if (final > emitted) {
      await fuseAndVectorize(strips, emitted, final, rows.take(emitted, final));
      emitted = final;
    }
  }
  bar.done();
  stagesMs['read+align'] = (stagesMs['read+align'] ?? 0) + timings.readMs;
  stagesMs.infer = (stagesMs.infer ?? 0) + timings.inferMs;
  return ran;
}

/** Rows fused at once: fusion's working arrays grow with a strip's width times its rows. */
const fuseRows = 64;

/** Heights of rows [y0, y1) (with a margin for misregistration), then fusion and vectorization a few rows at a time. */
async function fuseAndVectorize(strips: StripContext, y0: number, y1: number, tiles: TileValues | undefined): Promise<void> {
  const { sources, grid, beforeGrid, offset, ground, rule, vectorizer, rasters, time } = strips;
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
    const strip = await time('fuse', async () => fuseStrip(part, rule));
    await time('outputs', () => rasters.addStrip(strip));
    await time('vectorize', async () => vectorizer.addStrip(strip));
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
