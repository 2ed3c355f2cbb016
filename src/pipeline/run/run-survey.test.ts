import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/connect.js';
import { readGeoPackage } from '../../geo/geopackage.js';
import { openGeoTiff } from '../../raster/geotiff-source.js';
import type { RasterSource } from '../../raster/types.js';
import { openTestDatabase, testBackends } from '../../test-support/database.js';
import { cutOffAt, quietProgress } from '../../test-support/progress.js';
import { writeSurveyDsm, writeSurveyOrtho } from '../../test-support/survey-scene.js';
import { defaultSurveyThresholds } from '../survey/building.js';
import type { ProgressFactory } from '../types.js';
import { defaultThresholds } from '../thresholds.js';
import { runDetect } from './run-detect.js';
import { runSurvey } from './run-survey.js';

let dir: string;
let dsm: RasterSource;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-run-survey-'));
  dsm = await openGeoTiff(await writeSurveyDsm(dir));
});
afterAll(async () => {
  await dsm?.close();
  await rm(dir, { recursive: true, force: true });
});

describe.each(testBackends())('a survey run against the register, on the %s backend', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  const rows = async () => {
    const tables = ['jobs', 'candidates', 'buildings', 'building_observations', 'cases'];
    const counts = await Promise.all(tables.map(async (table) => Number((await db.knex(table).count({ n: '*' }))[0].n)));
    return Object.fromEntries(tables.map((table, i) => [table, counts[i]]));
  };
  const run = (out: string, progress: ProgressFactory) =>
    runSurvey({ dsm: dsm.name, date: '2024-10-01', out, thresholds: defaultSurveyThresholds }, { dsm }, progress, { db, evidenceDir: join(dir, `${backend}-evidence`), afterDate: '2024-10-01' });

  it('leaves only the output folder, and no register, when cut off after the swap; a re-run registers the buildings, and a second survey updates them', async () => {
    const out = join(dir, `${backend}-survey`);
    await expect(run(out, cutOffAt(3))).rejects.toThrow('cut off at results step 3');
    expect(Object.values(await rows()).every((n) => n === 0)).toBe(true);
    expect((await readdir(dir)).filter((name) => name.startsWith(basename(out)))).toEqual([basename(out)]);
    expect(existsSync(join(out, 'suspects.qml'))).toBe(true);
    const layers = (await readGeoPackage(join(out, 'results.gpkg'))).map((t) => [t.name, t.features.length]);
    expect(layers.slice(0, 2)).toEqual([['buildings', 2], ['rooftop_structures', 1]]);

    const first = await run(out, quietProgress);
    expect(first).toMatchObject({ buildings: 2, register: { created: 2, updated: 0 } });
    expect(await rows()).toMatchObject({ jobs: 1, candidates: 3, buildings: 2, building_observations: 2 });
    const written = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(written).toMatchObject({ job_id: first.job_id, building_totals: { count: 2 } });

    const second = await run(join(dir, `${backend}-again`), quietProgress);
    expect(second).toMatchObject({ register: { created: 0, updated: 2 } });
    expect(await rows()).toMatchObject({ jobs: 2, buildings: 2, building_observations: 4 });
  });

  it('cuts the after orthophoto around each building into the evidence of its case', async () => {
    const ortho = await openGeoTiff(await writeSurveyOrtho(dir));
    try {
      const out = join(dir, `${backend}-with-ortho`);
      const job = { ortho: ortho.name, dsm: dsm.name, date: '2024-10-01', out, thresholds: defaultSurveyThresholds };
      const summary = await runSurvey(job, { dsm, ortho }, quietProgress, { db, evidenceDir: join(dir, `${backend}-evidence`), afterDate: '2024-10-01' });
      expect(existsSync(join(out, 'evidence', 'b00001', 'after.jpg'))).toBe(true);
      // no plans here: every building is a suspect without a permit, and its case holds the chip
      const chips = await db.knex('evidence').join('candidates', 'candidates.id', 'evidence.candidate_id').where('candidates.job_id', summary.job_id as number).whereNotNull('evidence.case_id').pluck('evidence.name');
      expect(chips.length).toBeGreaterThanOrEqual(2);
      expect(chips.every((name: string) => name.endsWith('after.jpg'))).toBe(true);
    } finally {
      await ortho.close();
    }
  });
});

const fixture = (file: string) => fileURLToPath(new URL(`../../../fixtures/scene/${file}`, import.meta.url));

// one backend is enough here: the register and the link are the same SQL on both (the overlay's tests run both)
describe.each(testBackends().slice(-1))('a survey of the bundled scene, then a detect of its next flight, on the %s backend', (backend) => {
  let db: Database;
  const sources: RasterSource[] = [];
  const open = async (file: string) => {
    const source = await openGeoTiff(fixture(file));
    sources.push(source);
    return source;
  };
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await Promise.all(sources.map((source) => source.close()));
    await db?.close();
  });

  it('links each rooftop addition and height increase the detect finds to the register building it stands on', async () => {
    const overlay = (afterDate: string) => ({ db, evidenceDir: join(dir, `${backend}-fixture-evidence`), afterDate });
    const [ortho, dsm, dtm, afterDsm] = [await open('before/ortho.tif'), await open('before/dsm.tif'), await open('before/dtm.tif'), await open('after/dsm.tif')];
    const survey = { ortho: ortho.name, dsm: dsm.name, dtm: dtm.name, date: '2024-05-11', out: join(dir, `${backend}-fixture-survey`), thresholds: defaultSurveyThresholds };
    await runSurvey(survey, { ortho, dsm, dtm }, quietProgress, overlay('2024-05-11'));
    const detect = { out: join(dir, `${backend}-fixture-detect`), model: 'zhiwei-cd-v1', thresholds: defaultThresholds, beforeDate: '2024-05-11', afterDate: '2024-10-01' };
    const summary = await runDetect(detect, { beforeDsm: dsm, afterDsm, beforeDtm: dtm }, quietProgress, overlay('2024-10-01'));

    const additions = await db
      .knex('candidates as c')
      .leftJoin('buildings as b', 'b.id', 'c.building_id')
      .where({ 'c.job_id': summary.job_id as number })
      .whereIn('c.change_kind', ['rooftop_addition', 'height_increase'])
      .select('c.local_id', 'c.building_id', db.knex.raw('ST_DWithin(c.geom, b.geom, 1) AS at_building'));
    // the scene has 3 rooftop additions and a height increase, each on a building standing in the before flight
    expect(additions.length).toBeGreaterThanOrEqual(2);
    for (const addition of additions) expect([addition.local_id, addition.building_id !== null, addition.at_building]).toEqual([addition.local_id, true, true]);
    // a new building on open ground stands on no register building
    const unlinked = await db.knex('candidates').where({ job_id: summary.job_id as number, change_kind: 'new_building' }).whereNull('building_id').count({ n: '*' });
    expect(Number(unlinked[0].n)).toBeGreaterThanOrEqual(1);
  });
});
