import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../connect.js';
import { ensureProjectEpsg } from '../project-crs.js';
import { openTestDatabase, testBackends } from '../../test-support/database.js';
import { buildings } from './006-buildings.js';

const srid = async (db: Database, table: string) =>
  Number((await db.knex.raw(`SELECT Find_SRID(current_schema()::text, ?, 'geom') AS srid`, [table])).rows[0].srid);

describe.each(testBackends())('the building register tables (%s)', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  }, 120_000);
  afterAll(async () => db?.close());

  it('get the project SRID when the project CRS is set', async () => {
    await ensureProjectEpsg(db.knex, 4549);
    expect(await srid(db, 'buildings')).toBe(4549);
    expect(await srid(db, 'building_observations')).toBe(4549);
  });

  it('get the SRID of a project CRS set before the migration ran', async () => {
    // a database migrated before 006 has the CRS in settings and untyped new columns
    await db.knex.raw('ALTER TABLE buildings ALTER COLUMN geom TYPE geometry(MultiPolygon) USING geom');
    expect(await srid(db, 'buildings')).toBe(0);
    await db.knex.raw(buildings.statements.at(-1)!);
    expect(await srid(db, 'buildings')).toBe(4549);
  });
});
