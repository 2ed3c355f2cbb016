/**
 * The overlay on plan outlines that trip GEOS inside PGlite: the union of the buffered outlines of
 * these six plans of a generated scene (two pairs of them identical, as an amended plan repeats its
 * footprint) returned an empty result without an error on the embedded backend, so every candidate
 * judged after it was silently left unjudged. The overlay must judge every candidate, or fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/connect.js';
import { ensureProjectEpsg } from '../../db/project-crs.js';
import { openTestDatabase, testBackends } from '../../test-support/database.js';
import { overlayCandidates } from './sql.js';

const plans = [
  'MULTIPOLYGON(((493686.3556564863 3341713.9755478636,493696.4728724754 3341713.355034411,493697.11804193846 3341723.8751014154,493687.0009319143 3341724.4956142423,493686.3556564863 3341713.9755478636)))',
  'MULTIPOLYGON(((493697.606818636 3341713.7692053276,493708.5774906654 3341712.9322656575,493709.34914304793 3341723.046639417,493698.37838477944 3341723.883578398,493697.606818636 3341713.7692053276)))',
  'MULTIPOLYGON(((493697.4959369679 3341734.980862534,493686.559415539 3341735.7174692033,493685.96130624117 3341726.836267797,493696.8977401904 3341726.099660612,493697.4959369679 3341734.980862534)))',
  'MULTIPOLYGON(((493710.6247307552 3341734.192902869,493698.8543193945 3341734.672124778,493698.430702648 3341724.2684397064,493710.2011250915 3341723.7891065134,493710.6247307552 3341734.192902869)))',
  'MULTIPOLYGON(((493697.4959369679 3341734.980862534,493686.559415539 3341735.7174692033,493685.96130624117 3341726.836267797,493696.8977401904 3341726.099660612,493697.4959369679 3341734.980862534)))',
  'MULTIPOLYGON(((493710.6247307552 3341734.192902869,493698.8543193945 3341734.672124778,493698.430702648 3341724.2684397064,493710.2011250915 3341723.7891065134,493710.6247307552 3341734.192902869)))'
];
const onThem = 'MULTIPOLYGON(((493698.6066035932 3341734.3929283274,493698.116870696 3341734.409691012,493697.7585974846 3341723.942502674,493709.5339884049 3341723.5394520187,493709.887052308 3341733.8544470803,493698.6013942877 3341734.2407350503,493698.6066035932 3341734.3929283274)))';

describe.each(testBackends())('the overlay on plans that trip GEOS (%s)', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
    await ensureProjectEpsg(db.knex, 4549);
    for (const [i, wkt] of plans.entries()) {
      await db.knex('plans').insert({ permit_no: `P-${i}`, kind: 'existing_building', permitted_height_m: 12, valid_from: '2020-01-01', geom: db.knex.raw('ST_GeomFromText(?, 4549)', [wkt]) });
    }
    const [{ id: jobId }] = await db.knex('jobs').insert({ spec: '{}', state: 'succeeded', after_date: '2024-10-01' }).returning('id');
    const candidate = (local_id: string, wkt: string) => ({
      job_id: jobId, local_id, change_kind: 'new_building', area_m2: 100, height_change_m: 6, height_after_m: 6, reason: 'test',
      geom: db.knex.raw('ST_Multi(ST_GeomFromText(?, 4549))', [wkt]),
    });
    // one on the plans, and one away from them judged after it
    await db.knex('candidates').insert([candidate('on-plans', onThem), candidate('elsewhere', 'POLYGON((493800 3341800,493810 3341800,493810 3341810,493800 3341810,493800 3341800))')]);
  }, 120_000);
  afterAll(async () => db?.close());

  it('judges every candidate', async () => {
    const jobId = Number((await db.knex('jobs').first('id')).id);
    await overlayCandidates(db.knex, { jobId, afterDate: '2024-10-01', recency: 1 });
    const judged = await db.knex('candidates').orderBy('local_id').select('local_id', 'violation', 'permit_no');
    expect(judged).toEqual([
      { local_id: 'elsewhere', violation: 'no_permit', permit_no: null },
      { local_id: 'on-plans', violation: 'none', permit_no: expect.stringMatching(/^P-/) },
    ]);
  });
});
