/**
 * Databases for tests: the embedded backend always (in memory, one instance per test file), and
 * the server backend too when DATABASE_URL is set, as CI does. Each server database gets its own
 * schema, dropped at close, so test files never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../db/connect.js';

/** The backends to run database tests on here. */
export function testBackends(): Database['backend'][] {
  if (process.env.CI === 'true' && !process.env.DATABASE_URL) throw new Error('CI runs the database tests on the server backend too: set DATABASE_URL (.ci/run does)');
  return process.env.DATABASE_URL ? ['embedded', 'server'] : ['embedded'];
}

/** A fresh, migrated database on `backend`; close() removes what the test wrote. */
export async function openTestDatabase(backend: Database['backend']): Promise<Database> {
  if (backend === 'embedded') return openDatabase({ url: null, dataDir: ':memory:', schema: 'zhiwei' });
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase({ url: process.env.DATABASE_URL, schema });
  return {
    ...db,
    close: async () => {
      await db.knex.raw('DROP SCHEMA ?? CASCADE', [schema]);
      // the job queue's, where a service on this database ran one (server/job-runner.ts)
      await db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [`${schema}_queue`]);
      await db.close();
    },
  };
}

/** A schema name for a CLI run against the server backend (`ZHIWEI_DB_SCHEMA`). */
export function testSchemaName(): string {
  return `test_${randomBytes(6).toString('hex')}`;
}

/** A data folder and schema of its own for the CLI runs of one test file, and the database they write to. */
export interface CliDatabase {
  /** A temporary folder for the test's files; the data folder is `data/` inside. */
  dir: string;
  /** Environment for `runCli`: ZHIWEI_DATA_DIR and ZHIWEI_DB_SCHEMA. */
  env: Record<string, string>;
  /** Runs `work` on the database the CLI runs write to (embedded in `data/`, or the server). */
  use<T>(work: (db: Database) => Promise<T>): Promise<T>;
  /** Removes the folder, and the schema on the server backend. */
  remove(): Promise<void>;
}

/** A database for CLI runs, in a new temporary folder named after `name`. */
export async function cliDatabase(name: string): Promise<CliDatabase> {
  const dir = await mkdtemp(join(tmpdir(), `zhiwei-${name}-`));
  const env = { ZHIWEI_DATA_DIR: join(dir, 'data'), ZHIWEI_DB_SCHEMA: testSchemaName() };
  const use = async <T>(work: (db: Database) => Promise<T>): Promise<T> => {
    const db = await openDatabase({ dataDir: env.ZHIWEI_DATA_DIR, schema: env.ZHIWEI_DB_SCHEMA });
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  };
  const remove = async () => {
    if (process.env.DATABASE_URL) await use((db) => db.knex.raw('DROP SCHEMA ?? CASCADE', [env.ZHIWEI_DB_SCHEMA]));
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, env, use, remove };
}
