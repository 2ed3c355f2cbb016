import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.js';
import { projectEpsg } from '../db/project-crs.js';
import { crsTransform } from '../geo/crs.js';
import { openTestDatabase, testBackends } from '../test-support/database.js';
import { writeDxf } from '../test-support/dxf.js';
import { requireTool } from '../test-support/tools.js';
import { importLayer } from './import.js';

const fixture = fileURLToPath(new URL('../../fixtures/scene/', import.meta.url));
const hasGdal = requireTool('ogr2ogr');
// WGS84 positions near 120°E 30°N, in the CGCS2000 3-degree zone of EPSG:4549
const lonLatSquare = (lon: number, lat: number, size = 0.0001) => [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]];
const collection = (features: object[]) => JSON.stringify({ type: 'FeatureCollection', features });
const feature = (properties: object, coordinates: unknown) => ({ type: 'Feature', properties, geometry: { type: 'Polygon', coordinates } });

interface FixtureFeature {
  properties: Record<string, unknown>;
  geometry: { coordinates: number[][][] };
}
/** The fixture plans with each position mapped by `move` (the properties of feature i by `change`), and a crs member if given. */
async function fixturePlans(move: (p: number[], i: number) => number[], crs?: string, change = (p: Record<string, unknown>, _i: number) => p): Promise<string> {
  const json = JSON.parse(await readFile(join(fixture, 'plans.geojson'), 'utf8'));
  json.features.forEach((f: FixtureFeature, i: number) => {
    f.geometry.coordinates = f.geometry.coordinates.map((ring) => ring.map((p) => move(p, i)));
    f.properties = change(f.properties, i);
  });
  if (crs) json.crs = { type: 'name', properties: { name: crs } };
  return JSON.stringify(json);
}
const toGaussKruger = crsTransform(4326, 4549);

describe.each(testBackends())('importing layers on the %s backend', (backend) => {
  let db: Database;
  let dir: string;
  const count = async (table: string) => (await db.knex(table).pluck('id')).length;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-import-'));
  });
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** What a refused import must leave as it was: the project CRS and every stored plan. */
  const snapshot = async () => ({
    epsg: await projectEpsg(db.knex),
    imports: await count('imports'),
    plans: await db.knex('plans').orderBy('permit_no').select('permit_no', 'kind', 'permitted_height_m', 'valid_from', 'valid_to', db.knex.raw('ST_AsText(geom) AS wkt')),
  });
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('on a fresh database, refuses projected metres in a GeoJSON without crs and swapped latitude and longitude, and sets no project CRS', async () => {
    const metres = await write('metres.geojson', await fixturePlans((p) => toGaussKruger(p as [number, number])));
    await expect(importLayer(db, 'plans', metres)).rejects.toMatchObject({
      kind: 'bad_input',
      message: expect.stringMatching(/^metres.geojson: row 1: \(49\d{4}\.\d, 33\d{5}\.\d\) lies outside the area of use of EPSG:4326 \(180°W–180°E, 90°S–90°N\); the file's extent is x 49\d{4}\.\d…49\d{4}\.\d, y 33\d{5}\.\d…33\d{5}\.\d in EPSG:4326$/),
      hint: 'the coordinates look like projected metres: pass --crs EPSG:NNNN, the CRS they are in',
    });
    const swapped = await write('swapped.geojson', await fixturePlans(([lon, lat]) => [lat, lon]));
    await expect(importLayer(db, 'plans', swapped)).rejects.toMatchObject({
      kind: 'bad_input',
      message: expect.stringMatching(/^swapped.geojson: row 1: \(30\.\d+, 119\.\d+\) lies outside the area of use of EPSG:4326/),
      hint: 'latitude and longitude look swapped: put longitude first, as GeoJSON and Shapefiles do',
    });
    expect(await snapshot()).toEqual({ epsg: null, imports: 0, plans: [] });
  });

  it('imports plans from GeoJSON into the project CRS, and the same file again changes nothing', async () => {
    const first = await importLayer(db, 'plans', join(fixture, 'plans.geojson'));
    expect(first).toMatchObject({ status: 'imported', features: 51, inserted: 51, updated: 0, projectEpsg: 4549, repairs: [] });
    const again = await importLayer(db, 'plans', join(fixture, 'plans.geojson'));
    expect(again).toMatchObject({ status: 'unchanged', features: 51, inserted: 0, updated: 0 });
    expect(await count('plans')).toBe(51);
    const plan = await db.knex('plans').where({ permit_no: '建字第330110201100002号' }).first(db.knex.raw('ST_Area(geom) AS area'), db.knex.raw('ST_SRID(geom) AS srid'), 'valid_from', 'permitted_height_m');
    expect(plan.srid).toBe(4549);
    expect(plan.area).toBeCloseTo(103.6, 0);
    expect(plan.permitted_height_m).toBe(14.2);
  });

  it.runIf(hasGdal)('imports plans from a GeoPackage QGIS or GDAL wrote, its CRS from the file: the same rows as the GeoJSON', async () => {
    const gpkg = join(dir, 'plans.gpkg');
    execFileSync('ogr2ogr', ['-f', 'GPKG', '-t_srs', 'EPSG:4549', '-nln', 'approved_plans', gpkg, join(fixture, 'plans.geojson')], { stdio: 'pipe' });
    expect(await importLayer(db, 'plans', gpkg)).toMatchObject({ status: 'unchanged', features: 51, inserted: 0, updated: 0 });
    await expect(importLayer(db, 'plans', gpkg, { layer: 'plans' })).rejects.toMatchObject({ kind: 'bad_input', message: `${gpkg}: has no feature table "plans" (it has: approved_plans)` });
  });

  it('refuses a layer whose CRS is not what its coordinates are in, naming its extent, the project\'s and the likely cause', async () => {
    const before = await snapshot();
    const mercator = await write('mercator.geojson', await fixturePlans((p) => toGaussKruger(p as [number, number]), 'EPSG:3857'));
    await expect(importLayer(db, 'plans', mercator)).rejects.toMatchObject({
      kind: 'bad_input',
      message: expect.stringMatching(
        /^mercator.geojson: row 1: \(49\d{4}\.\d, 33\d{5}\.\d\) \(4\.4\d°E 28\.\d\d°N\) lies outside the area of use of the project CRS EPSG:4549 \(117°E–123°E, 16\.7°N–53\.56°N\); the file's extent is x .* in EPSG:3857 around 4\.4\d°E 28\.\d\d°N, the project's x .* in EPSG:4549 around 119\.9\d°E 30\.2\d°N$/,
      ),
      hint: 'the coordinates look like EPSG:4549 metres, not EPSG:3857 as the file says: pass --crs EPSG:4549',
    });
    const metres = await write('metres.geojson', await fixturePlans((p) => toGaussKruger(p as [number, number])));
    await expect(importLayer(db, 'plans', metres)).rejects.toMatchObject({ hint: 'the coordinates look like EPSG:4549 metres: pass --crs EPSG:4549' });
    expect(await importLayer(db, 'plans', metres, { crs: 'EPSG:4549' })).toMatchObject({ status: 'unchanged' });
    const far = await write('far.geojson', await fixturePlans(([lon, lat]) => [lon, lat + 1]));
    await expect(importLayer(db, 'plans', far)).rejects.toMatchObject({
      message: expect.stringMatching(/^far.geojson: the layer lies 1\d\d\.\d km from what the project holds: the layer x .* in EPSG:4549 around 119\.9\d°E 31\.2\d°N, the project x .* around 119\.9\d°E 30\.2\d°N$/),
      hint: "check the file's CRS; if the layer really lies there, pass --allow-move",
    });
    expect(await snapshot()).toEqual(before);
  });

  it('decides "unchanged" by the stored rows: the right file after a wrong one puts the rows back, moves only when allowed', async () => {
    const original = await snapshot();
    const [lowered, moved] = [join(dir, 'lowered.geojson'), join(dir, 'moved.geojson')];
    await writeFile(lowered, await fixturePlans((p) => p, undefined, (p, i) => (i === 2 ? { ...p, permitted_height_m: 3 } : p)));
    expect(await importLayer(db, 'plans', lowered)).toMatchObject({ status: 'imported', inserted: 0, updated: 1 });
    expect(await importLayer(db, 'plans', join(fixture, 'plans.geojson'))).toMatchObject({ status: 'imported', inserted: 0, updated: 1 });
    expect(await snapshot()).toEqual({ ...original, imports: original.imports + 1 });

    // 0.05° of longitude is about 4.8 km at 30°N
    await writeFile(moved, await fixturePlans(([lon, lat], i) => (i === 4 ? [lon + 0.05, lat] : [lon, lat])));
    const key = JSON.parse(await readFile(moved, 'utf8')).features[4].properties.permit_no;
    await expect(importLayer(db, 'plans', moved)).rejects.toMatchObject({
      kind: 'bad_input',
      message: expect.stringMatching(new RegExp(`^moved.geojson: row 5 \\(permit_no ${key}\\) would move more than 1 km from where it is stored \\(row 5 by 4\\.\\d km\\)$`)),
      hint: "check the file's CRS; if this file corrects the stored outlines, pass --allow-move",
    });
    expect(await snapshot()).toEqual({ ...original, imports: original.imports + 1 });
    expect(await importLayer(db, 'plans', moved, { allowMove: true })).toMatchObject({ status: 'imported', updated: 1 });
    await expect(importLayer(db, 'plans', join(fixture, 'plans.geojson'))).rejects.toThrow(/row 5 .* would move more than 1 km/);
    expect(await importLayer(db, 'plans', join(fixture, 'plans.geojson'), { allowMove: true })).toMatchObject({ status: 'imported', updated: 1 });
    expect(await importLayer(db, 'plans', join(fixture, 'plans.geojson'))).toMatchObject({ status: 'unchanged' });
    expect(await snapshot()).toEqual({ ...original, imports: original.imports + 2 });
  });

  it('refuses implausible values with the row and attribute, and stores nothing', async () => {
    const before = await snapshot();
    const plan = (properties: object) => collection([feature({ permit_no: 'V-1' }, [lonLatSquare(120.03, 30.03)]), feature({ permit_no: 'V-2', ...properties }, [lonLatSquare(120.04, 30.03)])]);
    const path = join(dir, 'values.geojson');
    const refusals: [object, string][] = [
      [{ kind: 'castle' }, 'values.geojson: row 2: "kind" = "castle" is not one of new_building, existing_building, extension, additional_floors'],
      [{ permitted_height_m: -5 }, 'values.geojson: row 2: "permitted_height_m" = -5 is out of range (1 to 1000 m)'],
      [{ 层数: 0 }, 'values.geojson: row 2: "层数" = 0 is out of range (1 to 200)'],
      [{ valid_from: '2024-05-01', valid_to: '2023-05-01' }, 'values.geojson: row 2: "valid_to" = 2023-05-01 is before "valid_from" = 2024-05-01'],
    ];
    for (const [properties, message] of refusals) {
      await writeFile(path, plan(properties));
      await expect(importLayer(db, 'plans', path)).rejects.toMatchObject({ kind: 'bad_input', message });
    }
    const zones = join(dir, 'zones-bad.geojson');
    await writeFile(zones, collection([feature({ zone_id: 'Z-1', kind: 'priority', priority: -3 }, [lonLatSquare(120.05, 30.05)])]));
    await expect(importLayer(db, 'zones', zones)).rejects.toMatchObject({ message: 'zones-bad.geojson: row 1: "priority" = -3 is out of range (0 to 100)' });
    await writeFile(zones, collection([feature({ zone_id: 'Z-1', kind: 'priority', max_outside_share: 1.5 }, [lonLatSquare(120.05, 30.05)])]));
    await expect(importLayer(db, 'zones', zones)).rejects.toMatchObject({ message: 'zones-bad.geojson: row 1: "max_outside_share" = 1.5 is out of range (0 to 1)' });
    expect(await snapshot()).toEqual(before);
    expect(await count('zones')).toBe(0);
  });

  it('reports each repaired geometry with its row and keeps the rest of the file', async () => {
    const bowTie = [[120.01, 30.01], [120.0101, 30.0101], [120.0101, 30.01], [120.01, 30.0101], [120.01, 30.01]];
    const path = join(dir, 'repair.geojson');
    await writeFile(path, collection([feature({ permit_no: 'R-1', permitted_height_m: 9 }, [lonLatSquare(120.02, 30.02)]), feature({ permit_no: 'R-2' }, [bowTie])]));
    const report = await importLayer(db, 'plans', path);
    expect(report.inserted).toBe(2);
    expect(report.repairs).toHaveLength(1);
    expect(report.repairs[0]).toMatchObject({ row: 2, key: 'R-2' });
    expect(report.repairs[0].reason).toMatch(/Self-intersection/i);
    const repaired = await db.knex('plans').where({ permit_no: 'R-2' }).first(db.knex.raw('ST_IsValid(geom) AS valid'), db.knex.raw('ST_NumGeometries(geom) AS parts'));
    expect(repaired).toEqual({ valid: true, parts: 2 });
  });

  it('rejects a file with a bad row whole, naming the row and what is wrong', async () => {
    const before = await count('plans');
    const path = join(dir, 'bad.geojson');
    await writeFile(path, collection([feature({ permit_no: 'B-1' }, [lonLatSquare(120.03, 30.03)]), feature({ permit_no: 'B-2', valid_from: '2024-02-30' }, [lonLatSquare(120.04, 30.03)])]));
    await expect(importLayer(db, 'plans', path)).rejects.toThrow('bad.geojson: row 2: "valid_from" = "2024-02-30" is not a date (use YYYY-MM-DD)');
    await writeFile(path, collection([feature({ permit_no: 'B-1' }, [lonLatSquare(120.03, 30.03)]), feature({ kind: 'new_building' }, [lonLatSquare(120.04, 30.03)])]));
    await expect(importLayer(db, 'plans', path)).rejects.toThrow(/bad.geojson: row 2: the attribute "permit_no" is missing/);
    await writeFile(path, collection([feature({ permit_no: 'B-1' }, [lonLatSquare(120.03, 30.03)]), feature({ permit_no: 'B-1' }, [lonLatSquare(120.04, 30.03)])]));
    await expect(importLayer(db, 'plans', path)).rejects.toThrow('bad.geojson: row 2: permit_no "B-1" is used again (first in row 1)');
    const point = [[120.03, 30.04], [120.03, 30.04], [120.03, 30.04], [120.03, 30.04]];
    await writeFile(path, collection([feature({ permit_no: 'B-1' }, [lonLatSquare(120.03, 30.03)]), feature({ permit_no: 'B-2' }, [point])]));
    await expect(importLayer(db, 'plans', path)).rejects.toThrow('bad.geojson: row 2 (permit_no B-2): the polygon has no area, even after repair');
    expect(await count('plans')).toBe(before);
  });

  it('imports zones with their per-zone thresholds and grids with Chinese attributes', async () => {
    const zones = join(dir, 'zones.geojson');
    await writeFile(zones, collection([feature({ zone_id: 'Z1', kind: 'historic', 名称: '老街', 备注: '石板路', priority: 1.5, min_area_m2: 2, height_tol: 0.3 }, [lonLatSquare(120.05, 30.05)])]));
    await importLayer(db, 'zones', zones);
    const zone = await db.knex('zones').where({ zone_id: 'Z1' }).first('kind', 'name', 'priority', 'thresholds', 'properties');
    expect(zone).toEqual({ kind: 'historic', name: '老街', priority: 1.5, thresholds: { min_area_m2: 2, height_tolerance_m: 0.3 }, properties: { 备注: '石板路' } });
    await importLayer(db, 'grids', join(fixture, 'grids.geojson'));
    expect(await db.knex('grids').orderBy('grid_id').first('grid_id', 'street', 'officer')).toMatchObject({ grid_id: 'WG-01-01' });
  });

  it('imports plans from a DXF drawing with an attribute mapping and a CRS', async () => {
    const square = (x: number, y: number, size: number): [number, number][] => [[x, y], [x + size, y], [x + size, y + size], [x, y + size]];
    const path = join(dir, 'plan.dxf');
    await writeFile(path, writeDxf({
      layers: ['规划用地'],
      polylines: [{ layer: '规划用地', points: square(500600, 3320600, 20) }, { layer: '规划用地', points: square(500700, 3320600, 10) }],
      labels: [{ layer: '规划用地', at: [500605, 3320610], text: '建字第7号 限高12m' }, { layer: '规划用地', at: [500705, 3320605], text: '建字第8号 限高9m' }],
    }));
    const mapping = { crs: 'EPSG:4549', layers: { 规划用地: { kind: 'new_building' } }, text: [{ field: 'permit_no', pattern: '建字第\\d+号' }, { field: 'permitted_height_m', pattern: '限高\\s*([\\d.]+)\\s*m', number: true }] };
    const report = await importLayer(db, 'plans', path, { dxfMapping: mapping });
    expect(report).toMatchObject({ status: 'imported', inserted: 2 });
    const rows = await db.knex('plans').whereIn('permit_no', ['建字第7号', '建字第8号']).orderBy('permit_no').select('permit_no', 'permitted_height_m', db.knex.raw('round(ST_Area(geom)) AS area'));
    expect(rows.map((r) => [r.permit_no, r.permitted_height_m, Number(r.area)])).toEqual([['建字第7号', 12, 400], ['建字第8号', 9, 100]]);

    // cut before the second label: read as it stands, 建字第8号 would lose its height limit
    const whole = await readFile(path, 'utf8');
    await writeFile(path, whole.slice(0, whole.indexOf('建字第8号')));
    const before = await snapshot();
    await expect(importLayer(db, 'plans', path, { dxfMapping: mapping })).rejects.toMatchObject({ kind: 'bad_input', message: expect.stringMatching(/plan.dxf: the drawing ends at line \d+ but section ENTITIES has no ENDSEC and there is no EOF: the file is cut short$/) });
    expect(await snapshot()).toEqual(before);
  });

  it.skipIf(!hasGdal)('imports grids from a zipped GBK Shapefile without a .cpg', async () => {
    const source = join(dir, 'grids-in.geojson');
    await writeFile(source, collection([feature({ grid_id: 'WG-09', street: '五常街道', community: '洪园村', officer: '王芳' }, [lonLatSquare(120.06, 30.06, 0.001)])]));
    const shp = join(dir, 'shp');
    await mkdir(shp);
    execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=GBK', '-t_srs', 'EPSG:4549', join(shp, 'grids.shp'), source], { stdio: 'pipe' });
    const files = Object.fromEntries(
      await Promise.all((await readdir(shp)).filter((f) => !f.endsWith('.cpg')).map(async (f) => [f, new Uint8Array(await readFile(join(shp, f)))] as const)),
    );
    const zip = join(dir, 'grids.zip');
    await writeFile(zip, zipSync(files));
    expect(await importLayer(db, 'grids', zip)).toMatchObject({ status: 'imported', inserted: 1 });
    expect(await db.knex('grids').where({ grid_id: 'WG-09' }).first('street', 'community', 'officer')).toEqual({ street: '五常街道', community: '洪园村', officer: '王芳' });
  });
});
