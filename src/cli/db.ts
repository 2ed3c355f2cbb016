/**
 * `zhiwei db migrate`: brings the database schema up to date (every command also does so on first
 * use) and says which backend and project CRS are in use.
 */
import type { Command } from 'commander';
import { projectEpsg } from '../db/project-crs.js';
import { withDatabase } from './database.js';

/** Registers `zhiwei db`. */
export function registerDb(program: Command): void {
  const db = program.command('db').description('the database: embedded (default, in .zhiwei/db or $ZHIWEI_DATA_DIR/db) or DATABASE_URL');
  db.command('migrate')
    .description('create or update the schema')
    .action(async () => {
      await withDatabase(async (database) => {
        const epsg = await projectEpsg(database.knex);
        process.stdout.write(
          `${database.backend} database, schema "${database.schema}": ${database.migrated.length === 0 ? 'up to date' : `migrated (${database.migrated.join(', ')})`}; ` +
            `project CRS ${epsg === null ? 'not set yet (the first import or detect run sets it)' : `EPSG:${epsg}`}\n`,
        );
      });
    });
}
