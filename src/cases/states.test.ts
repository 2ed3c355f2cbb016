import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.js';
import { CHANGE_KINDS, VIOLATIONS } from '../vocabulary.js';
import { openTestDatabase, testBackends } from '../test-support/database.js';
import { CASE_STATES } from './states.js';

describe.each(testBackends())('the database check of case columns on the %s backend', (backend) => {
  let db: Database;
  let jobId: number;
  const insert = (row: Record<string, string>) =>
    db.knex('cases').insert({
      state: 'detected', violation: 'no_permit', change_kind: 'new_building', priority: 1, area_m2: 10, first_job_id: jobId, last_job_id: jobId,
      geom: db.knex.raw(`ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))')`), ...row,
    });

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    [{ id: jobId }] = await db.knex('jobs').insert({ state: 'succeeded', spec: '{}' }).returning('id');
  });
  afterAll(async () => db?.close());

  it('takes every state of the lifecycle, violation and change kind the code knows, and nothing else', async () => {
    for (const state of CASE_STATES) await insert({ state });
    for (const violation of VIOLATIONS) await insert({ violation });
    for (const changeKind of CHANGE_KINDS) await insert({ change_kind: changeKind });
    await expect(insert({ state: 'archived' })).rejects.toThrow(/check constraint/);
    await expect(insert({ violation: 'too_tall' })).rejects.toThrow(/check constraint/);
    await expect(insert({ change_kind: 'shed' })).rejects.toThrow(/check constraint/);
  });
});
