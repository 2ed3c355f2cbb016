/**
 * Vector tiles (MVT) of cases under load: 100,000 generated cases (bench/service-load.ts) on the
 * embedded database and, when DATABASE_URL is set, on the server. For random tiles over the
 * district at zoom 12 (the district in a few tiles), 15 (a neighbourhood) and 18 (a street):
 * - in the bench process, tile by tile, `vectorTile` (src/cases/vector-tiles.ts): ms per tile, the
 *   share of it spent waiting for SQL (the rest is decoding WKB and writing the tile in
 *   TypeScript), bytes and features per tile; on the server also the same tiles with PostGIS's own
 *   ST_AsMVTGeom/ST_AsMVT in one SQL, for what the TypeScript encoder costs;
 * - over HTTP, `GET /api/v1/tiles/cases/z/x/y.mvt` from `zhiwei serve` (its own process) on
 *   loopback with autocannon: tiles/s and p50/p99 latency.
 * One JSON line per backend, zoom and way.
 *
 *   npx tsx bench/mvt-tiles.ts [--cases 100000] [--seconds 10] [--connections 10] [--samples 20]
 */
import autocannon from 'autocannon';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultStageDeadlines } from '../src/cases/deadlines.js';
import { vectorTile } from '../src/tiles/vector-tiles.js';
import { openDatabase, type Database } from '../src/db/connect.js';
import { addUser, createToken } from '../src/db/users.js';
import { toWgs84 } from '../src/geo/crs.js';
import { lonLatToTile, type TileAddress } from '../src/geo/web-mercator.js';
import { decodeVectorTile } from '../src/test-support/vector-tile.js';
import { district, fillCases, serveBench } from './service-load.js';

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '10' },
    samples: { type: 'string', default: '20' },
  },
});
const caseCount = Number(args.cases);
const zooms = [12, 15, 18];

/** The PostGIS way, for comparison: the same rows and properties, geometry and tile by ST_AsMVTGeom and ST_AsMVT. */
const postgisTileSql = `
  SELECT ST_AsMVT(t, 'cases', 4096, 'geom', 'id') AS tile FROM (
    SELECT c.id, c.state, c.violation, c.change_kind, round(c.priority) AS priority, c.grid_id, round(c.area_m2) AS area_m2,
      coalesce((SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.to_state = c.state
        AND e.from_state IS DISTINCT FROM e.to_state), c.detected_at) AS state_since,
      ST_AsMVTGeom(ST_Transform(c.geom, 3857), ST_TileEnvelope(?, ?, ?), 4096, 64) AS geom
    FROM cases c WHERE c.geom && ST_Transform(ST_TileEnvelope(?, ?, ?, margin => 64.0 / 4096), 4549)
  ) t WHERE geom IS NOT NULL`;

/** Every tile at zoom `z` that covers part of the district. */
function districtTiles(z: number): TileAddress[] {
  const { e0, n0, side } = district;
  const corners = [[e0, n0], [e0 + side, n0], [e0, n0 + side], [e0 + side, n0 + side]].map(([e, n]) => lonLatToTile(...toWgs84(4549)([e, n]), z));
  const [xs, ys] = [corners.map((t) => t.x), corners.map((t) => t.y)];
  const tiles: TileAddress[] = [];
  for (let x = Math.min(...xs); x <= Math.max(...xs); x++) for (let y = Math.min(...ys); y <= Math.max(...ys); y++) tiles.push({ z, x, y });
  return tiles;
}

/** Up to `count` of the tiles, spread evenly over the list. */
function sample(tiles: TileAddress[], count: number): TileAddress[] {
  const step = Math.max(1, tiles.length / count);
  return Array.from({ length: Math.min(count, tiles.length) }, (_, i) => tiles[Math.floor(i * step)]);
}

/** Milliseconds `knex` waits for SQL, summed from its query events while `work` runs. */
async function timeSql<T>(knex: Knex, work: () => Promise<T>): Promise<{ result: T; totalMs: number; sqlMs: number }> {
  const started = new Map<string, number>();
  let sqlMs = 0;
  const onQuery = (query: { __knexQueryUid: string }) => started.set(query.__knexQueryUid, performance.now());
  const onResponse = (_: unknown, query: { __knexQueryUid: string }) => (sqlMs += performance.now() - started.get(query.__knexQueryUid)!);
  knex.on('query', onQuery).on('query-response', onResponse);
  const t0 = performance.now();
  try {
    const result = await work();
    return { result, totalMs: performance.now() - t0, sqlMs };
  } finally {
    knex.off('query', onQuery).off('query-response', onResponse);
  }
}

/** Both ways of making tiles in this process, one tile at a time. */
async function inProcess(db: Database): Promise<Map<number, number>> {
  const bytesPerTile = new Map<number, number>();
  for (const z of zooms) {
    const tiles = sample(districtTiles(z), Number(args.samples));
    const ways: [string, (tile: TileAddress) => Promise<Uint8Array>][] = [['vectorTile', (tile) => vectorTile(db.knex, 'cases', tile, {}, { grids: null }, defaultStageDeadlines)]];
    if (db.backend === 'server') {
      // with JIT off as vectorTile runs its query, and in a transaction as it does
      ways.push(['ST_AsMVT', ({ z, x, y }) => db.knex.transaction(async (trx) => {
        await trx.raw('SET LOCAL jit = off');
        return (await trx.raw(postgisTileSql, [z, x, y, z, x, y])).rows[0].tile as Uint8Array;
      })]);
    }
    for (const [way, make] of ways) {
      const runs: { totalMs: number; sqlMs: number; bytes: number; features: number }[] = [];
      for (const tile of tiles) {
        const { result, totalMs, sqlMs } = await timeSql(db.knex, () => make(tile));
        const features = decodeVectorTile(result).reduce((sum, layer) => sum + layer.features.length, 0);
        runs.push({ totalMs, sqlMs, bytes: result.length, features });
      }
      const mean = (key: 'totalMs' | 'sqlMs' | 'bytes' | 'features') => runs.reduce((sum, run) => sum + run[key], 0) / runs.length;
      if (way === 'vectorTile') bytesPerTile.set(z, mean('bytes'));
      const sorted = runs.map((run) => run.totalMs).sort((a, b) => a - b);
      print({
        backend: db.backend, zoom: z, way, tiles: runs.length, msPerTile: round(mean('totalMs')), p50Ms: round(sorted[Math.floor(sorted.length / 2)]),
        sqlShare: round(mean('sqlMs') / mean('totalMs'), 2), bytesPerTile: Math.round(mean('bytes')), featuresPerTile: Math.round(mean('features')),
      });
    }
  }
  return bytesPerTile;
}

/** Tiles/s and latency over HTTP against `zhiwei serve`. */
async function overHttp(backend: string, env: Record<string, string>, token: string, bytesPerTile: Map<number, number>): Promise<void> {
  const server = await serveBench(env);
  try {
    for (const z of zooms) {
      const tiles = districtTiles(z);
      const path = () => {
        const { x, y } = tiles[Math.floor(Math.random() * tiles.length)];
        return `/api/v1/tiles/cases/${z}/${x}/${y}.mvt`;
      };
      // answered once the service has worked off what the previous zoom left queued
      await fetch(`${server.address}${path()}`, { headers: { authorization: `Bearer ${token}` } });
      const result = await autocannon({
        url: server.address, connections: Number(args.connections), duration: Number(args.seconds), headers: { authorization: `Bearer ${token}` },
        requests: [{ method: 'GET', setupRequest: (request: Record<string, unknown>) => ({ ...request, path: path() }) }],
      });
      print({
        backend, zoom: z, way: 'http', districtTiles: tiles.length, connections: Number(args.connections), seconds: Number(args.seconds),
        tilesPerSecond: round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99, bytesPerTile: Math.round(bytesPerTile.get(z) ?? 0),
        non2xx: result.non2xx, errors: result.errors,
      });
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

/** Fills the backend's database, times tiles in this process, then over HTTP. */
async function run(backend: 'embedded' | 'server'): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'zhiwei-bench-mvt-'));
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const env = { ZHIWEI_DATA_DIR: join(dir, 'data'), ZHIWEI_DB_SCHEMA: schema, DATABASE_URL: backend === 'server' ? process.env.DATABASE_URL! : '' };
  const db = await openDatabase({ url: backend === 'server' ? env.DATABASE_URL : null, dataDir: env.ZHIWEI_DATA_DIR, schema });
  try {
    const started = performance.now();
    await fillCases(db.knex, caseCount);
    print({ backend, step: 'fill', cases: caseCount, seconds: round((performance.now() - started) / 1000) });
    await addUser(db.knex, 'bench', 'reviewer');
    const { token } = await createToken(db.knex, 'bench');
    const bytesPerTile = await inProcess(db);
    // the embedded database is one process's: the service opens it once this one has let go
    if (backend === 'embedded') await db.close();
    await overHttp(backend, env, token, bytesPerTile);
  } finally {
    if (backend === 'server') {
      await db.knex.raw('DROP SCHEMA ?? CASCADE', [schema]);
      await db.close();
    }
    await rm(dir, { recursive: true, force: true });
  }
}

function print(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'mvt-tiles', cases: caseCount, ...fields })}\n`);
}

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

await run('embedded');
if (process.env.DATABASE_URL) await run('server');
