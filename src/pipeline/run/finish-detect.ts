/**
 * The last part of a detect: the fused strips vectorized and written into the change rasters,
 * then the candidates, evidence, outputs and (with an overlay target) the overlay and emission.
 */
import type { IngestInputs } from '../ingest.js';
import { regionJudge } from '../judge-regions.js';
import { checkIds, evidenceAsFound, writeResults } from '../outputs/index.js';
import { openChangeRasters } from '../outputs/change-rasters.js';
import type { FreshFolder } from '../../files.js';
import type { Database } from '../../db/connect.js';
import { stageTimer } from './stage-timer.js';
import { prepareGeoPackages } from '../../geo/geopackage.js';
import { finishOutputs, judge, type Judgement } from './finish-outputs.js';
import { planTiles } from '../tile-plan.js';
import type { ChangeRegion, ChangeStrip } from '../types.js';
import { createVectorizer } from '../vectorize.js';
import { offsetAt, type VerticalOffset } from '../../geo/vertical-offset.js';
import type { DetectJob, DetectSummary, MissingRows, OverlayTarget } from './run-detect.js';
import type { DetectPlan } from './plan-detect.js';
import type { FusionRun } from './fused-strips.js';

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
  prepareGeoPackages();
  const changeRasters = await openChangeRasters(output.path, grid, mode);
  const evidenceSources = { ...sources, verticalOffset: offset ? (x: number, y: number) => offsetAt(offset, x, y) : undefined };
  // each candidate's chips are made as soon as it is found, beside the strips still to come
  const found = evidenceAsFound(output.path, grid, evidenceSources);
  try {
    if (changeRasters.warning) warnings.push(changeRasters.warning);
    const regions = regionJudge(job.thresholds);
    const onRegion = (region: ChangeRegion, firstPixel: number) => {
      const candidate = regions.judge(region, firstPixel);
      if (candidate) found.add(candidate);
    };
    const vectorizer = createVectorizer(grid, { simplifyTolerancePx: 0.75, onRegion });
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
    const evidence = await time('outputs', () => found.finish(candidates, progress));
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
    // no chip is still being written into the folder the caller removes
    await found.settled();
    throw err;
  }
}

function describeOffset(offset: VerticalOffset) {
  return {
    offset_m: offset.offset,
    tilt_m_per_m: [offset.tiltX, offset.tiltY],
    spread_m: offset.spread,
    stable_samples: offset.stableSamples,
  };
}
