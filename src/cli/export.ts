/**
 * `zhiwei export`: the selected cases as XLSX, CSV, GeoJSON, KML/KMZ or a PDF dossier for a
 * bureau, written whole to a temporary file beside the output and then renamed into place;
 * `--layer buildings` the building register instead (XLSX, CSV, GeoJSON, GeoPackage);
 * `zhiwei export training-chips` writes the cases' verdicts as training chips.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import { readBuildings } from '../cases/buildings.js';
import { CASE_STATES, type CaseState } from '../cases/states.js';
import { dataDir, evidenceDir } from '../config.js';
import { BadInputError } from '../errors.js';
import { writeAtomically } from '../files.js';
import { buildingExportFormat, refuseNoBuildings } from '../export/buildings.js';
import { exportFormats, type ExportBody, type ExportFormat, type ExportFormatName, type ExportOptions } from '../export/index.js';
import { readCases, readDossiers, refuseIncomplete, type CaseSelection } from '../export/read-cases.js';
import { VIOLATIONS, type Violation } from '../vocabulary.js';
import { databaseInUse, withDatabase } from './database.js';
import { exportTrainingChips } from './export-training-chips.js';
import { parsePositiveInteger } from './options.js';

interface ExportFlags {
  layer?: 'cases' | 'buildings';
  format?: ExportFormatName;
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

/** Flags that `training-chips` does not take (the verdict, not --state, picks its cases). */
const fileOnlyFlags = { layer: '--layer', format: '--format', chineseHeaders: '--chinese-headers', crs: '--crs', state: '--state', violation: '--violation' } as const;

/** Flags that pick cases, which the building register does not take. */
const caseOnlyFlags = { state: '--state', case: '--case' } as const;

/** Registers `zhiwei export`. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export cases for a bureau: xlsx, csv (UTF-8 with BOM), geojson, kml, kmz, or pdf (one case: its dossier; several: a batch dossier); the building register (--layer buildings); or the verdicts as training chips')
    .addArgument(new Argument('[what]', 'training-chips: cases verified illegal and false positives as A/, B/, label/ chips in the folder --out').choices(['training-chips']))
    .addOption(new Option('--layer <layer>', 'what to export: cases (default) or buildings, the register surveys fill (xlsx, csv, geojson, gpkg)').choices(['cases', 'buildings']))
    .addOption(new Option('--format <format>', 'output format (required unless training-chips)').choices(Object.keys(exportFormats)))
    .requiredOption('--out <path>', 'file to write (for training-chips, a folder), replaced whole, never left half-written')
    .option('--chinese-headers', 'Chinese column headers and labels (xlsx, csv, kml, kmz)')
    .addOption(new Option('--crs <crs>', 'geojson coordinates: wgs84 (RFC 7946) or source (the project CRS)').choices(['wgs84', 'source']))
    .addOption(new Option('--state <state>', 'only cases in this state').choices(CASE_STATES))
    .addOption(new Option('--violation <violation>', 'only cases of this violation type').choices(VIOLATIONS))
    .option('--grid <grid>', 'only cases (buildings) in this grid (网格)')
    .option('--job <id>', 'only cases found by this job (buildings: observed by this survey job)', parsePositiveInteger)
    .option('--case <id...>', 'only these cases (ids)', (value: string, previous: number[] = []) => [...previous, parseCaseId(value)])
    .action(async (what: 'training-chips' | undefined, flags: ExportFlags) => {
      const chips = what === 'training-chips';
      if (chips) refuseFileOnlyFlags(flags);
      if (flags.layer === 'buildings') return exportBuildings(flags);
      const format: ExportFormat | null = chips ? null : exportFormats[flags.format ?? missingFormat()];
      const options: ExportOptions = { ...(flags.chineseHeaders ? { chineseHeaders: true } : {}), ...(flags.crs ? { crs: flags.crs } : {}) };
      for (const name of Object.keys(options) as (keyof ExportOptions)[]) {
        if (format && !format.options.includes(name)) throw new BadInputError(`${optionFlags[name]} does not apply to --format ${flags.format}`);
      }
      const selection = selectionOf(flags);
      if (!databaseInUse()) throw new BadInputError(`no cases to export: no database here (${join(dataDir(), 'db')} or DATABASE_URL)`, 'cases come from `zhiwei detect` with plans');
      const out = resolve(flags.out);
      if (!format) return exportTrainingChips(out, selection);
      const count = await withDatabase(async (db) => {
        const records = await readCases(db.knex, selection);
        refuseIncomplete(records.map((r) => r.id), selection);
        const body = format.input === 'records' ? await format.render(records, options) : await format.render(await readDossiers(db.knex, records, evidenceDir()), options);
        await writeExport(out, body);
        return records.length;
      });
      process.stdout.write(`${count} case${count === 1 ? '' : 's'} written to ${out} (${flags.format})\n`);
    });
}

/** Writes the building register, or the part of it the flags select. */
async function exportBuildings(flags: ExportFlags): Promise<void> {
  const given = (Object.keys(caseOnlyFlags) as (keyof typeof caseOnlyFlags)[]).find((key) => flags[key] !== undefined);
  if (given) throw new BadInputError(`${caseOnlyFlags[given]} does not apply to --layer buildings`, 'buildings are selected by --violation, --grid and --job');
  const format = buildingExportFormat(flags.format ?? missingFormat());
  const options: ExportOptions = { ...(flags.chineseHeaders ? { chineseHeaders: true } : {}), ...(flags.crs ? { crs: flags.crs } : {}) };
  for (const name of Object.keys(options) as (keyof ExportOptions)[]) {
    if (!format.options.includes(name)) throw new BadInputError(`${optionFlags[name]} does not apply to --format ${flags.format}`);
  }
  if (!databaseInUse()) throw new BadInputError(`no buildings to export: no database here (${join(dataDir(), 'db')} or DATABASE_URL)`, 'the register is filled by `zhiwei survey` with plans');
  const selection = { violations: flags.violation && [flags.violation], grids: flags.grid === undefined ? undefined : [flags.grid], jobId: flags.job };
  const out = resolve(flags.out);
  const count = await withDatabase(async (db) => {
    const buildings = await readBuildings(db.knex, selection);
    refuseNoBuildings(buildings.length, selection);
    await writeExport(out, await format.render(buildings, options));
    return buildings.length;
  });
  process.stdout.write(`${count} building${count === 1 ? '' : 's'} written to ${out} (${flags.format})\n`);
}

/** Refuses the flags of the file formats given with `training-chips`. */
function refuseFileOnlyFlags(flags: ExportFlags): void {
  const given = (Object.keys(fileOnlyFlags) as (keyof typeof fileOnlyFlags)[]).find((key) => flags[key] !== undefined);
  if (given) throw new BadInputError(`${fileOnlyFlags[given]} does not apply to training-chips`);
}

function missingFormat(): never {
  throw new BadInputError(`export needs --format (${Object.keys(exportFormats).join(', ')}), or training-chips`);
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

/** Writes `body` whole to `path` (its folder made first); nothing is left on failure. */
async function writeExport(path: string, body: ExportBody): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeAtomically(path, (partial) =>
    typeof body === 'string' || body instanceof Uint8Array ? writeFile(partial, body) : pipeline(body, createWriteStream(partial)),
  );
}
