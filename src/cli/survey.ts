/**
 * `zhiwei survey`: a district's first survey, one flight's DSM (with its orthophoto and DTM when
 * given) to its buildings, measured, with the structures on their roofs (buildings.geojson,
 * rooftop-structures.geojson, summary.json) and, against the approved plans in the database, their
 * legality, suspects and cases (suspects.geojson) and the building register. Inputs come from
 * flags or from a job spec file (`--job job.json`, the same keys as the flags), as for detect.
 * With `--queue` the survey runs whole as one job taken by a `zhiwei worker`.
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { databaseUrl, evidenceDir } from '../config.js';
import { insertQueuedJob, nextJobId } from '../db/jobs.js';
import { BadInputError } from '../errors.js';
import { hasPlans, importLayers } from '../pipeline/run/detect-job.js';
import { openQueue, queueNeedsServer, submitSurvey } from '../queue/index.js';
import type { SurveySummary } from '../pipeline/run/run-survey.js';
import { checkSurveyOutput, resolveSurveyJob, runSurveyJob, surveyPathKeys, surveySpecKeys, type ResolvedSurveyJob } from '../pipeline/run/survey-job.js';
import { defaultSurveyThresholds } from '../pipeline/survey/building.js';
import type { ImportReport } from '../plans/import.js';
import { databaseInUse, withDatabase } from './database.js';
import { jobSpecFromFlags } from './job-spec.js';
import { formatImport } from './layers.js';
import { parseNumber } from './options.js';
import { startStage } from './progress.js';
import { followJob } from './queued-job.js';

/** Registers `zhiwei survey`. */
export function registerSurvey(program: Command): void {
  program
    .command('survey')
    .description("find one flight's buildings and judge them against the plans: buildings.geojson, rooftop-structures.geojson, summary.json in --out")
    .option('--job <file>', 'job spec JSON with the same keys as these flags (paths relative to the file)')
    .option('--ortho <file>', "the flight's orthophoto (optional: its greenness tells trees from roofs)")
    .option('--dsm <file>', "the flight's DSM (float32 heights, nodata)")
    .option('--dtm <file>', 'bare-ground DTM (optional; estimated from the DSM otherwise)')
    .option('--date <date>', 'date of the flight, YYYY-MM-DD: plans valid on it count, and it dates the register')
    .option('--plans <file>', 'approved plans to import before the run (GeoJSON, zipped Shapefile); plans already imported count too')
    .option('--grids <file>', 'responsibility grids to import before the run')
    .option('--zones <file>', 'zones to import before the run')
    .option('--out <dir>', 'output folder (replaced when the run succeeds)')
    .option('--min-height <m>', `least roof height above ground of a building (default ${defaultSurveyThresholds.minHeightM})`, parseNumber)
    .option('--min-area <m2>', `least footprint area of a building (default ${defaultSurveyThresholds.minAreaM2})`, parseNumber)
    .option('--storey-height <m>', `height of one storey, for floors (default ${defaultSurveyThresholds.storeyHeightM})`, parseNumber)
    .option('--allow-move', 'let the plans, grids or zones given move stored rows of the same key by more than 1 km')
    .option('--buildings-only', "find buildings without the database's plans: no overlay, no register, nothing stored")
    .option('--queue', 'run as one job on the PostgreSQL queue (DATABASE_URL), taken by a `zhiwei worker`; the rasters, --out and the data folder must be paths the workers can reach')
    .action(survey);
}

/** The survey command's action, on flags as commander gives them. */
async function survey(flags: Record<string, string | number | boolean | undefined>): Promise<void> {
  const resolved = resolveSurveyJob(await jobSpecFromFlags('survey', flags, surveySpecKeys, surveyPathKeys), 'flags');
  await checkSurveyOutput(resolved.job.out);
  if (flags.buildingsOnly && resolved.layers.length > 0) throw new BadInputError('--buildings-only finds buildings without plans: drop it, or drop --plans/--grids/--zones');
  const options = {
    progress: startStage,
    evidenceDir: evidenceDir(),
    naming: 'flags' as const,
    allowMove: flags.allowMove === true,
    onImport: (report: ImportReport) => process.stderr.write(formatImport(report)),
    onNoPlans: () => process.stderr.write('no approved plans in the database: buildings only, no register (import them with --plans or zhiwei plans import)\n'),
  };
  const overlay = !flags.buildingsOnly && (resolved.layers.length > 0 || databaseInUse());
  const run = flags.queue
    ? () => surveyQueued(resolved, flags, options)
    : () => (overlay ? withDatabase((db) => runSurveyJob(resolved, db, options)) : runSurveyJob(resolved, null, options));
  const summary = await run();
  process.stdout.write(formatSummary(summary, resolved.job.out));
  for (const warning of summary.warnings) process.stderr.write(`warning: ${warning}\n`);
}

/** Queues the survey (its layers imported here first) and follows it until a worker has run it. */
async function surveyQueued(resolved: ResolvedSurveyJob, flags: Record<string, string | number | boolean | undefined>, options: Parameters<typeof runSurveyJob>[2]): Promise<SurveySummary> {
  if (flags.buildingsOnly) throw new BadInputError('--buildings-only runs in this process: drop it, or drop --queue');
  if (databaseUrl() === null) throw queueNeedsServer('survey --queue');
  return withDatabase(async (db) => {
    await importLayers(db, resolved.layers, options);
    if (!(await hasPlans(db))) options.onNoPlans?.();
    const queue = await openQueue(db, 'survey --queue');
    try {
      const { job } = resolved;
      const id = await nextJobId(db.knex);
      const submittedBy = `zhiwei survey --queue (${userInfo().username})`;
      await insertQueuedJob(db.knex, { id, kind: 'survey', spec: { ...job, layers: [] }, submittedBy, beforeDate: null, afterDate: job.date, model: null, outDir: job.out });
      await submitSurvey(queue, id);
      process.stderr.write(`job ${id} queued: a zhiwei worker runs it (Ctrl-C here stops following it, not the job)\n`);
      return (await followJob(db, id)) as SurveySummary;
    } finally {
      await queue.close();
    }
  });
}

function formatSummary(summary: SurveySummary, out: string): string {
  const lines = [`\n${summary.buildings} buildings, ${summary.rooftopStructures} rooftop structures (${summary.mode} mode) written to ${out}`, ''];
  lines.push(`${'roof form'.padEnd(18)} ${'count'.padStart(6)}`);
  for (const [form, count] of Object.entries(summary.byRoofForm)) lines.push(`${form.padEnd(18)} ${String(count).padStart(6)}`);
  const rejected = Object.entries(summary.rejected);
  if (rejected.length > 0) {
    lines.push('', 'not buildings:');
    for (const [reason, count] of rejected) lines.push(`  ${String(count).padStart(5)}  ${reason}`);
  }
  const { pixel_area_m2: pixels, regularised_area_m2: regularised, change } = summary.regularisation as Record<string, number>;
  const percent = Number((100 * change).toFixed(1));
  lines.push('', `footprints regularised: ${pixels} m² of pixels, ${regularised} m² of outlines (${percent > 0 ? '+' : ''}${percent.toFixed(1)}%)`);
  lines.push('', `${'stage'.padEnd(18)} ${'seconds'.padStart(8)}`);
  for (const [stage, ms] of Object.entries(summary.stagesMs)) lines.push(`${stage.padEnd(18)} ${(ms / 1000).toFixed(1).padStart(8)}`);
  if (typeof summary.suspects === 'number') lines.push(...formatSuspects(summary, out));
  return `${lines.join('\n')}\n`;
}

/** Suspects by violation and grid, their area, the register and the cases, and where they are. */
function formatSuspects(summary: SurveySummary, out: string): string[] {
  const cases = summary.cases as Record<string, number>;
  const register = summary.register as Record<string, number>;
  const lines = ['', `${summary.suspects} suspects, ${summary.suspect_area_m2} m² (job ${summary.job_id}, plans valid on ${summary.flight_date})`, ''];
  lines.push(`${'violation'.padEnd(28)} ${'count'.padStart(6)}`);
  for (const [violation, count] of Object.entries(summary.byViolation as Record<string, number>)) lines.push(`${violation.padEnd(28)} ${String(count).padStart(6)}`);
  lines.push('', `${'grid'.padEnd(28)} ${'count'.padStart(6)}`);
  for (const [grid, count] of Object.entries(summary.byGrid as Record<string, number>)) lines.push(`${grid.padEnd(28)} ${String(count).padStart(6)}`);
  lines.push(
    '',
    `register: ${register.created} buildings new, ${register.updated} found again and updated`,
    `cases: ${cases.created} new, ${cases.updated} updated, ${cases.reopened} reopened, ${cases.unchanged} found again as recorded (no news)`,
    `suspects: ${out}/suspects.geojson; buildings and cases are in the database`,
  );
  return lines;
}
