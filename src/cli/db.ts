/**
 * `zhiwei db migrate`: brings the database schema up to date (every command also does so on first
 * use), can set the project CRS before any data arrives, and says what the database holds (backend,
 * where, CRS, counts), so that a user sees which project they are working in.
 */
import type { Command } from 'commander';
import type { Knex } from 'knex';
import { ensureProjectEpsg, projectEpsg } from '../db/project-crs.js';
import { BadInputError } from '../errors.js';
import { crsMeasure, isKnownEpsg } from '../geo/crs.js';
import { withDatabase } from './database.js';

/** Registers `zhiwei db`. */
export function registerDb(program: Command): void {
  const db = program.command('db').description('the database: embedded (default, in .zhiwei/db or $ZHIWEI_DATA_DIR/db) or DATABASE_URL');
  db.command('migrate')
    .description('create or update the schema, and say what the database holds')
    .option('--crs <EPSG:code>', 'set the project CRS now (a projected CRS in metres), before the first import or detect run')
    .action(async ({ crs }: { crs?: string }) => {
      const wanted = crs === undefined ? null : parseProjectCrs(crs);
      await withDatabase(async (database) => {
        if (wanted !== null) {
          const epsg = await ensureProjectEpsg(database.knex, wanted);
          if (epsg !== wanted) throw new BadInputError(`the project CRS is EPSG:${epsg} already and cannot change`, 'use another data folder (ZHIWEI_DATA_DIR) or schema (ZHIWEI_DB_SCHEMA) for a project in another CRS');
        }
        const epsg = await projectEpsg(database.knex);
        const counts = await tableCounts(database.knex);
        process.stdout.write(
          `${database.backend} database ${database.location}, schema "${database.schema}": ${database.migrated.length === 0 ? 'up to date' : `migrated (${database.migrated.join(', ')})`}\n` +
            `project CRS: ${epsg === null ? 'not set yet (the first import or detect run sets it, or --crs EPSG:NNNN)' : `EPSG:${epsg}`}\n` +
            `holds: ${counts.map(([table, count]) => `${table} ${count}`).join(', ')}\n`,
        );
      });
    });
}

/** `EPSG:4549` (or `4549`) as a code zhiwei can store geometry in: known and projected. */
function parseProjectCrs(text: string): number {
  const code = Number(/^(?:EPSG:)?(\d+)$/i.exec(text.trim())?.[1]);
  if (!isKnownEpsg(code)) throw new BadInputError(`--crs ${text}: not an EPSG code zhiwei knows`, 'for example --crs EPSG:4549 (CGCS2000 Gauss-Krüger, 120°E)');
  if (crsMeasure(code) !== 'metres') throw new BadInputError(`--crs ${text}: areas are measured in the project CRS, so it must be projected in metres`, 'pick the CGCS2000 Gauss-Krüger or UTM zone of the district');
  return code;
}

/** Rows in the tables a user thinks of as the project's content. */
async function tableCounts(knex: Knex): Promise<[string, number][]> {
  const tables = ['plans', 'zones', 'grids', 'jobs', 'cases', 'users'];
  return Promise.all(tables.map(async (table): Promise<[string, number]> => [table, Number((await knex(table).count({ count: '*' }))[0].count)]));
}
