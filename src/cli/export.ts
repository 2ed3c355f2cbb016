/**
 * `zhiwei export`: the selected cases as XLSX, CSV, GeoJSON, KML/KMZ or a PDF dossier for a
 * bureau, written whole to a temporary file beside the output and then renamed into place.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CASE_STATES, type CaseState } from '../cases/states.js';
import { dataDir, evidenceDir } from '../config.js';
import { BadInputError } from '../errors.js';
import { exportFormats, type ExportBody, type ExportFormat, type ExportFormatName, type ExportOptions } from '../export/index.js';
import { readCases, readDossiers, type CaseSelection } from '../export/read-cases.js';
import { VIOLATIONS, type Violation } from '../pipeline/types.js';
import { databaseInUse, withDatabase } from './database.js';
import { parsePositiveInteger } from './options.js';

interface ExportFlags {
  format: ExportFormatName;
  out: string;
  chineseHeaders?: boolean;
  crs?: 'wgs84' | 'source';
  state?: CaseState;
  violation?: Violation;
  grid?: string;
  job?: number;
  case?: number[];
}

/** The flag of each renderer option. */
const optionFlags: Record<keyof ExportOptions, string> = { chineseHeaders: '--chinese-headers', crs: '--crs' };

/** Registers `zhiwei export`. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export cases for a bureau: xlsx, csv (UTF-8 with BOM), geojson, kml, kmz, or pdf (one case: its dossier; several: a batch dossier)')
    .addOption(new Option('--format <format>', 'output format').choices(Object.keys(exportFormats)).makeOptionMandatory())
    .requiredOption('--out <file>', 'file to write (replaced whole, never left half-written)')
    .option('--chinese-headers', 'Chinese column headers and labels (xlsx, csv, kml, kmz)')
    .addOption(new Option('--crs <crs>', 'geojson coordinates: wgs84 (RFC 7946) or source (the project CRS)').choices(['wgs84', 'source']))
    .addOption(new Option('--state <state>', 'only cases in this state').choices(CASE_STATES))
    .addOption(new Option('--violation <violation>', 'only cases of this violation type').choices(VIOLATIONS))
    .option('--grid <grid>', 'only cases in this grid (网格)')
    .option('--job <id>', 'only cases found by this detect job', parsePositiveInteger)
    .option('--case <id...>', 'only these cases (ids)', (value: string, previous: number[] = []) => [...previous, parseCaseId(value)])
    .action(async (flags: ExportFlags) => {
      const format: ExportFormat = exportFormats[flags.format];
      const options: ExportOptions = { ...(flags.chineseHeaders ? { chineseHeaders: true } : {}), ...(flags.crs ? { crs: flags.crs } : {}) };
      for (const name of Object.keys(options) as (keyof ExportOptions)[]) {
        if (!format.options.includes(name)) throw new BadInputError(`${optionFlags[name]} does not apply to --format ${flags.format}`);
      }
      const selection = selectionOf(flags);
      if (!databaseInUse()) throw new BadInputError(`no cases to export: no database here (${join(dataDir(), 'db')} or DATABASE_URL)`, 'cases come from `zhiwei detect` with plans');
      const out = resolve(flags.out);
      const count = await withDatabase(async (db) => {
        const records = await readCases(db.knex, selection);
        refuseIncomplete(records.map((r) => r.id), selection);
        const body = format.input === 'records' ? await format.render(records, options) : await format.render(await readDossiers(db.knex, records, evidenceDir()), options);
        await writeAtomically(out, body);
        return records.length;
      });
      process.stdout.write(`${count} case${count === 1 ? '' : 's'} written to ${out} (${flags.format})\n`);
    });
}

function parseCaseId(value: string): number {
  try {
    return parsePositiveInteger(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a case id`);
  }
}

function selectionOf(flags: ExportFlags): CaseSelection {
  return {
    ...(flags.state ? { state: flags.state } : {}),
    ...(flags.violation ? { violation: flags.violation } : {}),
    ...(flags.grid ? { gridId: flags.grid } : {}),
    ...(flags.job !== undefined ? { jobId: flags.job } : {}),
    ...(flags.case ? { ids: flags.case } : {}),
  };
}

/** Refuses an empty selection, and cases asked for by id that are not among those found. */
function refuseIncomplete(found: number[], selection: CaseSelection): void {
  const missing = (selection.ids ?? []).filter((id) => !found.includes(id));
  const filters = describe(selection, false);
  if (missing.length > 0) throw new BadInputError(`case${missing.length === 1 ? '' : 's'} ${missing.join(', ')} not found${filters ? ` among cases ${filters}` : ''}`);
  if (found.length === 0) throw new BadInputError(`no cases ${describe(selection, true) || 'in the database'}; nothing written`);
}

/** The filters in words ("with state closed, in grid WG-1"). */
function describe(selection: CaseSelection, withIds: boolean): string {
  const parts = [
    selection.state && `with state ${selection.state}`,
    selection.violation && `with violation ${selection.violation}`,
    selection.gridId && `in grid ${selection.gridId}`,
    selection.jobId !== undefined && `found by job ${selection.jobId}`,
    withIds && selection.ids && `among ids ${selection.ids.join(', ')}`,
  ];
  return parts.filter(Boolean).join(', ');
}

/** Writes `body` to a temporary file beside `path`, then renames it over `path`; nothing is left on failure. */
async function writeAtomically(path: string, body: ExportBody): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  try {
    if (typeof body === 'string' || body instanceof Uint8Array) await writeFile(partial, body);
    else await pipeline(body, createWriteStream(partial));
    await rename(partial, path);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}
