/**
 * The case list under load: 100,000 cases on the server backend (DATABASE_URL, a schema of its
 * own, dropped at the end) spread over 10 km × 10 km in EPSG:4549 with 400 grids, each with its
 * `detected` event, then `GET /api/v1/cases` from `zhiwei serve` (its own process, request log
 * on) on loopback with autocannon: by a random WGS84 bounding box of 500 m, and by a random grid,
 * 100 cases a page. Prints one JSON line per query with p50/p99 latency (ms) and requests/s.
 *
 *   DATABASE_URL=postgres://... npx tsx bench/case-list.ts [--cases 100000] [--seconds 10] [--connections 10]
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/connect.js';
import { ensureProjectEpsg } from '../src/db/project-crs.js';
import { addUser, createToken } from '../src/db/users.js';
import { toWgs84 } from '../src/geo/crs.js';

const { values: args } = parseArgs({
  options: { cases: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '10' } },
});
const caseCount = Number(args.cases);
const [e0, n0, side] = [490000, 3340000, 10000];

if (!process.env.DATABASE_URL) {
  process.stderr.write('bench/case-list.ts runs on the server backend: set DATABASE_URL\n');
  process.exit(2);
}

const schema = `bench_${randomBytes(4).toString('hex')}`;
const db = await openDatabase({ url: process.env.DATABASE_URL, schema });
const dir = await mkdtemp(join(tmpdir(), 'zhiwei-bench-'));
try {
  const started = performance.now();
  await fill();
  process.stdout.write(`${JSON.stringify({ bench: 'case-list', step: 'fill', cases: caseCount, seconds: round((performance.now() - started) / 1000) })}\n`);
  await addUser(db.knex, 'bench', 'reviewer');
  const { token } = await createToken(db.knex, 'bench');
  const server = await serve();
  const toLonLat = toWgs84(4549);
  const bboxPath = () => {
    const [x, y] = [e0 + Math.random() * (side - 500), n0 + Math.random() * (side - 500)];
    const [minLon, minLat] = toLonLat([x, y]);
    const [maxLon, maxLat] = toLonLat([x + 500, y + 500]);
    return `/api/v1/cases?bbox=${minLon},${minLat},${maxLon},${maxLat}`;
  };
  const gridPath = () => `/api/v1/cases?grid=G${Math.floor(Math.random() * 20)}-${Math.floor(Math.random() * 20)}`;
  for (const [query, path] of [['bbox', bboxPath], ['grid', gridPath]] as const) {
    const sample = await (await fetch(`${server.address}${path()}`, { headers: { authorization: `Bearer ${token}` } })).json();
    const result = await autocannon({
      url: server.address,
      connections: Number(args.connections),
      duration: Number(args.seconds),
      headers: { authorization: `Bearer ${token}` },
      requests: [{ method: 'GET', setupRequest: (request: Record<string, unknown>) => ({ ...request, path: path() }) }],
    });
    process.stdout.write(
      `${JSON.stringify({
        bench: 'case-list', backend: 'server', cases: caseCount, query, limit: 100, casesPerPage: sample.cases.length,
        connections: Number(args.connections), seconds: Number(args.seconds), p50Ms: result.latency.p50, p99Ms: result.latency.p99,
        requestsPerSecond: round(result.requests.average), non2xx: result.non2xx, errors: result.errors,
      })}\n`,
    );
  }
  server.child.kill('SIGTERM');
  await server.exited;
} finally {
  await db.knex.raw('DROP SCHEMA ?? CASCADE', [schema]);
  await db.close();
  await rm(dir, { recursive: true, force: true });
}

/** `zhiwei serve` on this schema, once it says where it listens. */
async function serve(): Promise<{ child: ChildProcess; address: string; exited: Promise<void> }> {
  const bin = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', bin, 'serve', '--port', '0'], {
    env: { ...process.env, ZHIWEI_DB_SCHEMA: schema, ZHIWEI_DATA_DIR: join(dir, 'data') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

/** Cases of 4-20 m squares anywhere in the area, in 400 grids of 500 m, each with a detected event. */
async function fill(): Promise<void> {
  await ensureProjectEpsg(db.knex, 4549);
  const [{ id: jobId }] = await db.knex('jobs').insert({ state: 'succeeded', spec: '{}', after_date: '2024-10-01', model: 'bench' }).returning('id');
  await db.knex.transaction(async (trx) => {
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
      [jobId, jobId, caseCount],
    );
    await trx.raw(
      `INSERT INTO case_events (case_id, seq, kind, from_state, to_state, actor, at, hash)
       SELECT id, 1, 'detected', NULL, 'detected', 'zhiwei detect', now() - interval '3 days', md5(id::text) FROM cases`,
    );
  });
  await db.knex.raw('ANALYZE');
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
