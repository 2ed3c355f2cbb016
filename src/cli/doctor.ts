/**
 * `zhiwei doctor`: checks the installation and says, for each check that fails, what to do. It
 * looks without changing anything: no schema is created and no migration runs.
 */
import { constants, existsSync, statSync } from 'node:fs';
import { access, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { dataDir, databaseSchema, databaseUrl } from '../config.js';
import { openDatabase, type Database } from '../db/connect.js';
import { pendingMigrations } from '../db/migrations/index.js';
import { DependencyMissingError, type ZhiweiError } from '../errors.js';
import { cjkFont } from '../export/pdf-font.js';
import { loadChangeModel } from '../model/index.js';

/** One check's outcome: what was found, and on failure what to do about it. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** The least free space kept for the evidence store (chips, field photos). */
const minFreeBytes = 1024 ** 3;

/** Registers `zhiwei doctor`. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the installation: Node.js, the database, the change model, the CJK font, the data folder')
    .option('--model <name>', 'change model to check (name in models/ or path to an .onnx)', 'zhiwei-cd-v1')
    .action(async ({ model }: { model: string }) => {
      const checks = [nodeCheck(process.versions.node), await databaseCheck(), await modelCheck(model), fontCheck(), await dataFolderCheck(dataDir()), await diskSpaceCheck(dataDir())];
      for (const check of checks) {
        process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}\n`);
        if (check.fix) process.stdout.write(`      fix: ${check.fix}\n`);
      }
      const failed = checks.filter((check) => !check.ok).length;
      if (failed > 0) throw new DependencyMissingError(`${failed} of ${checks.length} checks failed (see above)`);
      process.stdout.write(`all ${checks.length} checks passed\n`);
    });
}

/** Node.js 20 or later (package.json `engines`). */
export function nodeCheck(version: string): Check {
  const major = Number(version.split('.')[0]);
  return major >= 20
    ? { name: 'Node.js', ok: true, detail: version }
    : { name: 'Node.js', ok: false, detail: `${version}; zhiwei needs 20 or later`, fix: 'install Node.js 20 LTS (https://nodejs.org or the NodeSource Debian packages)' };
}

/**
 * The database in use: reachable (the embedded one not held by another process), PostGIS loaded
 * and its version, migrations current. An embedded database not created yet is fine: the first
 * command creates it, and PGlite with PostGIS is tried in memory instead.
 */
export async function databaseCheck(): Promise<Check> {
  const name = 'database';
  const embeddedFolder = join(dataDir(), 'db');
  const notYet = databaseUrl() === null && !existsSync(embeddedFolder);
  let db: Database;
  try {
    db = await openDatabase({ schema: databaseSchema(), migrate: false, ...(notYet ? { dataDir: ':memory:' } : {}) });
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message, fix: (err as ZhiweiError).hint ?? 'check DATABASE_URL (unset, the embedded database in the data folder is used) and that the database accepts connections' };
  }
  try {
    const postgis = (await db.knex.raw('SELECT public.postgis_lib_version() AS version')).rows[0].version as string;
    const where = notYet ? `embedded, not created yet in ${embeddedFolder} (the first command creates it)` : `${db.backend}, ${db.location}`;
    if (notYet) return { name, ok: true, detail: `${where}; PGlite with PostGIS ${postgis} works` };
    const schemaExists = (await db.knex.raw('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [db.schema])).rows.length > 0;
    if (!schemaExists) return { name, ok: true, detail: `${where}; PostGIS ${postgis}; schema "${db.schema}" not created yet (the first command creates it)` };
    const pending = await pendingMigrations(db.knex, db.schema);
    if (pending.length > 0) {
      return { name, ok: false, detail: `${where}; PostGIS ${postgis}; ${pending.length} migrations not run: ${pending.join(', ')}`, fix: 'run zhiwei db migrate (every command also does so on first use)' };
    }
    return { name, ok: true, detail: `${where}; PostGIS ${postgis}; migrations current` };
  } catch (err) {
    return { name, ok: false, detail: `${db.location}: ${(err as Error).message}`, fix: 'install PostGIS in that database (CREATE EXTENSION postgis) and run zhiwei db migrate' };
  } finally {
    await db.close();
  }
}

/** The change model: its manifest reads and its ONNX file loads into onnxruntime. */
export async function modelCheck(nameOrPath: string): Promise<Check> {
  const name = `change model ${nameOrPath}`;
  try {
    const model = await loadChangeModel(nameOrPath, { threads: 1 });
    const { manifest } = model;
    await model.close();
    return { name, ok: true, detail: `${manifest.name} ${manifest.version}, ${manifest.tile_size} px tiles at ${manifest.gsd_m} m` };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message, fix: (err as ZhiweiError).hint ?? 'reinstall the package (npm ci) so that models/ is complete, or pass --model PATH.onnx with its manifest beside it' };
  }
}

/** The CJK font the PDF dossiers need. */
export function fontCheck(): Check {
  try {
    return { name: 'CJK font for PDF dossiers', ok: true, detail: cjkFont().path };
  } catch (err) {
    return { name: 'CJK font for PDF dossiers', ok: false, detail: (err as Error).message, fix: (err as ZhiweiError).hint ?? 'set ZHIWEI_CJK_FONT to a .ttf or .otf font with Chinese glyphs' };
  }
}

/** The data folder (embedded database, evidence store) can be written: it is a folder, or can be made in one. */
export async function dataFolderCheck(folder: string): Promise<Check> {
  const name = 'data folder';
  const fix = 'set ZHIWEI_DATA_DIR to a folder this user can write, or fix the permissions';
  const existing = nearestExisting(folder);
  if (!statSync(existing).isDirectory()) return { name, ok: false, detail: `${folder}: ${existing} is a file, not a folder`, fix };
  try {
    await access(existing, constants.W_OK);
  } catch {
    return { name, ok: false, detail: `${existing} cannot be written by this user`, fix };
  }
  return { name, ok: true, detail: existing === folder ? `${folder} is writable` : `${folder} does not exist yet; ${existing} is writable` };
}

/** Room on the disk of the data folder for evidence (chips, field photos). */
export async function diskSpaceCheck(folder: string, freeBytes?: number): Promise<Check> {
  const name = 'disk space for the evidence store';
  const existing = nearestExisting(folder);
  const disk = await statfs(existing);
  const free = freeBytes ?? disk.bavail * disk.bsize;
  const gb = (free / 1024 ** 3).toFixed(1);
  return free >= minFreeBytes
    ? { name, ok: true, detail: `${gb} GB free on the disk of ${existing}` }
    : { name, ok: false, detail: `${gb} GB free on the disk of ${existing}; chips and field photos need at least 1 GB`, fix: 'free space there, or set ZHIWEI_DATA_DIR to a folder on a larger disk' };
}

/** `path` itself when it exists, otherwise its nearest existing ancestor. */
function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}
