/**
 * The schema (DESIGN.md section 6) as an ordered list of migrations, one file each, run by knex's
 * migrator from this list (not from files on disk, so the built package carries them).
 * Geometries are MultiPolygons in the project CRS; their SRID is fixed when the project CRS is
 * first set (`../project-crs.ts`), since a fresh database does not know it yet.
 */
import type { Knex } from 'knex';
import { initial } from './001-initial.js';

/** One migration: SQL statements run in order, in one transaction. */
export interface Migration {
  name: string;
  statements: string[];
}

/** Every migration, oldest first; a new one is a new file added at the end. */
const migrations: Migration[] = [initial];

/** Brings the schema up to date; returns the names of the migrations it ran. */
export async function migrate(knex: Knex, schema: string): Promise<string[]> {
  const source: Knex.MigrationSource<Migration> = {
    getMigrations: async () => migrations,
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => ({
      up: async (trx: Knex) => {
        for (const statement of migration.statements) await trx.raw(statement);
      },
      down: async () => {
        throw new Error('zhiwei migrations are forward-only');
      },
    }),
  };
  const [, ran] = (await knex.migrate.latest({ migrationSource: source, schemaName: schema, tableName: 'migrations' })) as [number, string[]];
  return ran;
}
