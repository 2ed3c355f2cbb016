/**
 * Time of the plan overlay (src/pipeline/overlay-sql.ts) for 1,000, 3,000 and 10,000 candidates against
 * 100,000 approved plans, with 500 zones and 400 grids, in one database: the embedded one, and
 * the server too when DATABASE_URL is set. Plans are a city of 10 m-35 m lots over 10 km × 10 km
 * (EPSG:4549), candidates fall on them and between them (seeded). Prints one JSON line per run
 * and one per backend with the growth from 1,000 to 10,000 candidates (10 is linear).
 *
 *   npx tsx bench/overlay-scale.ts [--plans 100000]
 */
import type { Knex } from 'knex';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '../src/db/connect.js';
import { overlayCandidates } from '../src/pipeline/overlay/sql.js';
import { ensureProjectEpsg } from '../src/db/project-crs.js';

const { values: args } = parseArgs({ options: { plans: { type: 'string', default: '100000' } } });
const planCount = Number(args.plans);
const candidateCounts = [1000, 3000, 10000];
const [e0, n0, side] = [490000, 3340000, 10000];

/** Random lots in SQL, seeded, so both backends get the same city. */
async function fill(db: Database): Promise<void> {
  await ensureProjectEpsg(db.knex, 4549);
  // one transaction, so that setseed and the inserts share a connection
  await db.knex.transaction((trx) => fillCity(trx));
  await db.knex.raw('ANALYZE');
}

async function fillCity(trx: Knex.Transaction): Promise<void> {
  await trx.raw('SELECT setseed(0.42)');
  const box = (size: string) =>
    `ST_Multi(ST_MakeEnvelope(x, y, x + ${size}, y + ${size}, 4549))`;
  await trx.raw(
    `INSERT INTO plans (permit_no, kind, permitted_height_m, valid_from, valid_to, geom)
     SELECT 'P' || i, 'new_building', 6 + random() * 20, DATE '2015-01-01' + (random() * 3000)::int,
       CASE WHEN random() < 0.2 THEN DATE '2020-01-01' + (random() * 2000)::int END, ${box('(10 + random() * 25)')}
     FROM (SELECT i, ${e0} + random() * ${side} AS x, ${n0} + random() * ${side} AS y FROM generate_series(1, ${planCount}) i) s`,
  );
  await trx.raw(
    `INSERT INTO zones (zone_id, kind, priority, geom)
     SELECT 'Z' || i, (ARRAY['priority', 'historic', 'exempt'])[1 + (i % 3)], 1 + (i % 3) * 0.5, ${box('(200 + random() * 300)')}
     FROM (SELECT i, ${e0} + random() * ${side} AS x, ${n0} + random() * ${side} AS y FROM generate_series(1, 500) i) s`,
  );
  await trx.raw(
    `INSERT INTO grids (grid_id, geom)
     SELECT 'G' || i || '-' || j, ST_Multi(ST_MakeEnvelope(${e0} + i * 500, ${n0} + j * 500, ${e0} + (i + 1) * 500, ${n0} + (j + 1) * 500, 4549))
     FROM generate_series(0, 19) i, generate_series(0, 19) j`,
  );
}

/** A job with `count` candidates: squares of 4-20 m, with heights, anywhere in the city. */
async function job(db: Database, count: number): Promise<number> {
  const [{ id }] = await db.knex('jobs').insert({ state: 'succeeded', spec: '{}', after_date: '2024-10-01' }).returning('id');
  await db.knex.raw(
    `INSERT INTO candidates (job_id, local_id, change_kind, area_m2, height_change_m, height_after_m, reason, geom)
     SELECT ?, 'c' || i, (ARRAY['new_building', 'extension', 'rooftop_addition', 'ground_structure'])[1 + (i % 4)], s * s, 2 + random() * 10,
       3 + random() * 25, 'bench', ST_Multi(ST_MakeEnvelope(x, y, x + s, y + s, 4549))
     FROM (SELECT i, ${e0} + random() * ${side} AS x, ${n0} + random() * ${side} AS y, 2 + random() * 18 AS s FROM generate_series(1, ?) i) c`,
    [id, count],
  );
  return Number(id);
}

const backends = [{ name: 'embedded', url: null as string | null }, ...(process.env.DATABASE_URL ? [{ name: 'server', url: process.env.DATABASE_URL }] : [])];
for (const backend of backends) {
  const db = await openDatabase({ url: backend.url, dataDir: ':memory:', schema: `bench_overlay_${process.pid}` });
  try {
    let t = performance.now();
    await fill(db);
    console.log(JSON.stringify({ bench: 'overlay-scale', backend: backend.name, step: 'fill', plans: planCount, seconds: (performance.now() - t) / 1000 }));
    const seconds: Record<number, number> = {};
    for (const count of candidateCounts) {
      const jobId = await job(db, count);
      t = performance.now();
      const suspects = await overlayCandidates(db.knex, { jobId, afterDate: '2024-10-01', recency: 1 });
      seconds[count] = (performance.now() - t) / 1000;
      console.log(JSON.stringify({ bench: 'overlay-scale', backend: backend.name, plans: planCount, candidates: count, suspects, seconds: seconds[count], ms_per_candidate: (1000 * seconds[count]) / count }));
    }
    console.log(JSON.stringify({ bench: 'overlay-scale', backend: backend.name, plans: planCount, growth_1k_to_10k: seconds[10000] / seconds[1000], linear: 10 }));
  } finally {
    if (backend.url) await db.knex.raw('DROP SCHEMA ?? CASCADE', [`bench_overlay_${process.pid}`]);
    await db.close();
  }
}
