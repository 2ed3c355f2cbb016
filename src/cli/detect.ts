/**
 * `zhiwei detect`: the main job, from two flights' orthophotos and DSMs to measured change
 * polygons (candidates.geojson, summary.json, evidence chips) and, against the approved plans in
 * the database, suspects and cases (suspects.geojson). Inputs come from flags or from a job spec
 * file (`--job job.json`, the same keys as the flags) that analysts keep under version control;
 * flags override the file.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { BadInputError } from '../errors.js';
import { evidenceDir } from '../config.js';
import type { Database } from '../db/connect.js';
import { importLayer } from '../plans/import.js';
import { parseDate } from '../plans/layers.js';
import { runDetect, type DetectJob, type DetectSummary } from '../pipeline/run-detect.js';
import { defaultThresholds } from '../pipeline/thresholds.js';
import { databaseInUse, withDatabase } from './database.js';
import { formatImport } from './layers.js';
import { parseNumber, parsePositiveInteger } from './options.js';
import { startStage } from './progress.js';

const rasterKeys = ['before-ortho', 'after-ortho', 'before-dsm', 'after-dsm', 'before-dtm'] as const;
const layerKeys = ['plans', 'grids', 'zones'] as const;
const pathKeys: readonly string[] = [...rasterKeys, ...layerKeys, 'out'];
const jobKeys = [...rasterKeys, ...layerKeys, 'before-date', 'after-date', 'out', 'model', 'threads', 'min-height-change', 'min-area'] as const;
type JobSpec = Partial<Record<(typeof jobKeys)[number], string | number>>;

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
    .action(async (flags: Record<string, string | number | undefined>) => {
      const { job, layers } = await resolveJob(flags);
      const needDate = () => new BadInputError('the after flight date decides which plans are valid: pass --after-date YYYY-MM-DD (or "after-date" in the job spec)');
      if (layers.length > 0 && !job.afterDate) throw needDate();
      const overlay = layers.length > 0 || databaseInUse();
      const summary = overlay
        ? await withDatabase(async (db) => {
            await importLayers(db, layers);
            if (!(await hasPlans(db))) {
              process.stderr.write('no approved plans in the database: candidates only (import them with --plans or zhiwei plans import)\n');
              return runDetect(job, startStage);
            }
            if (!job.afterDate) throw needDate();
            return runDetect(job, startStage, { db, evidenceDir: evidenceDir(), afterDate: job.afterDate });
          })
        : await runDetect(job, startStage);
      process.stdout.write(formatSummary(summary, job.out));
    });
}

/** Imports the layers given with the job (an unchanged file is a no-op) and reports each. */
async function importLayers(db: Database, layers: { layer: (typeof layerKeys)[number]; file: string }[]): Promise<void> {
  for (const { layer, file } of layers) process.stderr.write(formatImport(await importLayer(db, layer, file)));
}

async function hasPlans(db: Database): Promise<boolean> {
  return (await db.knex('plans').first('id')) !== undefined;
}

/** The job from the spec file (if any) overridden by flags, validated; and the layers to import first. */
async function resolveJob(flags: Record<string, string | number | undefined>): Promise<{ job: DetectJob; layers: { layer: (typeof layerKeys)[number]; file: string }[] }> {
  const spec: JobSpec = {};
  if (typeof flags.job === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(flags.job, 'utf8'));
    } catch (err) {
      throw new BadInputError(`${flags.job}: not a readable JSON job spec (${(err as Error).message})`);
    }
    const base = dirname(flags.job);
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (!(jobKeys as readonly string[]).includes(key)) {
        throw new BadInputError(`${flags.job}: unknown key "${key}"`, `job spec keys are the detect flags: ${jobKeys.join(', ')}`);
      }
      spec[key as keyof JobSpec] = pathKeys.includes(key) ? absolute(base, value as string) : (value as string | number);
    }
  }
  const camel = (key: string) => key.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
  // paths are stored with the job, so they are made absolute (a flag's from the working folder)
  const value = (key: (typeof jobKeys)[number]) => {
    const flag = flags[camel(key)];
    if (flag === undefined) return spec[key];
    return pathKeys.includes(key) && typeof flag === 'string' && flag !== '' ? absolute(process.cwd(), flag) : flag;
  };
  const out = value('out');
  if (typeof out !== 'string') throw new BadInputError('detect needs --out DIR (or "out" in the job spec)');
  const paths = Object.fromEntries(rasterKeys.map((key) => [camel(key), value(key)]).filter(([, v]) => v !== undefined));
  const date = (key: 'before-date' | 'after-date') => {
    const given = value(key);
    if (given === undefined) return {};
    return { [camel(key)]: parseDate(given, `--${key}`) };
  };
  const layers = layerKeys.flatMap((layer) => (value(layer) === undefined ? [] : [{ layer, file: String(value(layer)) }]));
  const job: DetectJob = {
    ...(paths as Partial<DetectJob>),
    ...date('before-date'),
    ...date('after-date'),
    out,
    model: String(value('model') ?? 'zhiwei-cd-v1'),
    threads: value('threads') === undefined ? undefined : Number(value('threads')),
    thresholds: {
      ...defaultThresholds,
      minHeightChangeM: Number(value('min-height-change') ?? defaultThresholds.minHeightChangeM),
      minAreaM2: Number(value('min-area') ?? defaultThresholds.minAreaM2),
    },
  };
  return { job, layers };
}

/** A path made absolute against `base`; URLs (COGs read over HTTP) stay as they are. */
function absolute(base: string, path: string): string {
  return typeof path === 'string' && !/^https?:\/\//i.test(path) ? resolve(base, path) : path;
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
    `cases: ${cases.created} new, ${cases.updated} updated, ${cases.reopened} reopened; ${cases.reinspections} demolitions attached to open cases`,
    `suspects: ${out}/suspects.geojson; cases are in the database`,
  );
  return lines;
}
