import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLayer } from '../../../../../plans/import.js';
import { openTestService, type TestService } from '../../../../../test-support/service.js';
import { testBackends } from '../../../../../test-support/database.js';

const fixture = fileURLToPath(new URL('../../../../../../fixtures/scene/', import.meta.url));

describe.each(testBackends())('layer lists on the %s backend', (backend) => {
  let service: TestService;
  let fixtureGrids: { features: { properties: { grid_id: string }; geometry: { coordinates: number[][][] } }[] };
  const list = async (path: string, user: keyof TestService['auth'] = 'reviewer', headers: Record<string, string> = {}) => {
    const response = await service.app.inject({ url: `/api/v1/${path}`, headers: { ...service.auth[user], ...headers } });
    return { status: response.statusCode, body: response.json(), type: response.headers['content-type'] };
  };
  const keys = (rows: Record<string, unknown>[], key: string) => rows.map((row) => row[key]);

  beforeAll(async () => {
    service = await openTestService(backend);
    for (const layer of ['plans', 'zones', 'grids'] as const) await importLayer(service.db, layer, join(fixture, `${layer}.geojson`));
    fixtureGrids = JSON.parse((await readFile(join(fixture, 'grids.geojson'))).toString());
  });
  afterAll(() => service?.close());

  it('lists plans ordered by permit number, with their attributes, area and WGS84 outline, a page at a time', async () => {
    const { status, body, type } = await list('plans?limit=20');
    expect(status).toBe(200);
    expect(type).toMatch(/^application\/json/);
    expect(body.plans).toHaveLength(20);
    expect(body.next_offset).toBe(20);
    const all = [...body.plans, ...(await list('plans?limit=20&offset=20')).body.plans, ...(await list('plans?limit=20&offset=40')).body.plans];
    expect(all).toHaveLength(52);
    expect((await list('plans?limit=20&offset=40')).body.next_offset).toBeNull();
    expect(new Set(keys(all, 'permit_no')).size).toBe(52);
    const plan = all.find((p) => p.permit_no === '建字第330110202200007号');
    expect(plan).toMatchObject({ kind: 'new_building', permitted_height_m: 10, permitted_floors: null, valid_from: '2022-05-25', valid_to: '2023-12-18', attributes: { area_m2: 135.2 } });
    expect(plan.area_m2).toBeCloseTo(135.2, 0);
    expect(plan.outline.type).toBe('MultiPolygon');
    expect(plan.outline.coordinates[0][0][0][0]).toBeCloseTo(119.965, 3);
  });

  it('filters plans by the day they are valid on and by permit number', async () => {
    const valid = keys((await list('plans?valid_on=2023-06-01&limit=1000')).body.plans, 'permit_no');
    expect(valid).toHaveLength(49);
    expect(valid).toContain('P-1');
    expect(valid).toContain('建字第330110202200007号');
    expect(valid).not.toContain('建字第330110202400003号');
    const later = keys((await list('plans?valid_on=2025-01-01&limit=1000')).body.plans, 'permit_no');
    expect(later).toHaveLength(51);
    expect(later).not.toContain('建字第330110202200007号');
    const two = `permit_no=${encodeURIComponent('建字第330110202200007号')}&permit_no=P-1`;
    expect(keys((await list(`plans?${two}`)).body.plans, 'permit_no')).toEqual(['P-1', '建字第330110202200007号']);
    expect((await list("plans?permit_no=' OR 1=1 --")).body.plans).toEqual([]);
  });

  it('filters zones by kind and any layer by a WGS84 bounding box', async () => {
    const historic = (await list('zones?kind=historic')).body.zones;
    expect(keys(historic, 'zone_id')).toEqual(['HZ-1', 'Z005']);
    expect(historic[1]).toMatchObject({ kind: 'historic', name: '老街历史风貌区', priority: 1.5, thresholds: {} });
    const ring = fixtureGrids.features[0].geometry.coordinates[0];
    const [lons, lats] = [ring.map((p) => p[0]), ring.map((p) => p[1])];
    const inside = [Math.min(...lons) + 0.0001, Math.min(...lats) + 0.0001, Math.max(...lons) - 0.0001, Math.max(...lats) - 0.0001];
    expect(keys((await list(`grids?bbox=${inside.join(',')}`)).body.grids, 'grid_id')).toEqual([fixtureGrids.features[0].properties.grid_id]);
    expect((await list('plans?bbox=10,10,11,11')).body.plans).toEqual([]);
  });

  it('answers a GeoJSON FeatureCollection in WGS84 to Accept: application/geo+json or format=geojson', async () => {
    const accepted = await list('grids?limit=2', 'supervisor', { accept: 'application/geo+json' });
    expect(accepted.type).toMatch(/^application\/geo\+json/);
    expect(accepted.body).toMatchObject({ type: 'FeatureCollection', next_offset: 2 });
    const [first] = accepted.body.features;
    expect(first).toMatchObject({ type: 'Feature', id: 'WG-01', geometry: { type: 'MultiPolygon' }, properties: { grid_id: 'WG-01', street: '东街道' } });
    expect(first.properties.outline).toBeUndefined();
    const zhao = (await list('grids?format=geojson&limit=1000')).body.features.find((f: { id: string }) => f.id === 'WG-02-01');
    expect(zhao.properties).toMatchObject({ street: '中泰街道', community: '文一村', officer: '黄军' });
    const given = fixtureGrids.features.find((f) => f.properties.grid_id === 'WG-02-01')!.geometry.coordinates[0];
    const listed: number[][] = zhao.geometry.coordinates[0][0];
    for (const point of given) expect(listed.some((p) => Math.abs(p[0] - point[0]) < 1e-8 && Math.abs(p[1] - point[1]) < 1e-8)).toBe(true);
    expect((await list('plans?format=json', 'analyst', { accept: 'application/geo+json' })).body.plans).toHaveLength(52);
  });

  it('shows an officer their own grids only, and no plans or zones', async () => {
    expect(keys((await list('grids', 'officer')).body.grids, 'grid_id')).toEqual(['WG-01']);
    expect(keys((await list('grids?format=geojson', 'officer2')).body.features, 'id')).toEqual(['WG-02']);
    expect((await list('grids', 'reviewer')).body.grids).toHaveLength(6);
    expect((await list('plans', 'officer')).status).toBe(403);
    expect((await list('zones', 'officer')).status).toBe(403);
  });

  it('answers bad filters with 400 naming them', async () => {
    for (const [query, field] of [['plans?bbox=1,2,3', 'bbox'], ['plans?valid_on=2024-02-30', 'valid_on'], ['zones?limit=1001', 'limit'], ['grids?offset=-1', 'offset'], ['zones?format=kml', 'format']]) {
      const { status, body } = await list(query);
      expect(status, query).toBe(400);
      expect(body.detail, query).toMatch(new RegExp(field));
    }
  });
});
