/**
 * The detect job (DESIGN.md section 4): ingest → tile plan → read+align → infer and height change
 * → fuse → vectorize and merge seams → measure and classify → outputs. Streams one row of tiles
 * at a time, so memory stays bounded whatever the raster size. It runs on opened `RasterSource`s
 * (files, URLs or in-memory rasters): `runDetectJob` opens a job's files for the CLI and the
 * service. Its three parts, which a queued job runs in worker processes, are `planDetect`
 * (plan-detect.ts), `fusedStrips` (fused-strips.ts) and `finishDetect` (finish-detect.ts).
 */
import { availableParallelism } from 'node:os';
import { findChangeModel } from '../../model/onnx-change-model.js';
import { openKeptModel } from '../../model/kept-sessions.js';
import type { ChangeModel } from '../../model/types.js';
import type { IngestInputs, IngestResult } from '../ingest.js';
import { detectOutputFolder } from '../outputs/index.js';
import { freshFolder } from '../../files.js';
import type { Database } from '../../db/connect.js';
import type { DetectionThresholds } from '../thresholds.js';
import type { ProgressFactory } from '../types.js';
import { fusionSegments, planDetect } from './plan-detect.js';
import { fusedStrips, type FusionTally } from './fused-strips.js';
import { finishDetect } from './finish-detect.js';

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
  let opening: Promise<ChangeModel> | null = null;
  try {
    const found = await findJobModel(job, sources);
    // the model's session opens (a worker thread, onnxruntime) while the global steps run
    opening = found && openJobModel(job, found);
    opening?.catch(() => {});
    const plan = await planDetect(job, sources, found?.manifest ?? null, progress);
    const model = await opening;
    const stagesMs = { ...plan.stagesMs };
    const tally: FusionTally = { tilesInferred: 0 };
    const segments = fusionSegments(plan);
    const strips = fusedStrips(plan, sources, model, { from: 0, to: segments.length }, { progress, stagesMs, tally });
    return await finishDetect(job, sources, plan, strips, { output, progress, stagesMs, tally, startedAt }, overlay);
  } catch (err) {
    await output.remove();
    throw err;
  } finally {
    await (await opening?.catch(() => null))?.close();
  }
}

/** A change model found, not yet opened. */
type FoundModel = Awaited<ReturnType<typeof findChangeModel>>;

/** The job's change model (its file and manifest), when it has both orthophotos; null otherwise. */
export async function findJobModel(job: DetectJob, sources: IngestInputs): Promise<FoundModel | null> {
  return sources.beforeOrtho && sources.afterOrtho ? findChangeModel(job.model) : null;
}

function openJobModel(job: DetectJob, found: FoundModel): Promise<ChangeModel> {
  return openKeptModel(found.onnxPath, found.manifest, { threads: job.threads ?? availableParallelism() });
}

/** The job's change model, opened, when it has both orthophotos; null otherwise. */
export async function loadJobModel(job: DetectJob, sources: IngestInputs): Promise<ChangeModel | null> {
  const found = await findJobModel(job, sources);
  return found && openJobModel(job, found);
}
