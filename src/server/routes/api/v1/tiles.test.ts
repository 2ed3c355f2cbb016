import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWgs84 } from '../../../../geo/crs.js';
import { lonLatToTile } from '../../../../geo/web-mercator.js';
import { candidate, E, N } from '../../../../test-support/candidates.js';
import { testBackends } from '../../../../test-support/database.js';
import { openTestService, type TestService } from '../../../../test-support/service.js';
import { decodeVectorTile } from '../../../../test-support/vector-tile.js';

/** z/x/y of the tile at zoom `z` holding the point `x`, `y` metres from the test area's corner. */
function tilePath(x: number, y: number, z: number, dx = 0): string {
  const tile = lonLatToTile(...toWgs84(4549)([E + x, N + y]), z);
  return `${z}/${tile.x + dx}/${tile.y}`;
}

describe.each(testBackends())('GET /api/v1/tiles on the %s backend', (backend) => {
  let service: TestService;
  let cases: Map<string, number>;
  const get = (url: string, user: keyof TestService['auth'] = 'reviewer') => service.app.inject({ url: `/api/v1/tiles/${url}`, headers: service.auth[user] });
  const caseIds = async (url: string, user: keyof TestService['auth'] = 'reviewer') => {
    const response = await get(url, user);
    if (response.statusCode === 204) return [];
    expect(response.statusCode).toBe(200);
    return decodeVectorTile(response.rawPayload).flatMap((layer) => layer.features.map((f) => f.id)).sort();
  };

  beforeAll(async () => {
    service = await openTestService(backend);
    cases = await service.detect('2024-06-01', [
      candidate('east', 'new_building', [100, 100, 110, 110], 9),
      candidate('west', 'ground_structure', [300, 100, 310, 110], 4),
    ]);
  });
  afterAll(() => service?.close());

  it('answers a vector tile with the cases in it, and 204 for a tile with none', async () => {
    const response = await get(`cases/${tilePath(105, 105, 18)}.mvt`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    const [layer] = decodeVectorTile(response.rawPayload);
    expect(layer.name).toBe('cases');
    expect(layer.features.map((f) => f.id)).toEqual([cases.get('east')]);
    const far = await get(`cases/${tilePath(105, 105, 18, 5)}.mvt`);
    expect(far.statusCode).toBe(204);
    expect(far.rawPayload).toHaveLength(0);
  });

  it('takes the case list\'s filters', async () => {
    const both = tilePath(200, 105, 15);
    expect(await caseIds(`cases/${both}.mvt`)).toEqual([cases.get('east'), cases.get('west')].sort());
    expect(await caseIds(`cases/${both}.mvt?change_kind=ground_structure`)).toEqual([cases.get('west')]);
    expect(await caseIds(`cases/${both}.mvt?state=triaged&state=dispatched`)).toEqual([]);
    expect(await caseIds(`cases/${both}.mvt?grid=WG-01`)).toEqual([cases.get('east')]);
    expect((await get(`cases/${both}.mvt?flown_from=2024-13-01`)).statusCode).toBe(400);
  });

  it('gives an officer the cases of their grids only', async () => {
    const both = tilePath(200, 105, 15);
    expect(await caseIds(`cases/${both}.mvt`, 'officer')).toEqual([cases.get('east')]);
    expect(await caseIds(`cases/${both}.mvt`, 'officer2')).toEqual([cases.get('west')]);
    expect(await caseIds(`grids/${both}.mvt`, 'officer2')).toHaveLength(1);
    const plans = await get(`plans/${both}.mvt`, 'officer');
    expect(plans.statusCode).toBe(403);
    expect(plans.json().detail).toMatch(/plans tiles are for analysts, reviewers and supervisors/);
  });

  it('serves plans, zones and grids tiles', async () => {
    const response = await get(`zones/${tilePath(105, 105, 15)}.mvt`, 'analyst');
    expect(decodeVectorTile(response.rawPayload).map((layer) => [layer.name, layer.features.map((f) => f.properties.zone_id)])).toEqual([['zones', ['HZ-1']]]);
    expect((await get(`grids/${tilePath(105, 105, 15)}.mvt`, 'supervisor')).statusCode).toBe(200);
    expect((await get(`plans/${tilePath(105, 105, 15)}.mvt`)).statusCode).toBe(204);
  });

  it('refuses tiles that do not exist, unknown layers and case filters on other layers with problem+json', async () => {
    for (const url of ['cases/23/0/0.mvt', 'cases/3/8/0.mvt', 'cases/3/0/-1.mvt', 'cases/x/0/0.mvt', 'roads/3/0/0.mvt', `plans/${tilePath(105, 105, 15)}.mvt?state=detected`]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type'], url).toMatch(/application\/problem\+json/);
    }
    expect((await get('cases/3/8/0.mvt')).json().detail).toMatch(/x and y run from 0 to 7 at zoom 3/);
    expect((await get(`plans/${tilePath(105, 105, 15)}.mvt?state=detected`)).json().detail).toMatch(/cases layer only/);
  });

  it('is in the OpenAPI document as an MVT response for every role but admin alone', async () => {
    const document = (await service.app.inject({ url: '/api/docs/json' })).json();
    const operation = document.paths['/api/v1/tiles/{layer}/{z}/{x}/{y}.mvt'].get;
    expect(Object.keys(operation.responses['200'].content)).toEqual(['application/vnd.mapbox-vector-tile']);
    expect(operation.description).toMatch(/Roles: analyst, reviewer, officer, supervisor, admin\./);
  });
});
