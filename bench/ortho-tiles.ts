/**
 * Map tiles of a detect job over HTTP: tiles/s of `GET /api/v1/jobs/:id/tiles/:layer/:z/:x/:y`
 * from the service listening on loopback (embedded database in memory, request log off), for the
 * after orthophoto (WebP) and the height change (PNG), at the native zoom (an 8 × 8 block of
 * tiles in the middle of the flight, as a browser viewport asks them) and at a low zoom (every
 * tile of the flight two zooms past the one where it fits a tile; the first of them builds the
 * pyramids), cold (empty tile cache) and cached, 4 requests at a time, and the cached/cold ratio;
 * also the time to build the pyramids of the 4096 px orthophoto and the 2048 px DSM alone. The
 * scene is the 4096 px one of `detect-throughput.ts` (0.1 m, generated once into bench/out/).
 *
 *   npx tsx bench/ortho-tiles.ts
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/connect.js';
import { addUser, createToken } from '../src/db/users.js';
import { lonLatToTile, type TileAddress } from '../src/geo/web-mercator.js';
import { openGeoTiff } from '../src/raster/geotiff-source.js';
import { buildApp } from '../src/server/app.js';
import { generateScene } from '../src/synth/index.js';
import { buildPyramid } from '../src/tiles/pyramid.js';

const scene = fileURLToPath(new URL('out/throughput-scene', import.meta.url));
const work = fileURLToPath(new URL('out/ortho-tiles', import.meta.url));
const concurrency = 4;
if (!existsSync(join(scene, 'truth.geojson'))) await generateScene({ outDir: scene, seed: 4001, size: 4096, gsd: 0.1 });
await rm(work, { recursive: true, force: true });

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ bench: 'ortho-tiles', ...line })}\n`);
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

for (const [name, file] of [['after orthophoto', 'after/ortho.tif'], ['after DSM', 'after/dsm.tif']]) {
  const source = await openGeoTiff(join(scene, file));
  const started = performance.now();
  await buildPyramid(source, join(work, 'pyramid-probe', file));
  const seconds = (performance.now() - started) / 1000;
  const { width, height } = source.info;
  await source.close();
  print({ step: 'pyramid', raster: name, px: `${width}x${height}`, seconds: round(seconds, 2), mpxPerS: round((width * height) / 1e6 / seconds) });
}

const db = await openDatabase({ url: null, dataDir: ':memory:', schema: 'zhiwei' });
const app = await buildApp({ db, evidenceDir: join(work, 'data', 'evidence') }, { logger: false });
try {
  await addUser(db.knex, 'bench', 'reviewer');
  const { token } = await createToken(db.knex, 'bench');
  const jobId = await insertJob();
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const headers = { authorization: `Bearer ${token}` };
  const tileSet = await (await fetch(`${address}/api/v1/jobs/${jobId}/tiles`, { headers })).json();
  const [west, south, east, north] = tileSet.bounds as number[];
  const low = covering(tileSet.bounds, tileSet.minzoom + 2);
  for (const layer of tileSet.layers as { id: string; format: string; maxzoom: number }[]) {
    if (layer.id === 'before') continue;
    const native = block(lonLatToTile((west + east) / 2, (south + north) / 2, layer.maxzoom), 8);
    for (const [kind, tiles] of [['native', native], ['low', low]] as const) {
      const urls = tiles.map(({ z, x, y }) => `${address}/api/v1/jobs/${jobId}/tiles/${layer.id}/${z}/${x}/${y}.${layer.format}`);
      let firstMs: number | null = null;
      if (kind === 'low') {
        // the first low-zoom tile builds the pyramids of the layer's rasters
        const started = performance.now();
        await get(urls[0], headers);
        firstMs = performance.now() - started;
      }
      const coldUrls = kind === 'low' ? urls.slice(1) : urls;
      const cold = await timed(coldUrls, headers);
      const cached = await timed(urls, headers, 5);
      const common = { layer: layer.id, zoom: tiles[0].z, scope: kind, concurrency };
      if (firstMs !== null) print({ ...common, cache: 'first tile, pyramids built', ms: round(firstMs) });
      print({ ...common, cache: 'cold', tiles: coldUrls.length, ...cold });
      print({ ...common, cache: 'cached', tiles: urls.length, rounds: 5, ...cached });
      print({ ...common, cached_to_cold: round(cached.tilesPerS / cold.tilesPerS, 2) });
    }
  }
} finally {
  await app.close();
  await db.close();
}

/** A finished job on the scene's rasters, with the vertical offset and misregistration the scene was made with. */
async function insertJob(): Promise<number> {
  const made = JSON.parse(await readFile(join(scene, 'scene.json'), 'utf8'));
  const after = made.flights.after;
  const spec = Object.fromEntries(['before', 'after'].flatMap((epoch) => [[`${epoch}Ortho`, join(scene, epoch, 'ortho.tif')], [`${epoch}Dsm`, join(scene, epoch, 'dsm.tif')]]));
  const summary = {
    vertical_offset: { offset_m: after.dsm_vertical_offset_m, tilt_m_per_m: after.dsm_tilt_m_per_m, spread_m: 0.1, stable_samples: 1000 },
    coregistration_shift_m: { dx: -after.misregistration_shift_m[0], dy: -after.misregistration_shift_m[1], windows: 9 },
  };
  const [{ id }] = await db.knex('jobs').insert({ state: 'succeeded', spec: JSON.stringify(spec), summary: JSON.stringify(summary), finished_at: new Date() }).returning('id');
  return Number(id);
}

/** A size × size block of tiles centred on `tile`. */
function block(tile: TileAddress, size: number): TileAddress[] {
  const tiles = [];
  for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) tiles.push({ z: tile.z, x: tile.x - size / 2 + dx, y: tile.y - size / 2 + dy });
  return tiles;
}

/** Every tile at zoom z over WGS84 bounds. */
function covering([west, south, east, north]: number[], z: number): TileAddress[] {
  const nw = lonLatToTile(west, north, z);
  const se = lonLatToTile(east, south, z);
  const tiles = [];
  for (let y = nw.y; y <= se.y; y++) for (let x = nw.x; x <= se.x; x++) tiles.push({ z, x, y });
  return tiles;
}

async function get(url: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, { headers });
  if (response.status !== 200 && response.status !== 204) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.arrayBuffer()).byteLength;
}

/** Tiles/s fetching `urls` (`rounds` times), `concurrency` at a time. */
async function timed(urls: string[], headers: Record<string, string>, rounds = 1): Promise<{ seconds: number; tilesPerS: number; meanKiB: number }> {
  const queue = Array.from({ length: rounds }, () => urls).flat();
  let bytes = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let url = queue.shift(); url; url = queue.shift()) {
      const size = await get(url, headers);
      bytes += size;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const count = urls.length * rounds;
  return { seconds: round(seconds, 3), tilesPerS: round(count / seconds), meanKiB: round(bytes / count / 1024) };
}
