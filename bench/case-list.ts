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
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/connect.js';
import { addUser, createToken } from '../src/db/users.js';
import { toWgs84 } from '../src/geo/crs.js';
import { district, fillCases, serveBench } from './service-load.js';

const { values: args } = parseArgs({
  options: { cases: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '10' } },
});
const caseCount = Number(args.cases);
const { e0, n0, side } = district;

if (!process.env.DATABASE_URL) {
  process.stderr.write('bench/case-list.ts runs on the server backend: set DATABASE_URL\n');
  process.exit(2);
}

const schema = `bench_${randomBytes(4).toString('hex')}`;
const db = await openDatabase({ url: process.env.DATABASE_URL, schema });
const dir = await mkdtemp(join(tmpdir(), 'zhiwei-bench-'));
try {
  const started = performance.now();
  await fillCases(db.knex, caseCount);
  process.stdout.write(`${JSON.stringify({ bench: 'case-list', step: 'fill', cases: caseCount, seconds: round((performance.now() - started) / 1000) })}\n`);
  await addUser(db.knex, 'bench', 'reviewer');
  const { token } = await createToken(db.knex, 'bench');
  const server = await serveBench({ ZHIWEI_DB_SCHEMA: schema, ZHIWEI_DATA_DIR: join(dir, 'data') });
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

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
