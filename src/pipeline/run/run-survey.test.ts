import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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
