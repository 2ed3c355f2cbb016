import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../test-support/tools.js';
import { readGeoPackage, writeGeoPackage, type GeoPackageLayer } from './geopackage.js';

const hasGdal = requireTool('ogrinfo');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-gpkg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const square = (x: number, y: number, size: number): [number, number][] => [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]];
const layers: GeoPackageLayer[] = [
  {
    name: 'suspects',
    epsg: 4549,
    features: [
      { properties: { id: 'S1', violation: '无证建设', area_m2: 96, floors: 2, zones: ['Z-01'], permit_no: null }, polygons: [[square(496_700, 3_349_800, 10), square(496_702, 3_349_802, 2)]] },
      { properties: { id: 'S2', violation: '超出许可高度', area_m2: 20.25, floors: 1, zones: [], permit_no: '建字第1号' }, polygons: [[square(496_750, 3_349_850, 4.5)], [square(496_760, 3_349_850, 2)]] },
    ],
  },
  { name: 'candidates', epsg: 4549, features: [] },
];

describe('GeoPackage', () => {
  it('reads back what it writes: tables, CRS, attributes and polygons with holes', async () => {
    const path = join(dir, 'results.gpkg');
    await writeGeoPackage(path, layers);
    const tables = await readGeoPackage(path);
    expect(tables.map((t) => t.name)).toEqual(['candidates', 'suspects']);
    const suspects = tables[1];
    expect(suspects.srs).toEqual({ organization: 'EPSG', code: 4549, definition: 'undefined' });
    expect(suspects.features[0]).toEqual({ row: 1, properties: { id: 'S1', violation: '无证建设', area_m2: 96, floors: 2, zones: '["Z-01"]', permit_no: null }, polygons: layers[0].features[0].polygons });
    expect(suspects.features[1].polygons).toHaveLength(2);
    expect(suspects.features[1].properties.area_m2).toBe(20.25);
  });

  it('refuses a file that is not a GeoPackage', async () => {
    const path = join(dir, 'not.gpkg');
    await writeFile(path, 'plain text');
    await expect(readGeoPackage(path)).rejects.toThrow(/^not a GeoPackage/);
  });

  it.runIf(hasGdal)('opens in GDAL with its layers, their CRS, fields and geometries', async () => {
    const path = join(dir, 'gdal.gpkg');
    await writeGeoPackage(path, layers);
    const summary = execFileSync('ogrinfo', ['-so', '-al', path], { encoding: 'utf8' });
    expect(summary.match(/^Layer name: .*$/gm)?.sort()).toEqual(['Layer name: candidates', 'Layer name: suspects']);
    expect(summary).toMatch(/Geometry: Multi Polygon[\s\S]*Feature Count: 2[\s\S]*ID\["EPSG",4549\]\]\s*Data axis/);
    // GDAL 3.6's ogrinfo has no -json: the features as GDAL reads them, through its GeoJSON driver
    const suspects = JSON.parse(execFileSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', path, 'suspects'], { encoding: 'utf8' }));
    expect(suspects.features.map((f: { properties: object }) => f.properties)).toEqual([
      // GDAL's GeoJSON writer turns text holding a JSON array back into an array
      { id: 'S1', violation: '无证建设', area_m2: 96, floors: 2, zones: ['Z-01'], permit_no: null },
      { id: 'S2', violation: '超出许可高度', area_m2: 20.25, floors: 1, zones: [], permit_no: '建字第1号' },
    ]);
    expect(suspects.features[0].geometry.coordinates[0]).toEqual(layers[0].features[0].polygons[0]);
    // a file GDAL writes reads back too
    const copy = join(dir, 'copy.gpkg');
    execFileSync('ogr2ogr', ['-f', 'GPKG', copy, path, 'suspects']);
    const [read] = await readGeoPackage(copy);
    expect(read.features.map((f) => f.properties.violation)).toEqual(['无证建设', '超出许可高度']);
    expect((await readFile(copy)).subarray(0, 15).toString()).toBe('SQLite format 3');
  });
});
