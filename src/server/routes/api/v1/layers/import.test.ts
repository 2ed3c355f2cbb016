import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDxf } from '../../../../../test-support/dxf.js';
import { multipart, openTestService, type TestService } from '../../../../../test-support/service.js';
import { testBackends } from '../../../../../test-support/database.js';
import { zipBomb } from '../../../../../test-support/zip-bomb.js';
import { layerMaxBytes } from './upload.js';

const fixture = fileURLToPath(new URL('../../../../../../fixtures/scene/', import.meta.url));
const square = (lon: number, lat: number, size = 0.0001) => [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]];
const collection = (features: { properties: object; coordinates: unknown }[]) =>
  Buffer.from(JSON.stringify({ type: 'FeatureCollection', features: features.map(({ properties, coordinates }) => ({ type: 'Feature', properties, geometry: { type: 'Polygon', coordinates } })) }));

describe.each(testBackends())('layer imports on the %s backend', (backend) => {
  let service: TestService;
  const upload = (layer: string, fileName: string, content: Buffer, fields: Record<string, string> = {}, user: keyof TestService['auth'] = 'analyst') => {
    const body = multipart(fields, [content], 'file', () => fileName);
    return service.app.inject({ method: 'POST', url: `/api/v1/${layer}/import`, headers: { ...service.auth[user], ...body.headers }, payload: body.payload });
  };
  const count = async (table: string) => (await service.db.knex(table).pluck('id')).length;
  const uploadDirs = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('zhiwei-upload-')).length;

  beforeAll(async () => {
    service = await openTestService(backend);
  });
  afterAll(() => service?.close());

  it('imports the fixture plans, reports what it did, and answers unchanged to the same file again', async () => {
    const plans = await readFile(join(fixture, 'plans.geojson'));
    const first = await upload('plans', 'plans.geojson', plans);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ layer: 'plans', file: 'plans.geojson', status: 'imported', features: 51, inserted: 51, updated: 0, repairs: [], project_epsg: 4549 });
    expect(await count('plans')).toBe(52);
    const again = await upload('plans', '规划许可.geojson', plans);
    expect(again.json()).toMatchObject({ status: 'unchanged', file: '规划许可.geojson', features: 51, inserted: 0, updated: 0 });
    expect(await count('imports')).toBe(1);
  });

  it('refuses a plan moved by kilometres with 400 naming its row unless allow_move is true, and a layer in the wrong CRS naming both extents', async () => {
    const plans = JSON.parse((await readFile(join(fixture, 'plans.geojson'))).toString());
    const stored = async () => service.db.knex('plans').orderBy('permit_no').select('permit_no', service.db.knex.raw('ST_AsText(geom) AS wkt'));
    const before = await stored();
    const moved = structuredClone(plans);
    moved.features[0].geometry.coordinates = moved.features[0].geometry.coordinates.map((ring: number[][]) => ring.map(([lon, lat]) => [lon + 0.05, lat]));
    const refused = await upload('plans', 'plans.geojson', Buffer.from(JSON.stringify(moved)));
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({
      detail: expect.stringMatching(new RegExp(`^plans.geojson: row 1 \\(permit_no ${moved.features[0].properties.permit_no}\\) would move more than 1 km`)),
      hint: expect.stringContaining('--allow-move'),
    });
    const swapped = structuredClone(plans);
    for (const f of swapped.features) f.geometry.coordinates = f.geometry.coordinates.map((ring: number[][]) => ring.map(([lon, lat]) => [lat, lon]));
    const wrongCrs = await upload('plans', 'swapped.geojson', Buffer.from(JSON.stringify(swapped)));
    expect(wrongCrs.json()).toMatchObject({ status: 400, detail: expect.stringMatching(/^swapped.geojson: row 1: .* lies outside the area of use of EPSG:4326/), hint: expect.stringMatching(/swapped/) });
    expect(await stored()).toEqual(before);
    expect((await upload('plans', 'plans.geojson', Buffer.from(JSON.stringify(moved)), { allow_move: 'yes' })).json().detail).toBe('allow_move: "yes" is neither true nor false');
    const allowed = await upload('plans', 'plans.geojson', Buffer.from(JSON.stringify(moved)), { allow_move: 'true' });
    expect(allowed.json()).toMatchObject({ status: 'imported', inserted: 0, updated: 1 });
  });

  it('reports each repaired geometry with its row, key, reason and areas', async () => {
    const bowTie = [[[120.01, 30.01], [120.0101, 30.0101], [120.0101, 30.01], [120.01, 30.0101], [120.01, 30.01]]];
    const response = await upload('grids', 'grids.geojson', collection([{ properties: { grid_id: 'G-1' }, coordinates: square(120.02, 30.02) }, { properties: { 网格编号: 'G-2', 网格员: '李伟' }, coordinates: bowTie }]));
    expect(response.json()).toMatchObject({ layer: 'grids', status: 'imported', features: 2, inserted: 2 });
    const [repair] = response.json().repairs;
    expect(repair).toMatchObject({ row: 2, key: 'G-2', reason: expect.stringMatching(/Self-intersection/i) });
    expect(repair.area_before_m2).toBeLessThan(1);
    expect(repair.area_after_m2).toBeGreaterThan(50);
    expect(await service.db.knex('grids').where({ grid_id: 'G-2' }).first('officer')).toEqual({ officer: '李伟' });
  });

  it('refuses a file with a bad row with 400 naming the row and reason, and stores nothing', async () => {
    const before = { zones: await count('zones'), imports: await count('imports') };
    const zones = JSON.parse((await readFile(join(fixture, 'zones.geojson'))).toString());
    zones.features[2].properties.priority = 'high';
    const response = await upload('zones', 'zones.geojson', Buffer.from(JSON.stringify(zones)));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, detail: 'zones.geojson: row 3: "priority" = "high" is not a number' });
    const broken = await upload('zones', 'zones.geojson', collection([{ properties: { zone_id: 'Z9', kind: 'priority' }, coordinates: [[[120, 30], [120.1, 30]]] }]));
    expect(broken.json().detail).toBe('zones.geojson: feature 1: polygon rings must be closed lists of at least 4 [x, y] positions');
    expect(broken.json().detail).not.toContain(tmpdir());
    expect({ zones: await count('zones'), imports: await count('imports') }).toEqual(before);
  });

  it('imports a DXF drawing with a CRS and a mapping given as fields', async () => {
    const [x, y] = [500100, 3350100];
    const dxf = writeDxf({
      layers: ['规划用地'],
      polylines: [{ layer: '规划用地', points: [[x, y], [x + 20, y], [x + 20, y + 10], [x, y + 10]] }],
      labels: [{ layer: '规划用地', at: [x + 5, y + 5], text: '建字第2024001号 限高 12.5m' }],
    });
    const mapping = { layers: { 规划用地: { kind: 'new_building' } }, text: [{ field: 'permit_no', pattern: '建字第\\d+号' }, { field: 'permitted_height_m', pattern: '限高\\s*([\\d.]+)\\s*m', number: true }] };
    const withoutCrs = await upload('plans', 'plan.dxf', Buffer.from(dxf), { mapping: JSON.stringify(mapping) });
    expect(withoutCrs.json().detail).toMatch(/^plan.dxf: a DXF drawing has no CRS/);
    const response = await upload('plans', 'plan.dxf', Buffer.from(dxf), { crs: 'EPSG:4549', mapping: JSON.stringify(mapping) });
    expect(response.json()).toMatchObject({ status: 'imported', features: 1, inserted: 1 });
    const plan = await service.db.knex('plans').where({ permit_no: '建字第2024001号' }).first('kind', 'permitted_height_m', service.db.knex.raw('ST_Area(geom) AS area'));
    expect(plan).toMatchObject({ kind: 'new_building', permitted_height_m: 12.5, area: expect.closeTo(200, 6) });
    expect((await upload('plans', 'plan.dxf', Buffer.from(dxf), { mapping: '{"layers": ' })).json().detail).toMatch(/^mapping: not JSON/);
    expect((await upload('plans', 'plan.dxf', Buffer.from(dxf), { mapping: '{"colour": 1}' })).json().detail).toMatch(/^mapping.*unknown key "colour"/);
  });

  it('tells the file type by its bytes, whatever the name says', async () => {
    const geojson = collection([{ properties: { permit_no: 'T-1' }, coordinates: square(120.03, 30.03) }]);
    expect((await upload('plans', 'plans.zip', geojson)).json().detail).toBe('plans.zip: named .zip but its bytes are GeoJSON');
    expect((await upload('plans', 'plans.geojson', Buffer.from('PK\u0003\u0004 not really'))).json().detail).toBe('plans.geojson: named .geojson but its bytes are a zip file');
    expect((await upload('plans', 'plans.geojson', Buffer.from('%PDF-1.7'))).json().detail).toMatch(/^plans.geojson: not GeoJSON, a zip file, a GeoPackage or DXF \(its first bytes are 255044462d/);
    expect((await upload('plans', 'plans.gpkg', geojson)).json().detail).toBe('plans.gpkg: named .gpkg but its bytes are GeoJSON');
    expect((await upload('plans', 'plans.kml', geojson)).json().detail).toBe('plans.kml: cannot import ".kml" files');
    expect((await upload('plans', 'plans.shp', geojson)).json().detail).toBe('plans.shp: a .shp alone has no attributes');
    expect((await upload('plans', 'plans.zip', Buffer.from('PK\u0003\u0004 not really'))).json().detail).toMatch(/^plans.zip: not a readable zip file/);
    expect((await upload('plans', 'no-extension', geojson)).json()).toMatchObject({ status: 'imported', file: 'no-extension', inserted: 1 });
  });

  it('keeps a path-like file name harmless: shown without its folders, never written to', async () => {
    const name = `zhiwei-escape-${process.pid}.geojson`;
    const before = await uploadDirs();
    const response = await upload('plans', `../../../../${name}`, collection([{ properties: { permit_no: 'E-1' }, coordinates: square(120.04, 30.04) }]));
    expect(response.json()).toMatchObject({ status: 'imported', file: name });
    for (const dir of [tmpdir(), process.cwd(), '/']) expect(existsSync(resolve(dir, name))).toBe(false);
    expect(await uploadDirs()).toBe(before);
    const windows = await upload('plans', `..\\..\\${name}`, collection([{ properties: { permit_no: 'E-2' }, coordinates: square(120.05, 30.04) }]));
    expect(windows.json().file).toBe(name);
  });

  it('refuses a file over the size limit with 413 and stores nothing', async () => {
    const before = await count('imports');
    const big = Buffer.concat([Buffer.from('{"type": "FeatureCollection", "features": []'), Buffer.alloc(layerMaxBytes, 0x20), Buffer.from('}')]);
    const response = await upload('plans', 'big.geojson', big);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ status: 413, detail: 'file: larger than 50 MB' });
    expect(await count('imports')).toBe(before);
  });

  it('refuses a zip bomb with 413 naming the cap, whether it declares its size or lies, and stores nothing', async () => {
    const [imports, plans, dirs] = [await count('imports'), await count('plans'), await uploadDirs()];
    const declared = await upload('plans', 'plans.zip', zipBomb('plans.dbf', 250));
    expect(declared.statusCode).toBe(413);
    expect(declared.json()).toMatchObject({ status: 413, detail: 'file: plans.zip declares 250 MB inflated; a zipped layer may inflate to 200 MB at most' });
    const lying = await upload('plans', 'plans.zip', zipBomb('plans.dbf', 250, 4096));
    expect(lying.json()).toMatchObject({ status: 413, detail: 'file: plans.zip inflates to more than 200 MB (stopped in plans.dbf), the most a zipped layer may inflate to' });
    expect([await count('imports'), await count('plans'), await uploadDirs()]).toEqual([imports, plans, dirs]);
  });

  it('refuses a multipart body cut short with 400', async () => {
    const body = multipart({}, [collection([{ properties: { permit_no: 'CUT-1' }, coordinates: square(120.08, 30.08) }])], 'file', () => 'plans.geojson');
    const cut = await service.app.inject({ method: 'POST', url: '/api/v1/plans/import', headers: { ...service.auth.analyst, ...body.headers }, payload: body.payload.subarray(0, body.payload.length - 50) });
    expect(cut.json()).toMatchObject({ status: 400, field: 'body', detail: expect.stringMatching(/^body: the multipart\/form-data body cannot be read/) });
    expect(await service.db.knex('plans').where({ permit_no: 'CUT-1' })).toEqual([]);
  });

  it('is for analysts: an officer and a reviewer are refused with 403 before the file is read', async () => {
    const geojson = collection([{ properties: { permit_no: 'R-1' }, coordinates: square(120.06, 30.06) }]);
    expect((await upload('plans', 'plans.geojson', geojson, {}, 'officer')).statusCode).toBe(403);
    expect((await upload('grids', 'grids.geojson', geojson, {}, 'reviewer')).statusCode).toBe(403);
    expect((await upload('zones', 'zones.geojson', geojson, {}, 'admin')).json().detail).toMatch(/^zones.geojson: row 1: the attribute "zone_id" is missing/);
  });

  it('refuses a body without exactly one file in "file", and unknown fields', async () => {
    const geojson = collection([{ properties: { permit_no: 'F-1' }, coordinates: square(120.07, 30.07) }]);
    const json = await service.app.inject({ method: 'POST', url: '/api/v1/plans/import', headers: service.auth.analyst, payload: { file: 'plans.geojson' } });
    expect(json.statusCode).toBe(415);
    const empty = multipart({ crs: 'EPSG:4549' }, []);
    expect((await service.app.inject({ method: 'POST', url: '/api/v1/plans/import', headers: { ...service.auth.analyst, ...empty.headers }, payload: empty.payload })).json().detail).toMatch(/^file: missing/);
    const wrongField = multipart({}, [geojson], 'photo', () => 'plans.geojson');
    expect((await service.app.inject({ method: 'POST', url: '/api/v1/plans/import', headers: { ...service.auth.analyst, ...wrongField.headers }, payload: wrongField.payload })).json().detail).toMatch(/^photo: the layer goes in the "file" field/);
    const two = multipart({}, [geojson, geojson], 'file', (i) => `plans-${i}.geojson`);
    expect((await service.app.inject({ method: 'POST', url: '/api/v1/plans/import', headers: { ...service.auth.analyst, ...two.headers }, payload: two.payload })).statusCode).toBe(413);
    expect((await upload('plans', 'plans.geojson', geojson, { layer: 'zones' })).json().detail).toMatch(/^layer: unknown field/);
    expect((await upload('plans', 'plans.geojson', geojson, { mapping: '{}' })).json().detail).toMatch(/^mapping: only a DXF drawing takes a mapping/);
    expect(await service.db.knex('plans').where({ permit_no: 'F-1' })).toEqual([]);
  });
});
