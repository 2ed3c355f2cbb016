/**
 * `zhiwei detect`: the main job, from two flights' orthophotos and DSMs to measured change
 * polygons (candidates.geojson, summary.json, evidence chips) and, against the approved plans in
 * the database, suspects and cases (suspects.geojson). Inputs come from flags or from a job spec
 * file (`--job job.json`, the same keys as the flags) that analysts keep under version control;
 * flags override the file. With `--queue` the job goes onto the PostgreSQL queue in strip batches
 * for `zhiwei worker` processes, and the command follows it to the same summary.
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { BadInputError } from '../errors.js';
import { databaseUrl, evidenceDir } from '../config.js';
import { insertQueuedJob, nextJobId } from '../db/jobs.js';
import {
  checkDetectOutput, detectRasterRoles, jobSpecKeys, openRasters, pathKeys, prepareDetectJob, resolveDetectJob, runDetectJob, type DetectRunOptions, type ResolvedDetectJob,
} from '../pipeline/run/detect-job.js';
import { defaultBatchRows, openQueue, queueNeedsServer, submitDetect } from '../queue/index.js';
import type { DetectSummary } from '../pipeline/run/run-detect.js';
import type { ImportReport } from '../plans/import.js';
import { defaultThresholds } from '../pipeline/thresholds.js';
import { databaseInUse, withDatabase } from './database.js';
import { jobSpecFromFlags } from './job-spec.js';
import { formatImport } from './layers.js';
import { parseNumber, parsePositiveInteger } from './options.js';
import { startStage } from './progress.js';
import { followJob } from './queued-job.js';

/** Registers `zhiwei detect`. */
export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('find changes between two flights: candidates.geojson, summary.json and evidence chips in --out')
    .option('--job <file>', 'job spec JSON with the same keys as these flags (paths relative to the file)')
    .option('--before-ortho <file>', 'orthophoto of the earlier flight (GeoTIFF/COG)')
    .option('--after-ortho <file>', 'orthophoto of the new flight')
    .option('--before-dsm <file>', 'DSM of the earlier flight (float32 heights, nodata)')
    .option('--after-dsm <file>', 'DSM of the new flight')
    .option('--before-dtm <file>', 'bare-ground DTM (optional; estimated from the DSM otherwise)')
    .option('--plans <file>', 'approved plans to import before the run (GeoJSON, zipped Shapefile); plans already imported count too')
    .option('--grids <file>', 'responsibility grids to import before the run')
    .option('--zones <file>', 'zones to import before the run')
    .option('--before-date <date>', 'date of the earlier flight, YYYY-MM-DD (weighs how new a change is)')
    .option('--after-date <date>', 'date of the new flight, YYYY-MM-DD: plans valid on it count (needed with plans)')
    .option('--out <dir>', 'output folder (replaced when the run succeeds)')
    .option('--model <name>', 'change model in models/ or path to an .onnx', 'zhiwei-cd-v1')
    .option('--threads <n>', 'model threads (default: all cores)', parsePositiveInteger)
    .option('--min-height-change <m>', `least height change of a change (default ${defaultThresholds.minHeightChangeM})`, parseNumber)
    .option('--min-area <m2>', `least area of a change (default ${defaultThresholds.minAreaM2})`, parseNumber)
    .option('--allow-move', 'let the plans, grids or zones given move stored rows of the same key by more than 1 km')
    .option('--candidates-only', "find changes without the database's plans: no overlay, no cases, nothing stored")
    .option('--queue', 'run on the PostgreSQL queue (DATABASE_URL) in strip batches taken by `zhiwei worker` processes; the rasters, --out and the data folder must be paths every worker can reach')
    .option('--batch-rows <n>', `grid rows per strip batch with --queue (default ${defaultBatchRows}, rounded to whole rows of model tiles)`, parsePositiveInteger)
    .action(detect);
}

/** The detect command's action, on flags as commander gives them (the demo calls it too). */
export async function detect(flags: Record<string, string | number | boolean | undefined>): Promise<void> {
  const resolved = await resolveJob(flags);
  await checkDetectOutput(resolved.job.out);
  if (flags.candidatesOnly && resolved.layers.length > 0) throw new BadInputError('--candidates-only finds changes without plans: drop it, or drop --plans/--grids/--zones');
  const options = {
    progress: startStage,
    evidenceDir: evidenceDir(),
    naming: 'flags' as const,
    allowMove: flags.allowMove === true,
    onImport: (report: ImportReport) => process.stderr.write(formatImport(report)),
    onNoPlans: () => process.stderr.write('no approved plans in the database: candidates only (import them with --plans or zhiwei plans import)\n'),
  };
  const overlay = !flags.candidatesOnly && (resolved.layers.length > 0 || databaseInUse());
  const run = flags.queue
    ? () => detectQueued(resolved, flags, options)
    : () => (overlay ? withDatabase((db) => runDetectJob(resolved, db, options)) : runDetectJob(resolved, null, options));
  const summary = await run();
  process.stdout.write(formatSummary(summary, resolved.job.out));
  for (const warning of summary.warnings) process.stderr.write(`warning: ${warning}\n`);
}

/**
 * Queues the job (its layers imported here first) and follows it until the workers have run it.
 * Its output folder is checked here, so it must be the same path on the workers' hosts.
 */
async function detectQueued(resolved: ResolvedDetectJob, flags: Record<string, string | number | boolean | undefined>, options: Omit<DetectRunOptions, 'jobId'>): Promise<DetectSummary> {
  if (flags.candidatesOnly) throw new BadInputError('--candidates-only runs in this process: drop it, or drop --queue');
  if (databaseUrl() === null) throw queueNeedsServer('detect --queue');
  // unreadable rasters are refused here rather than by the first worker
  const sources = await openRasters(resolved.job, detectRasterRoles);
  await Promise.all(Object.values(sources).map((source) => source.close()));
  return withDatabase(async (db) => {
    await prepareDetectJob(resolved, db, options);
    const queue = await openQueue(db, 'detect --queue');
    try {
      const { job } = resolved;
      const id = await nextJobId(db.knex);
      const spec = { ...job, layers: [] };
      const submittedBy = `zhiwei detect --queue (${userInfo().username})`;
      await insertQueuedJob(db.knex, { id, kind: 'detect', spec, submittedBy, beforeDate: job.beforeDate ?? null, afterDate: job.afterDate ?? null, model: job.model, outDir: job.out });
      await submitDetect(queue, id, typeof flags.batchRows === 'number' ? flags.batchRows : defaultBatchRows);
      process.stderr.write(`job ${id} queued: zhiwei worker processes run it (Ctrl-C here stops following it, not the job)\n`);
      return (await followJob(db, id)) as DetectSummary;
    } finally {
      await queue.close();
    }
  });
}

/** The job from the spec file (if any) overridden by flags, validated; and the layers to import first. */
async function resolveJob(flags: Record<string, string | number | boolean | undefined>): Promise<ResolvedDetectJob> {
  return resolveDetectJob(await jobSpecFromFlags('detect', flags, jobSpecKeys, pathKeys), 'flags');
}

function formatSummary(summary: DetectSummary, out: string): string {
  const lines = [`\n${summary.candidates} candidates (${summary.mode} mode) written to ${out}`, ''];
  lines.push(`${'change kind'.padEnd(18)} ${'count'.padStart(6)}`);
  for (const [kind, count] of Object.entries(summary.byKind)) lines.push(`${kind.padEnd(18)} ${String(count).padStart(6)}`);
  const rejected = Object.entries(summary.rejected);
  if (rejected.length > 0) {
    lines.push('', 'not candidates:');
    for (const [reason, count] of rejected) lines.push(`  ${String(count).padStart(5)}  ${reason}`);
  }
  lines.push('', `${'stage'.padEnd(18)} ${'seconds'.padStart(8)}`);
  for (const [stage, ms] of Object.entries(summary.stagesMs)) lines.push(`${stage.padEnd(18)} ${(ms / 1000).toFixed(1).padStart(8)}`);
  lines.push('', `tiles: ${summary.tiles.inferred} of ${summary.tiles.planned} inferred, ${summary.tiles.tilesPerS.toFixed(1)} tiles/s`);
  if (typeof summary.suspects === 'number') lines.push(...formatSuspects(summary, out));
  return `${lines.join('\n')}\n`;
}

/** Suspects by violation and grid, their area, the cases, and where they are. */
function formatSuspects(summary: DetectSummary, out: string): string[] {
  const cases = summary.cases as Record<string, number>;
  const lines = ['', `${summary.suspects} suspects, ${summary.suspect_area_m2} m² (job ${summary.job_id}, plans valid on ${summary.after_date})`, ''];
  lines.push(`${'violation'.padEnd(28)} ${'count'.padStart(6)}`);
  for (const [violation, count] of Object.entries(summary.byViolation as Record<string, number>)) lines.push(`${violation.padEnd(28)} ${String(count).padStart(6)}`);
  lines.push('', `${'grid'.padEnd(28)} ${'count'.padStart(6)}`);
  for (const [grid, count] of Object.entries(summary.byGrid as Record<string, number>)) lines.push(`${grid.padEnd(28)} ${String(count).padStart(6)}`);
  lines.push(
    '',
    `cases: ${cases.created} new, ${cases.updated} updated, ${cases.reopened} reopened, ${cases.unchanged} found again as recorded (no news); ${cases.reinspections} demolitions attached to open cases`,
    `suspects: ${out}/suspects.geojson; cases are in the database`,
  );
  return lines;
}
