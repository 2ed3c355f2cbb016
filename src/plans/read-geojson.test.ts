import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError, NotFoundError } from '../errors.js';
import { readVectorLayer } from './vector-layer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-geojson-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const square = (x: number, y: number, size: number) => [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]];
const feature = (geometry: unknown, properties: Record<string, unknown> = {}) => ({ type: 'Feature', properties, geometry });

async function write(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('readVectorLayer on GeoJSON', () => {
  it('reads RFC 7946 GeoJSON as WGS84 with 1-based feature numbers', async () => {
    const path = await write('plans.geojson', {
      type: 'FeatureCollection',
      crs_source: 'EPSG:4549',
      features: [feature({ type: 'Polygon', coordinates: square(120, 30, 0.001) }, { permit_no: '建字第12号' })],
    });
    const layer = await readVectorLayer(path);
    expect(layer).toMatchObject({ file: path, format: 'geojson', crs: 4326 });
    expect(layer.features).toEqual([{ row: 1, properties: { permit_no: '建字第12号' }, polygons: [square(120, 30, 0.001)] }]);
  });

  it('takes the CRS from an old-style crs member, as GDAL writes for projected data', async () => {
    for (const name of ['EPSG:4549', 'urn:ogc:def:crs:EPSG::4549']) {
      const path = await write('projected.json', {
        type: 'FeatureCollection',
        crs: { type: 'name', properties: { name } },
        features: [feature({ type: 'Polygon', coordinates: square(500000, 3350000, 10) })],
      });
      expect((await readVectorLayer(path)).crs).toBe(4549);
    }
  });

  it('lets the caller override the CRS, normalising "EPSG:n" to the number', async () => {
    const path = await write('override.geojson', { type: 'FeatureCollection', features: [feature({ type: 'Polygon', coordinates: square(0, 0, 1) })] });
    expect((await readVectorLayer(path, { crs: 'EPSG:4549' })).crs).toBe(4549);
  });

  it('keeps every part of a MultiPolygon, holes included', async () => {
    const withHole = [...square(0, 0, 10), ...square(2, 2, 2)];
    const path = await write('multi.geojson', {
      type: 'FeatureCollection',
      features: [feature({ type: 'MultiPolygon', coordinates: [withHole, square(20, 0, 5)] }, { kind: 'new_building' })],
    });
    const [only] = (await readVectorLayer(path)).features;
    expect(only.polygons).toHaveLength(2);
    expect(only.polygons[0]).toHaveLength(2);
  });

  it('rejects a Point feature with its feature number', async () => {
    const path = await write('points.geojson', {
      type: 'FeatureCollection',
      features: [feature({ type: 'Polygon', coordinates: square(0, 0, 1) }), feature({ type: 'Point', coordinates: [1, 2] })],
    });
    await expect(readVectorLayer(path)).rejects.toThrow(`${path}: feature 2: geometry is a Point, expected a polygon`);
  });

  it('rejects a feature without geometry as empty', async () => {
    const path = await write('empty.geojson', { type: 'FeatureCollection', features: [feature(null)] });
    await expect(readVectorLayer(path)).rejects.toThrow('feature 1: geometry is empty, expected a polygon');
  });

  it('rejects broken JSON naming the file', async () => {
    const path = await write('broken.geojson', '{"type": "FeatureCollection", "features": [');
    const error = await readVectorLayer(path).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as Error).message).toContain(`${path}: not readable as JSON`);
  });

  it('rejects a crs member it cannot understand, and an EPSG code zhiwei does not know', async () => {
    const odd = await write('odd-crs.geojson', { type: 'FeatureCollection', crs: { type: 'link', properties: {} }, features: [] });
    await expect(readVectorLayer(odd)).rejects.toThrow(/odd-crs.geojson: crs member .* is not understood/);
    const unknown = await write('xian80.geojson', { type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'EPSG:2383' } }, features: [] });
    await expect(readVectorLayer(unknown)).rejects.toThrow(/xian80.geojson: unknown CRS EPSG:2383/);
  });

  it('says which file is missing, and which extensions it reads', async () => {
    await expect(readVectorLayer(join(dir, 'nowhere.geojson'))).rejects.toThrow(NotFoundError);
    const kml = await write('plans.kml', '');
    await expect(readVectorLayer(kml)).rejects.toThrow(/plans.kml: cannot read ".kml" files/);
    const gpkg = await write('plans.gpkg', 'not SQLite');
    await expect(readVectorLayer(gpkg)).rejects.toThrow(/plans.gpkg: not a GeoPackage/);
  });
});
