/**
 * What the service benches share: a district of generated cases (10 km × 10 km in EPSG:4549,
 * 400 grids of 500 m, each case a 4-20 m square with its `detected` event, seeded), and
 * `zhiwei serve` in its own process with its request log drained.
 */
import type { Knex } from 'knex';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureProjectEpsg } from '../src/db/project-crs.js';

/** South-west corner (easting, northing) and side in metres of the district, EPSG:4549. */
export const district = { e0: 490000, n0: 3340000, side: 10000 } as const;

/** Fills the grids and `count` cases (their state, change kind and priority vary) into the database. */
export async function fillCases(knex: Knex, count: number): Promise<void> {
  const { e0, n0, side } = district;
  await ensureProjectEpsg(knex, 4549);
  const [{ id: jobId }] = await knex('jobs').insert({ state: 'succeeded', spec: '{}', after_date: '2024-10-01', model: 'bench' }).returning('id');
  // one transaction, so that setseed and the inserts share a connection
  await knex.transaction(async (trx) => {
    await trx.raw('SELECT setseed(0.42)');
    await trx.raw(
      `INSERT INTO grids (grid_id, geom)
       SELECT 'G' || i || '-' || j, ST_Multi(ST_MakeEnvelope(${e0} + i * 500, ${n0} + j * 500, ${e0} + (i + 1) * 500, ${n0} + (j + 1) * 500, 4549))
       FROM generate_series(0, 19) i, generate_series(0, 19) j`,
    );
    await trx.raw(
      `INSERT INTO cases (state, violation, change_kind, priority, grid_id, area_m2, height_change_m, first_job_id, last_job_id, flight_date, geom)
       SELECT (ARRAY['detected', 'triaged', 'dispatched', 'closed'])[1 + (i % 4)], 'no_permit',
         (ARRAY['new_building', 'extension', 'rooftop_addition', 'ground_structure'])[1 + (i % 4)], random() * 100,
         'G' || floor((x - ${e0}) / 500)::int || '-' || floor((y - ${n0}) / 500)::int, s * s, 2 + random() * 10, ?, ?, DATE '2024-10-01',
         ST_Multi(ST_MakeEnvelope(x, y, x + s, y + s, 4549))
       FROM (SELECT i, ${e0} + random() * ${side - 20} AS x, ${n0} + random() * ${side - 20} AS y, 2 + random() * 18 AS s FROM generate_series(1, ?) i) c`,
      [jobId, jobId, count],
    );
    await trx.raw(
      `INSERT INTO case_events (case_id, seq, kind, from_state, to_state, actor, at, hash)
       SELECT id, 1, 'detected', NULL, 'detected', 'zhiwei detect', now() - interval '3 days', md5(id::text) FROM cases`,
    );
  });
  await knex.raw('ANALYZE');
}

/** A running `zhiwei serve`. */
export interface BenchServer {
  child: ChildProcess;
  address: string;
  exited: Promise<void>;
}

/** `zhiwei serve` with `env` over this process's environment, once it says where it listens. */
export async function serveBench(env: Record<string, string>): Promise<BenchServer> {
  const bin = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', bin, 'serve', '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const address = await new Promise<string>((resolve, reject) => {
    let text = '';
    const read = (chunk: Buffer) => {
      text += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (!match) return;
      // from here on the request log is only drained
      child.stdout!.off('data', read).resume();
      resolve(match[1]);
    };
    child.stdout!.on('data', read);
    void exited.then(() => reject(new Error(`zhiwei serve stopped before listening: ${text}`)));
  });
  return { child, address, exited };
}
