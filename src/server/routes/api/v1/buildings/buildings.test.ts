import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWgs84 } from '../../../../../geo/crs.js';
import { lonLatToTile } from '../../../../../geo/web-mercator.js';
import { insertSurvey, type TestBuilding } from '../../../../../test-support/buildings.js';
import { candidate, E, N } from '../../../../../test-support/candidates.js';
import { testBackends } from '../../../../../test-support/database.js';
import { openTestService, type TestService } from '../../../../../test-support/service.js';
import { decodeVectorTile } from '../../../../../test-support/vector-tile.js';

describe.each(testBackends())('the building register through the API on the %s backend', (backend) => {
  let service: TestService;
  let ids: Map<string, number>;
  let surveys: number[];
  let rooftopCase: number;
  const get = async (url: string, user: keyof TestService['auth'] = 'reviewer') => {
    const response = await service.app.inject({ url: `/api/v1/${url}`, headers: service.auth[user] });
    return { status: response.statusCode, body: response.json() };
  };
  const listed = async (query: string, user: keyof TestService['auth'] = 'reviewer') => {
    const { status, body } = await get(`buildings?${query}`, user);
    expect(status, `${query}: ${JSON.stringify(body)}`).toBe(200);
    return body.buildings.map((b: { id: number }) => b.id);
  };
  const named = (...names: string[]) => names.map((name) => ids.get(name));

  beforeAll(async () => {
    service = await openTestService(backend);
    const house: TestBuilding = { name: 'house', square: [10, 10, 30, 30], roofHeightM: 6.126, floors: 2, legality: 'legal', violation: 'none', permitNo: 'P-9', gridId: 'WG-01' };
    const first = await insertSurvey(service.db.knex, '2024-06-01', [
      house,
      { name: 'shed', square: [250, 50, 260, 60], roofHeightM: 3, floors: 1, legality: 'suspect', violation: 'no_permit', gridId: 'WG-02' },
      { name: 'tower', square: [100, 300, 120, 320], roofHeightM: 10.2345, floors: 3, roofForm: 'pitched', legality: 'suspect', violation: 'exceeds_permitted_height', permitNo: 'P-8', gridId: 'WG-01' },
    ]);
    ids = first.ids;
    // the second survey finds the house again, a storey higher and with a shed on its roof
    const second = await insertSurvey(service.db.knex, '2024-09-01', [
      { ...house, registerId: ids.get('house'), roofHeightM: 9, floors: 3, rooftop: [{ square: [12, 12, 16, 16], heightAboveRoofM: 2.504, violation: 'no_permit' }] },
    ]);
    surveys = [first.jobId, second.jobId];
    // a later detect finds an addition on its roof: its candidate names the building
    rooftopCase = (await service.detect('2024-10-01', [candidate('addition', 'rooftop_addition', [20, 20, 25, 25], 3)])).get('addition')!;
    await service.db.knex('candidates').where({ case_id: rooftopCase }).update({ building_id: ids.get('house') });
  });
  afterAll(() => service?.close());

  it('lists the register with its total, measurements to the centimetre and outlines in WGS84', async () => {
    const { status, body } = await get('buildings');
    expect(status).toBe(200);
    expect(body.total).toBe(3);
    expect(body.buildings.map((b: { id: number }) => b.id)).toEqual(named('house', 'shed', 'tower'));
    expect(body.buildings[2]).toMatchObject({
      area_m2: 400, roof_height_m: 10.23, roof_height_max_m: 10.73, floors: 3, roof_form: 'pitched', rooftop_structures: 0, legality: 'suspect',
      violation: 'exceeds_permitted_height', permit_no: 'P-8', grid_id: 'WG-01', case_id: null, first_job_id: surveys[0], last_job_id: surveys[0], flight_date: '2024-06-01',
    });
    expect(body.buildings[0]).toMatchObject({ floors: 3, roof_height_m: 9, rooftop_structures: 1, first_job_id: surveys[0], last_job_id: surveys[1], flight_date: '2024-09-01' });
    const [lon, lat] = toWgs84(4549)([E + 100, N + 300]);
    expect(body.buildings[2].outline.type).toBe('MultiPolygon');
    expect(body.buildings[2].outline.coordinates[0][0][0][0]).toBeCloseTo(lon, 8);
    expect(body.buildings[2].outline.coordinates[0][0][0][1]).toBeCloseTo(lat, 8);
  });

  it('filters by legality, violation, grid, survey job and a WGS84 box, and pages keeping the total', async () => {
    expect(await listed('legality=suspect')).toEqual(named('shed', 'tower'));
    expect(await listed('violation=no_permit&violation=none')).toEqual(named('house', 'shed'));
    expect(await listed('grid=WG-02')).toEqual(named('shed'));
    expect(await listed(`job=${surveys[1]}`)).toEqual(named('house'));
    expect(await listed(`job=${surveys[0]}`)).toEqual(named('house', 'shed', 'tower'));
    const [minLon, minLat] = toWgs84(4549)([E + 90, N + 290]);
    const [maxLon, maxLat] = toWgs84(4549)([E + 130, N + 330]);
    expect(await listed(`bbox=${minLon},${minLat},${maxLon},${maxLat}`)).toEqual(named('tower'));
    const page = await get('buildings?limit=1&offset=1');
    expect(page.body.total).toBe(3);
    expect(page.body.buildings.map((b: { id: number }) => b.id)).toEqual(named('shed'));
  });

  it('shows one building with its observations, the structures its last survey found on its roof and its cases', async () => {
    const { status, body } = await get(`buildings/${ids.get('house')}`);
    expect(status).toBe(200);
    expect(body.observations.map((o: { job_id: number; flight_date: string; floors: number; roof_height_m: number }) => [o.job_id, o.flight_date, o.floors, o.roof_height_m])).toEqual([
      [surveys[0], '2024-06-01', 2, 6.13],
      [surveys[1], '2024-09-01', 3, 9],
    ]);
    expect(body.rooftop_additions).toHaveLength(1);
    expect(body.rooftop_additions[0]).toMatchObject({ area_m2: 16, height_above_roof_m: 2.5, height_m: 11.5, suspect: true, violation: 'no_permit', case_id: null });
    expect(body.rooftop_additions[0].outline.coordinates[0][0]).toHaveLength(5);
    expect(body.cases).toEqual([{ id: rooftopCase, state: 'detected', violation: 'no_permit', change_kind: 'rooftop_addition', flight_date: '2024-10-01' }]);
    expect((await get(`buildings/${ids.get('tower')}`)).body).toMatchObject({ observations: [{ job_id: surveys[0] }], rooftop_additions: [], cases: [] });
  });

  it("keeps an officer to their grids' buildings and cases", async () => {
    expect(await listed('', 'officer')).toEqual(named('house', 'tower'));
    expect(await listed('', 'officer2')).toEqual(named('shed'));
    expect((await get('buildings', 'officer2')).body.total).toBe(1);
    expect((await get(`buildings/${ids.get('shed')}`, 'officer')).status).toBe(404);
    expect((await get(`buildings/${ids.get('house')}`, 'officer')).body.cases).toHaveLength(1);
  });

  it('draws the buildings as a vector tile layer with their legality, all or those of one survey', async () => {
    const [lon, lat] = toWgs84(4549)([E + 100, N + 150]);
    const tile = lonLatToTile(lon, lat, 15);
    const tileIds = async (query: string, user: keyof TestService['auth'] = 'reviewer') => {
      const response = await service.app.inject({ url: `/api/v1/tiles/buildings/15/${tile.x}/${tile.y}.mvt${query}`, headers: service.auth[user] });
      if (response.statusCode === 204) return [];
      expect(response.statusCode).toBe(200);
      const layers = decodeVectorTile(response.rawPayload);
      expect(layers.map((l) => l.name)).toEqual(['buildings']);
      return layers[0].features.map((f) => f.id).sort((a, b) => a! - b!);
    };
    expect(await tileIds('')).toEqual(named('house', 'shed', 'tower'));
    expect(await tileIds(`?job=${surveys[1]}`)).toEqual(named('house'));
    expect(await tileIds('', 'officer2')).toEqual(named('shed'));
    const response = await service.app.inject({ url: `/api/v1/tiles/buildings/15/${tile.x}/${tile.y}.mvt`, headers: service.auth.reviewer });
    const tower = decodeVectorTile(response.rawPayload)[0].features.find((f) => f.id === ids.get('tower'))!;
    expect(tower.properties).toEqual({ legality: 'suspect', violation: 'exceeds_permitted_height', floors: 3, roof_height_m: 10.2, area_m2: 400, grid_id: 'WG-01' });
    const refused = await service.app.inject({ url: `/api/v1/tiles/buildings/15/${tile.x}/${tile.y}.mvt?state=detected`, headers: service.auth.reviewer });
    expect(refused.json()).toMatchObject({ status: 400, detail: expect.stringMatching(/^state: filters apply to the cases layer only \(buildings take job\)/) });
  });

  it('exports the register through the export route, and refuses what does not apply to it', async () => {
    const csv = await service.app.inject({ url: '/api/v1/exports/csv?layer=buildings&chinese_headers=true', headers: service.auth.reviewer });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="zhiwei-buildings.csv"');
    const lines = csv.body.trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect([...csv.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(lines[0]).toMatch(/^\uFEFF?编号,面积（平方米）,屋顶高度（米）/);
    expect((await get(`exports/geojson?layer=buildings&job=${surveys[1]}`)).body.features.map((f: { id: number }) => f.id)).toEqual(named('house'));
    expect((await get('exports/pdf?layer=buildings')).body).toMatchObject({ status: 400, field: 'layer', detail: 'the building register does not export as pdf' });
    expect((await get('exports/csv?layer=buildings&state=closed')).body).toMatchObject({ status: 400, field: 'state' });
    expect((await get('exports/csv?layer=buildings&grid=WG-99')).body).toMatchObject({ status: 400, detail: 'no buildings in grid WG-99; nothing written' });
    expect((await get('exports/csv?layer=buildings', 'officer')).status).toBe(403);
  });

  it('refuses bad filters and ids with 400, and answers 404 for a building that is not there', async () => {
    for (const query of ['legality=illegal', 'violation=roof', 'bbox=1,2,3', 'job=0', 'limit=501', 'offset=-1', "grid=' OR 1=1 --"]) {
      const { status, body } = await get(`buildings?${query}`);
      if (query.startsWith('grid')) expect(body.buildings, query).toEqual([]);
      else expect(status, query).toBe(400);
    }
    expect((await get('buildings/0')).status).toBe(400);
    expect((await get('buildings/999999')).body).toMatchObject({ status: 404, detail: 'no building 999999' });
  });

  it('is in the OpenAPI document for every role but admin alone', async () => {
    const document = (await service.app.inject({ url: '/api/docs/json' })).json();
    expect(document.paths['/api/v1/buildings'].get.description).toMatch(/Roles: analyst, reviewer, officer, supervisor, admin\./);
    expect(Object.keys(document.paths['/api/v1/buildings/{id}'].get.responses['200'].content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['outline', 'area_m2', 'roof_form', 'legality', 'observations', 'rooftop_additions', 'cases']),
    );
  });
});
