/**
 * The last stages of a detect or survey run, in the order that keeps the database from getting ahead of the
 * output folder: the overlay and case emission in a transaction left open, the GeoJSON and summary,
 * the swap of the output folder into place, and only then the commit.
 */
import type { Database } from '../../db/connect.js';
import type { FreshFolder } from '../../files.js';
import type { AnalysisGrid } from '../../raster/types.js';
import type { Candidate } from '../candidate.js';
import { overlayAndEmit, type OverlayVerdict } from '../overlay/index.js';
import type { ProgressFactory } from '../types.js';
import type { DetectJob, OverlayTarget } from './run-detect.js';

/**
 * The last stages: the overlay and case emission (when judging), the GeoJSON and summary, and the
 * swap of the output folder into place. The overlay's transaction commits last, so that a run
 * killed at any point leaves at most an output folder without its job and cases (a re-run replaces
 * it), never a job with cases, events and webhooks whose output folder is missing. Each step ends
 * with a progress tick, where the service's job queue may stop the run. `J` is what judging
 * returns (a detect's `Judgement`, a survey's).
 */
export async function finishOutputs<J = Judgement>(
  output: FreshFolder,
  progress: ProgressFactory,
  writeResults: (judgement?: J) => Promise<void>,
  overlay?: { db: Database; judge: (db: Database) => Promise<J> },
): Promise<J | undefined> {
  const steps = progress('results', overlay ? 3 : 2, 'steps');
  const writeAndSwap = async (judgement?: J) => {
    await writeResults(judgement);
    steps.tick();
    await output.swapIn();
    steps.tick();
  };
  let judgement: J | undefined;
  if (overlay) {
    // the overlay's own transaction becomes a savepoint of this one, which commits after the swap
    judgement = await overlay.db.knex.transaction(async (trx) => {
      const judged = await overlay.judge({ ...overlay.db, knex: trx });
      steps.tick();
      await writeAndSwap(judged);
      return judged;
    });
  } else {
    await writeAndSwap();
  }
  steps.done();
  return judgement;
}

/** What judging the candidates returns: verdicts by candidate id, and what to add to the summary. */
export interface Judgement {
  verdicts: Map<string, OverlayVerdict>;
  /** The project CRS the candidates were stored in. */
  projectEpsg: number;
  summary: Record<string, unknown>;
}

/** Stores the candidates, overlays them on plans and emits cases; counts suspects by violation and grid. */
export async function judge(
  overlay: OverlayTarget,
  job: DetectJob,
  grid: AnalysisGrid,
  candidates: Candidate[],
  summary: Record<string, unknown>,
  partialDir: string,
  evidence: Map<string, string[]>,
): Promise<Judgement> {
  const result = await overlayAndEmit(
    overlay.db,
    { id: overlay.jobId, spec: { ...job }, model: job.model, beforeDate: job.beforeDate ?? null, afterDate: overlay.afterDate, outDir: job.out, summary },
    grid,
    candidates.map((candidate) => ({ candidate, evidence: evidence.get(candidate.id) ?? [] })),
    { outputDir: partialDir, evidenceDir: overlay.evidenceDir },
  );
  const suspects = [...result.verdicts.values()].filter((v) => v.suspect);
  const overlaySummary = {
    job_id: result.jobId,
    project_crs: `EPSG:${result.projectEpsg}`,
    after_date: overlay.afterDate,
    suspects: suspects.length,
    suspect_area_m2: Math.round(candidates.filter((c) => result.verdicts.get(c.id)?.suspect).reduce((sum, c) => sum + c.areaM2, 0) * 10) / 10,
    byViolation: countBy(suspects, (v) => v.violation),
    byGrid: countBy(suspects, (v) => v.gridId ?? '(outside every grid)'),
    cases: result.cases,
  };
  return { verdicts: result.verdicts, projectEpsg: result.projectEpsg, summary: overlaySummary };
}

function countBy(verdicts: OverlayVerdict[], key: (verdict: OverlayVerdict) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const verdict of verdicts) counts[key(verdict)] = (counts[key(verdict)] ?? 0) + 1;
  return counts;
}
