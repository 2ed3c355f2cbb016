import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../test-support/tools.js';
import { readVectorLayer } from './vector-layer.js';

const hasGdal = requireTool('ogr2ogr');
let dir: string;

const square = (x: number, y: number, size: number) => [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]];
const plans = {
  type: 'FeatureCollection',
  crs: { type: 'name', properties: { name: 'EPSG:4549' } },
  features: [
    {
      type: 'Feature',
      properties: { 许可证: '建字第12号', 高度: 24.5, kind: 'new_building' },
      geometry: { type: 'MultiPolygon', coordinates: [[square(500000, 3350000, 100), square(500040, 3350040, 20)], [square(500200, 3350000, 30)]] },
    },
    { type: 'Feature', properties: { 许可证: '建字第13号', 高度: 9, kind: '现状建筑' }, geometry: { type: 'Polygon', coordinates: [square(500300, 3350000, 10)] } },
  ],
};

/** Writes `geojson` as a Shapefile with GDAL and returns its files by name. */
async function shapefile(name: string, geojson: unknown, encoding: 'GBK' | 'UTF-8'): Promise<Record<string, Uint8Array>> {
  const out = join(dir, name);
  await mkdir(out);
  await writeFile(join(out, 'in.geojson'), JSON.stringify(geojson));
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', `ENCODING=${encoding}`, join(out, `${name}.shp`), join(out, 'in.geojson')], { stdio: 'pipe' });
  const files: Record<string, Uint8Array> = {};
  for (const file of await readdir(out)) if (file.startsWith(`${name}.`)) files[file] = await readFile(join(out, file));
  return files;
}

async function zip(name: string, files: Record<string, Uint8Array>): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, zipSync(files));
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-shapefile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasGdal)('readVectorLayer on Shapefiles', () => {
  it('reads GBK attributes from a zipped Shapefile without a .cpg, in a folder inside the zip', async () => {
    const { 'gbk.cpg': cpg, ...files } = await shapefile('gbk', plans, 'GBK');
    expect(new TextDecoder().decode(cpg)).toBe('GBK');
    const inFolder = Object.fromEntries(Object.entries(files).map(([file, bytes]) => [`规划/${file}`, bytes]));
    const layer = await readVectorLayer(await zip('plans-gbk.zip', inFolder));
    expect(layer.format).toBe('shapefile');
    expect(layer.crs).toBe(4549);
    expect(layer.features.map((f) => f.properties)).toEqual([
      { 许可证: '建字第12号', 高度: 24.5, kind: 'new_building' },
      { 许可证: '建字第13号', 高度: 9, kind: '现状建筑' },
    ]);
    expect(layer.features.map((f) => f.row)).toEqual([1, 2]);
  });

  it('reads UTF-8 attributes named by the .cpg, and groups a multi-part polygon with its hole', async () => {
    const files = await shapefile('utf8', plans, 'UTF-8');
    expect(new TextDecoder().decode(files['utf8.cpg'])).toBe('UTF-8');
    const layer = await readVectorLayer(await zip('plans-utf8.zip', files));
    expect(layer.features[1].properties.kind).toBe('现状建筑');
    const [first] = layer.features;
    expect(first.polygons).toHaveLength(2);
    const withHole = first.polygons.find((polygon) => polygon.length === 2);
    expect(withHole?.[1]).toHaveLength(5);
    expect(withHole?.[1].every(([x, y]) => x >= 500040 && x <= 500060 && y >= 3350040 && y <= 3350060)).toBe(true);
  });

  it('reads a bare .shp with its sibling files', async () => {
    await shapefile('bare', plans, 'UTF-8');
    const layer = await readVectorLayer(join(dir, 'bare', 'bare.shp'));
    expect(layer).toMatchObject({ crs: 4549, format: 'shapefile' });
    expect(layer.features[0].properties['许可证']).toBe('建字第12号');
  });

  it('lets a given encoding win over a wrong .cpg', async () => {
    const files = await shapefile('wrong-cpg', plans, 'GBK');
    files['wrong-cpg.cpg'] = new TextEncoder().encode('UTF-8');
    const layer = await readVectorLayer(await zip('wrong-cpg.zip', files), { encoding: '936' });
    expect(layer.features[0].properties['许可证']).toBe('建字第12号');
  });

  it('rejects a point Shapefile with the row number', async () => {
    const points = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 1 }, geometry: { type: 'Point', coordinates: [120, 30] } }] };
    const path = await zip('points.zip', await shapefile('points', points, 'UTF-8'));
    await expect(readVectorLayer(path)).rejects.toThrow(`${path}: row 1: geometry is a Point, expected a polygon`);
  });

  it('rejects a zip without a .shp, listing what it holds', async () => {
    const path = await zip('no-shp.zip', { 'readme.txt': new TextEncoder().encode('plans'), 'plans.dbf': new Uint8Array(40) });
    await expect(readVectorLayer(path)).rejects.toThrow(`${path}: expected one Shapefile in the zip, found no .shp file (it holds: readme.txt, plans.dbf)`);
  });

  it('rejects a zip with two Shapefiles, naming both', async () => {
    const path = await zip('two.zip', { 'a.shp': new Uint8Array(100), 'b/b.shp': new Uint8Array(100) });
    await expect(readVectorLayer(path)).rejects.toThrow('found 2 .shp files (a.shp, b/b.shp)');
  });

  it('refuses GBK bytes under a .cpg that says UTF-8, naming the row and field and how they read in GBK', async () => {
    const ascii = { ...plans, features: plans.features.map((f, i) => ({ ...f, properties: { permit_no: i === 0 ? 'A-1' : '建字第13号' } })) };
    const files = await shapefile('lying-cpg', ascii, 'GBK');
    files['lying-cpg.cpg'] = new TextEncoder().encode('UTF-8');
    const path = await zip('lying-cpg.zip', files);
    await expect(readVectorLayer(path)).rejects.toMatchObject({
      kind: 'bad_input',
      message: `${path}: row 2: field "permit_no": the bytes are not UTF-8 text, as lying-cpg.cpg says`,
      hint: 'they read as GBK: "建字第13号"; pass --encoding gbk',
    });
  });
});
