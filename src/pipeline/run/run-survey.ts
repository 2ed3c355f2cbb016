/**
 * The survey job (issue 17): one flight's DSM (with its orthophoto and DTM when given) → ingest →
 * the ground (coarse pass, unless a DTM is given) → buildings, measured, with their rooftop
 * structures (`survey/find-buildings.ts`) → outputs; with an overlay target the buildings are
 * judged against plans, their suspects emitted as cases and the buildings kept in the register.
 * It shares detect's stages (ingest, coarse pass, vectorize, overlay, emission, the output folder
 * swapped in before the overlay commits) and runs on opened `RasterSource`s, as `runDetect` does.
 */
import type { Database } from '../../db/connect.js';
import { freshFolder } from '../../files.js';
import type { RasterSource } from '../../raster/types.js';
import { flightCoarsePass } from '../coarse-pass.js';
import { ingestFlight, type FlightIngestResult, type FlightInputs } from '../ingest.js';
import { overlaySurvey } from '../overlay/survey.js';
import { writeEvidence } from '../outputs/index.js';
import { surveyOutputFolder, writeSurveyResults, type SurveyJudgement } from '../outputs/survey.js';
import type { Building, SurveyThresholds } from '../survey/building.js';
import { findBuildings } from '../survey/find-buildings.js';
import type { ProgressFactory } from '../types.js';
import { stageTimer } from './stage-timer.js';
import { finishOutputs } from './finish-outputs.js';
import type { OverlayTarget } from './run-detect.js';

/** The flight's rasters, as file paths or URLs, its date, and where the results go. */
export interface SurveyJob {
  ortho?: string;
  dsm: string;
  dtm?: string;
  /** Flight date (YYYY-MM-DD): plans valid on it count, and it dates the register's buildings. */
  date: string;
  out: string;
  thresholds: SurveyThresholds;
}

/** What a survey found and how long each stage took (summary.json, less `building_totals`). */
export interface SurveySummary {
  mode: FlightIngestResult['mode'];
  buildings: number;
  rooftopStructures: number;
  byRoofForm: Record<string, number>;
  rejected: Record<string, number>;
  stagesMs: Record<string, number>;
  warnings: string[];
  [key: string]: unknown;
}

/**
 * The analysis grid's pixel size (m): detect's (the change model's native GSD), so that a survey
 * and a later detect of the same place measure on the same grid.
 */
const surveyGsd = 0.2;

/**
 * Runs a survey on its rasters (`sources`, left open for the caller to close) and writes its
 * outputs; with an overlay target the buildings are also judged, emitted and registered. Returns
 * the summary written to summary.json. The output folder is checked first, before any work.
 */
export async function runSurvey(job: SurveyJob, sources: FlightInputs, progress: ProgressFactory, overlay?: OverlayTarget): Promise<SurveySummary> {
  const started = performance.now();
  const output = await freshFolder(job.out, surveyOutputFolder);
  const stagesMs: Record<string, number> = {};
  const time = stageTimer(stagesMs);
  try {
    const { grid, mode, gridCrsReason } = await time('ingest', () => ingestFlight(sources, { gsd: surveyGsd }));
    const dsm = sources.dsm as RasterSource;
    const { ground, warnings } = await time('ground', () => flightCoarsePass(grid, dsm, sources.dtm, { progress }));
    const findings = await time('buildings', () => findBuildings({ grid, dsm, dtm: sources.dtm, ortho: sources.ortho, ground }, job.thresholds, progress));
    const { buildings, rejected, regularisation } = findings;
    const byRoofForm: Record<string, number> = { flat: 0, pitched: 0 };
    for (const building of buildings) byRoofForm[building.roofForm]++;
    const summary: SurveySummary = {
      mode,
      inputs: Object.fromEntries(Object.entries(sources).map(([role, source]) => [role, source.name])),
      flight_date: job.date,
      ground: sources.dtm ? 'the DTM' : 'estimated from the DSM',
      warnings,
      grid: { crs: grid.epsg ? `EPSG:${grid.epsg}` : grid.crs, crs_reason: gridCrsReason, gsd_m: surveyGsd, width: grid.width, height: grid.height },
      thresholds: job.thresholds,
      buildings: buildings.length,
      rooftopStructures: buildings.reduce((sum, b) => sum + b.rooftopStructures.length, 0),
      byRoofForm,
      rejected,
      regularisation: {
        pixel_area_m2: round1(regularisation.pixelAreaM2),
        regularised_area_m2: round1(regularisation.areaM2),
        change: (regularisation.areaM2 - regularisation.pixelAreaM2) / (regularisation.pixelAreaM2 || 1),
      },
      stagesMs,
    };
    // summary.json is written before the outputs stage ends, so it times everything but the writing
    summary.stagesMs = { ...stagesMs, total: performance.now() - started };
    // the after orthophoto around each building and rooftop structure, for the cases of the suspects
    const features = buildings.flatMap((b) => [b, ...b.rooftopStructures]);
    const evidence = await time('outputs', () => writeEvidence(output.path, grid, features, sources.ortho && { afterOrtho: sources.ortho }, progress));
    const results = (judgement?: SurveyJudgement) =>
      time('outputs', () => writeSurveyResults(output.path, { grid, buildings, judgement, summary: { ...summary, ...judgement?.summary } }));
    const judging = overlay && {
      db: overlay.db,
      judge: (db: Database) => time('overlay', () => judgeSurvey({ ...overlay, db }, job, grid, buildings, evidence, summary, output.path)),
    };
    const judgement = await finishOutputs(output, progress, results, judging);
    return { ...summary, ...judgement?.summary, stagesMs: { ...stagesMs, total: performance.now() - started } };
  } catch (err) {
    await output.remove();
    throw err;
  }
}

/** Stores, judges and registers the buildings; counts suspects by violation and grid. */
async function judgeSurvey(
  overlay: OverlayTarget,
  job: SurveyJob,
  grid: FlightIngestResult['grid'],
  buildings: Building[],
  evidence: Map<string, string[]>,
  summary: Record<string, unknown>,
  partialDir: string,
): Promise<SurveyJudgement> {
  const result = await overlaySurvey(
    overlay.db,
    { id: overlay.jobId, spec: { ...job }, model: null, beforeDate: null, afterDate: overlay.afterDate, outDir: job.out, summary },
    grid,
    buildings,
    { outputDir: partialDir, evidenceDir: overlay.evidenceDir },
    evidence,
  );
  const features = buildings.flatMap((b) => [{ id: b.id, areaM2: b.areaM2 }, ...b.rooftopStructures]);
  const suspects = features.filter((f) => result.verdicts.get(f.id)?.suspect);
  const countBy = (key: (id: string) => string) => {
    const counts: Record<string, number> = {};
    for (const { id } of suspects) counts[key(id)] = (counts[key(id)] ?? 0) + 1;
    return counts;
  };
  const overlaySummary = {
    job_id: result.jobId,
    project_crs: `EPSG:${result.projectEpsg}`,
    suspects: suspects.length,
    suspect_area_m2: round1(suspects.reduce((sum, f) => sum + f.areaM2, 0)),
    byViolation: countBy((id) => result.verdicts.get(id)!.violation),
    byGrid: countBy((id) => result.verdicts.get(id)!.gridId ?? '(outside every grid)'),
    register: result.buildings,
    cases: result.cases,
  };
  return { verdicts: result.verdicts, register: result.register, projectEpsg: result.projectEpsg, summary: overlaySummary };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
