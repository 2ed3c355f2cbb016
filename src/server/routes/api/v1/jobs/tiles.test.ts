import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lonLatToTile } from '../../../../../geo/web-mercator.js';
import { testBackends } from '../../../../../test-support/database.js';
import { openTestService, type TestService } from '../../../../../test-support/service.js';

const scene = fileURLToPath(new URL('../../../../../../fixtures/scene/', import.meta.url));
const rasters = {
  beforeOrtho: join(scene, 'before/ortho.tif'), afterOrtho: join(scene, 'after/ortho.tif'),
  beforeDsm: join(scene, 'before/dsm.tif'), afterDsm: join(scene, 'after/dsm.tif'),
};
const summary = { vertical_offset: { offset_m: -0.88, tilt_m_per_m: [0.0000464, 0.0001057], spread_m: 0.12, stable_samples: 900 }, coregistration_shift_m: { dx: 0.14, dy: -0.63, windows: 9 } };
/** A zoom-20 tile in the middle of the fixture scene. */
const centre = lonLatToTile(119.96567, 30.26897, 20);

describe.each(testBackends())('job tiles through the API on the %s backend', (backend) => {
  let service: TestService;
  const ids: Record<'full' | 'dsms' | 'orthos', number> = { full: 0, dsms: 0, orthos: 0 };
  const get = (url: string, user: keyof TestService['auth'] | null = 'reviewer', headers: Record<string, string> = {}) =>
    service.app.inject({ url, headers: { ...(user ? service.auth[user] : {}), ...headers } });
  const tileUrl = (id: number, layer: string, z: number, x: number, y: number, ext: string) => `/api/v1/jobs/${id}/tiles/${layer}/${z}/${x}/${y}.${ext}`;

  beforeAll(async () => {
    service = await openTestService(backend);
    const insert = async (spec: Record<string, unknown>, jobSummary: Record<string, unknown>) => {
      const [{ id }] = await service.db.knex('jobs').insert({ state: 'succeeded', spec: JSON.stringify(spec), summary: JSON.stringify(jobSummary), finished_at: new Date() }).returning('id');
      return Number(id);
    };
    ids.full = await insert({ ...rasters, out: join(service.dir, 'out') }, summary);
    ids.dsms = await insert({ beforeDsm: rasters.beforeDsm, afterDsm: rasters.afterDsm }, summary);
    ids.orthos = await insert({ beforeOrtho: rasters.beforeOrtho, afterOrtho: rasters.afterOrtho }, { vertical_offset: null });
  });
  afterAll(() => service?.close());

  it('lists the layers of a job with their tile URLs, WGS84 bounds and zooms', async () => {
    const response = await get(`/api/v1/jobs/${ids.full}/tiles`, 'officer');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ job: ids.full, tile_size: 256, minzoom: 17, maxzoom: 20 });
    expect(body.layers.map((l: { id: string }) => l.id)).toEqual(['before', 'after', 'height-change']);
    expect(body.layers[0]).toMatchObject({ tiles: [`/api/v1/jobs/${ids.full}/tiles/before/{z}/{x}/{y}.webp`], format: 'webp', gsd_m: 0.2, minzoom: 17, maxzoom: 20 });
    expect(body.layers[2]).toMatchObject({
      tiles: [`/api/v1/jobs/${ids.full}/tiles/height-change/{z}/{x}/{y}.png`], format: 'png', gsd_m: 0.4, maxzoom: 19,
      legend: { transparent_below_m: 0.5, saturates_at_m: 10, rise: ['#f4a582', '#b2182b'], fall: ['#92c5de', '#2166ac'] },
    });
    const [west, south, east, north] = body.bounds;
    expect([west, south, east, north].map((v: number) => Number(v.toFixed(4)))).toEqual([119.9646, 30.268, 119.9667, 30.2699]);
    expect(body.center[0]).toBeCloseTo((west + east) / 2, 9);
  });

  it('offers a DSM-only job its height change only, and an orthophoto-only job its orthophotos only', async () => {
    expect((await get(`/api/v1/jobs/${ids.dsms}/tiles`)).json().layers.map((l: { id: string }) => l.id)).toEqual(['height-change']);
    expect((await get(`/api/v1/jobs/${ids.orthos}/tiles`)).json().layers.map((l: { id: string }) => l.id)).toEqual(['before', 'after']);
  });

  it('serves a tile with its type, caching headers and ETag, the same bytes again from the cache, and 304 for its ETag', async () => {
    const url = tileUrl(ids.full, 'after', centre.z, centre.x, centre.y, 'webp');
    const first = await get(url, 'officer');
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('image/webp');
    expect(first.headers['cache-control']).toBe('private, max-age=3600');
    expect(first.rawPayload.subarray(8, 12).toString()).toBe('WEBP');
    const version = (await readdir(join(service.dir, 'tiles', String(ids.full), 'after')))[0];
    expect(existsSync(join(service.dir, 'tiles', String(ids.full), 'after', version, String(centre.z), String(centre.x), `${centre.y}.webp`))).toBe(true);
    const second = await get(url, 'analyst');
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(second.headers.etag).toBe(first.headers.etag);
    const revalidated = await get(url, 'analyst', { 'if-none-match': String(first.headers.etag) });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.rawPayload.length).toBe(0);
    const png = await get(tileUrl(ids.full, 'height-change', centre.z, centre.x, centre.y, 'png'));
    expect(png.headers['content-type']).toBe('image/png');
    expect((await get(tileUrl(ids.full, 'before', centre.z, centre.x, centre.y, 'png'))).headers['content-type']).toBe('image/png');
  });

  it('answers 204 for a tile beside the rasters', async () => {
    const response = await get(tileUrl(ids.full, 'before', 20, centre.x + 20, centre.y, 'webp'));
    expect(response.statusCode).toBe(204);
    expect(response.rawPayload.length).toBe(0);
  });

  it('answers an unknown job or layer with 404 and a bad tile address or format with 400, as problem+json', async () => {
    const problems = [
      [tileUrl(999999, 'after', 20, centre.x, centre.y, 'webp'), 404, /no job 999999/],
      ['/api/v1/jobs/999999/tiles', 404, /no job 999999/],
      [tileUrl(ids.full, 'sideways', 20, centre.x, centre.y, 'webp'), 404, /no layer sideways/],
      [tileUrl(ids.orthos, 'height-change', 20, centre.x, centre.y, 'png'), 404, /has no height-change layer/],
      [tileUrl(ids.dsms, 'before', 20, centre.x, centre.y, 'webp'), 404, /has no before layer/],
      [tileUrl(ids.full, 'after', 30, 0, 0, 'webp'), 400, /params\/z|z/],
      [tileUrl(ids.full, 'after', 3, 8, 0, 'webp'), 400, /x and y run from 0 to 7/],
      [tileUrl(ids.full, 'after', 20, centre.x, centre.y, 'jpg'), 400, /ext/],
      [`/api/v1/jobs/${ids.full}/tiles/after/20/${centre.x}/abc.webp`, 400, /y/],
    ] as const;
    for (const [url, status, detail] of problems) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(status);
      expect(response.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      expect(response.json().detail, url).toMatch(detail);
    }
  });

  it('needs a token', async () => {
    expect((await get(`/api/v1/jobs/${ids.full}/tiles`, null)).statusCode).toBe(401);
    expect((await get(tileUrl(ids.full, 'after', centre.z, centre.x, centre.y, 'webp'), null)).statusCode).toBe(401);
  });
});
