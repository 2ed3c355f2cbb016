/**
 * `zhiwei detect`: the main job, from two flights' orthophotos and DSMs to measured change
 * polygons (candidates.geojson, summary.json, evidence chips) and, against the approved plans in
 * the database, suspects and cases (suspects.geojson). Inputs come from flags or from a job spec
 * file (`--job job.json`, the same keys as the flags) that analysts keep under version control;
 * flags override the file.
 */
import type { Command } from 'commander';
import { BadInputError } from '../errors.js';
import { evidenceDir } from '../config.js';
import { checkDetectOutput, jobSpecKeys, pathKeys, resolveDetectJob, runDetectJob, type ResolvedDetectJob } from '../pipeline/run/detect-job.js';
import type { DetectSummary } from '../pipeline/run/run-detect.js';
import type { ImportReport } from '../plans/import.js';
import { defaultThresholds } from '../pipeline/thresholds.js';
import { databaseInUse, withDatabase } from './database.js';
import { jobSpecFromFlags } from './job-spec.js';
import { formatImport } from './layers.js';
import { parseNumber, parsePositiveInteger } from './options.js';
import { startStage } from './progress.js';

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
  const summary = overlay ? await withDatabase((db) => runDetectJob(resolved, db, options)) : await runDetectJob(resolved, null, options);
  process.stdout.write(formatSummary(summary, resolved.job.out));
  for (const warning of summary.warnings) process.stderr.write(`warning: ${warning}\n`);
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
