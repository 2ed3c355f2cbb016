import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crsTransform, toWgs84 } from '../geo/crs.js';
import { lonLatToTile, tileBounds, type TileAddress } from '../geo/web-mercator.js';
import { candidate, E, N } from '../test-support/candidates.js';
import { testBackends } from '../test-support/database.js';
import { openTestService, type TestService } from '../test-support/service.js';
import { decodeVectorTile, ringArea } from '../test-support/vector-tile.js';
import { defaultStageDeadlines } from '../cases/deadlines.js';
import { vectorTile, type VectorTileLayer } from './vector-tiles.js';

const everyone = { grids: null };
const day = 86_400_000;

/** The tile at zoom `z` holding the point `x`, `y` metres from the test area's corner. */
function tileAt(x: number, y: number, z: number): TileAddress {
  const [lon, lat] = toWgs84(4549)([E + x, N + y]);
  return lonLatToTile(lon, lat, z);
}

describe.each(testBackends())('vector tiles on the %s backend', (backend) => {
  let service: TestService;
  let cases: Map<string, number>;
  /** Metres from the corner of a point on the east edge of the tile holding (100, 100) at zoom 19. */
  let edge: [number, number];
  const read = async (layer: VectorTileLayer, tile: TileAddress, scope: { grids: string[] | null } = everyone, now = new Date()) =>
    decodeVectorTile(await vectorTile(service.db.knex, layer, tile, {}, scope, defaultStageDeadlines, now));

  beforeAll(async () => {
    service = await openTestService(backend);
    const [, minY, maxX, maxY] = tileBounds(tileAt(100, 100, 19));
    const [x, y] = crsTransform(3857, 4549)([maxX, (minY + maxY) / 2]);
    edge = [x - E, y - N];
    cases = await service.detect('2024-06-01', [
      candidate('house', 'new_building', [100, 100, 110, 110], 9),
      candidate('straddling', 'new_building', [edge[0] - 5, edge[1] - 5, edge[0] + 5, edge[1] + 5], 6),
    ]);
    await service.db.knex('plans').insert({
      permit_no: 'P-2', kind: 'new_building', permitted_height_m: 12, valid_from: '2020-03-01',
      geom: service.db.knex.raw(`ST_GeomFromText('MULTIPOLYGON(((${E + 100} ${N + 100},${E + 130} ${N + 100},${E + 130} ${N + 130},${E + 100} ${N + 130},${E + 100} ${N + 100})))', 4549)`),
    });
  });
  afterAll(() => service?.close());

  it('draws a case as a polygon with its properties in the tile that holds it, and in no other', async () => {
    const [polygons, ...others] = await read('cases', tileAt(105, 105, 17));
    expect(others).toEqual([]);
    expect(polygons.name).toBe('cases');
    const house = polygons.features.find((f) => f.id === cases.get('house'))!;
    expect(house.properties).toEqual({
      id: cases.get('house'), state: 'detected', violation: 'no_permit', change_kind: 'new_building', priority: expect.any(Number), grid_id: 'WG-01', area_m2: 100, overdue: false,
    });
    expect(Number.isInteger(house.properties.priority)).toBe(true);
    expect(house.parts).toHaveLength(1);
    // a zoom-17 tile is 264 m of ground across here: 10 m are 155 units
    expect(Math.sqrt(ringArea(house.parts[0]) / 2)).toBeCloseTo(155, -1);
    const far = tileAt(105, 105, 17);
    expect(await vectorTile(service.db.knex, 'cases', { ...far, x: far.x + 3 }, {}, everyone, defaultStageDeadlines)).toHaveLength(0);
  });

  it('clips a case across a tile edge to each tile and its buffer of 64 units', async () => {
    const west = tileAt(edge[0] - 1, edge[1], 19);
    const id = cases.get('straddling');
    const xs = async (tile: TileAddress) => (await read('cases', tile))[0].features.find((f) => f.id === id)!.parts[0].map(([x]) => x);
    expect(Math.max(...(await xs(west)))).toBe(4160);
    expect(Math.min(...(await xs({ ...west, x: west.x + 1 })))).toBe(-64);
  });

  it('turns a case under a pixel into a point on its surface in case_points', async () => {
    const layers = await read('cases', tileAt(105, 105, 12));
    expect(layers.map((l) => l.name)).toEqual(['case_points']);
    const [house] = layers[0].features.filter((f) => f.id === cases.get('house'));
    expect(house.type).toBe(1);
    expect(house.properties).toMatchObject({ id: cases.get('house'), state: 'detected', grid_id: 'WG-01' });
    // 10 m are 4.8 units at zoom 12: under a pixel; at zoom 14 they are 19 units, two pixels
    const [[x, y]] = house.parts[0];
    expect([x, y].every((v) => v >= 0 && v < 4096)).toBe(true);
    expect((await read('cases', tileAt(105, 105, 14))).map((l) => l.name)).toEqual(['cases']);
  });

  it('says a case is overdue once its stage is past its deadline', async () => {
    const [layer] = await read('cases', tileAt(105, 105, 17), everyone, new Date(Date.now() + 3 * day));
    expect(layer.features.find((f) => f.id === cases.get('house'))!.properties.overdue).toBe(true);
  });

  it('keeps an officer to the grids assigned to them, for cases and for grids', async () => {
    const tile = tileAt(200, 250, 15);
    const gridIds = async (grids: string[] | null) => (await read('grids', tile, { grids }))[0].features.map((f) => f.properties.grid_id).sort();
    expect(await gridIds(null)).toEqual(['WG-01', 'WG-02']);
    expect(await gridIds(['WG-02'])).toEqual(['WG-02']);
    expect(await vectorTile(service.db.knex, 'cases', tileAt(105, 105, 17), {}, { grids: ['WG-02'] }, defaultStageDeadlines)).toHaveLength(0);
  });

  it('writes plans, zones and grids with their properties, whole at a street zoom', async () => {
    const tile = tileAt(105, 105, 15);
    const [grids] = await read('grids', tile);
    expect(grids.features.find((f) => f.properties.grid_id === 'WG-01')!.properties).toEqual({ grid_id: 'WG-01', street: '东街道' });
    const [zones] = await read('zones', tile);
    expect(zones.features.map((f) => f.properties)).toEqual([{ zone_id: 'HZ-1', kind: 'historic', name: '老街', priority: 1.5 }]);
    const [plans] = await read('plans', tile);
    expect(plans.name).toBe('plans');
    expect(plans.features.map((f) => f.properties)).toEqual([{ permit_no: 'P-2', kind: 'new_building', permitted_height_m: 12, valid_from: '2020-03-01' }]);
    expect(plans.features[0].parts).toHaveLength(1);
    expect(ringArea(plans.features[0].parts[0])).toBeGreaterThan(0);
  });
});
