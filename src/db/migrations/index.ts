/**
 * The schema (DESIGN.md section 6) as an ordered list of migrations, one file each, run by knex's
 * migrator from this list (not from files on disk, so the built package carries them).
 * Geometries are MultiPolygons in the project CRS; their SRID is fixed when the project CRS is
 * first set (`../project-crs.ts`), since a fresh database does not know it yet.
 */
import type { Knex } from 'knex';
import { initial } from './001-initial.js';
import { users } from './002-users.js';
import { webhooks } from './003-webhooks.js';
import { jobProgress } from './004-job-progress.js';
import { caseHead } from './005-case-head.js';
import { buildings } from './006-buildings.js';
import { queue } from './007-queue.js';

/** One migration: SQL statements run in order, in one transaction. */
export interface Migration {
  name: string;
  statements: string[];
}

/** Every migration, oldest first; a new one is a new file added at the end. */
const migrations: Migration[] = [initial, users, webhooks, jobProgress, caseHead, buildings, queue];

/** Brings the schema up to date; returns the names of the migrations it ran. */
export async function migrate(knex: Knex, schema: string): Promise<string[]> {
  const [, ran] = (await knex.migrate.latest(migratorConfig(schema))) as [number, string[]];
  return ran;
}

/** Names of the migrations not yet run on this schema (none when it is current). */
export async function pendingMigrations(knex: Knex, schema: string): Promise<string[]> {
  const [, pending] = (await knex.migrate.list(migratorConfig(schema))) as [unknown[], Migration[]];
  return pending.map((migration) => migration.name);
}

function migratorConfig(schema: string): Knex.MigratorConfig {
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
  return { migrationSource: source, schemaName: schema, tableName: 'migrations' };
}
