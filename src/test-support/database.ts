/**
 * Databases for tests: the embedded backend always (in memory, one instance per test file), and
 * the server backend too when DATABASE_URL is set, as CI does. Each server database gets its own
 * schema, dropped at close, so test files never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
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
      await db.close();
    },
  };
}

/** A schema name for a CLI run against the server backend (`ZHIWEI_DB_SCHEMA`). */
export function testSchemaName(): string {
  return `test_${randomBytes(6).toString('hex')}`;
}
