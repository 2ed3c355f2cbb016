import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleCaseRecords } from '../test-support/case-records.js';
import { requireTool } from '../test-support/tools.js';
import { renderGeoJson } from './geojson.js';

type Collection = { type: string; crs?: { properties: { name: string } }; features: { id: number; properties: Record<string, unknown>; geometry: { type: string; coordinates: number[][][][] } }[] };

describe('GeoJSON export', () => {
  it('writes an RFC 7946 FeatureCollection in WGS84 with closed rings and the case fields', () => {
    const collection: Collection = JSON.parse(renderGeoJson(sampleCaseRecords()));
    expect(collection.type).toBe('FeatureCollection');
    expect(collection.crs).toBeUndefined();
    expect(collection.features.map((f) => f.id)).toEqual([1, 2, 3]);
    for (const { geometry } of collection.features) {
      expect(geometry.type).toBe('MultiPolygon');
      for (const ring of geometry.coordinates.flat()) {
        expect(ring.length).toBeGreaterThanOrEqual(4);
        expect(ring.at(-1)).toEqual(ring[0]);
        for (const [lon, lat] of ring) {
          expect(lon).toBeGreaterThan(119.9);
          expect(lon).toBeLessThan(120.1);
          expect(lat).toBeGreaterThan(30.2);
          expect(lat).toBeLessThan(30.3);
        }
      }
    }
    expect(collection.features[1].properties).toMatchObject({
      state: 'verified_illegal', violation: 'exceeds_permitted_height', change_kind: 'rooftop_addition', grid_id: '西湖-01', zones: ['历史街区', 'main road'],
      permit_no: 'P-2024,"A"', area_m2: 384, height_change_m: -3.5, height_after_m: null, detected_at: '2024-10-02T03:04:05Z',
    });
  });

  it('writes project-CRS coordinates with a crs member naming the EPSG code on request', () => {
    const collection: Collection = JSON.parse(renderGeoJson(sampleCaseRecords(), { crs: 'source' }));
    expect(collection.crs?.properties.name).toBe('urn:ogc:def:crs:EPSG::4549');
    const [x, y] = collection.features[0].geometry.coordinates[0][0][0];
    expect([x, y]).toEqual([500000, 3350000]);
  });

  it.runIf(requireTool('ogrinfo'))('is read by GDAL in the project CRS, easting first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhiwei-geojson-'));
    try {
      const path = join(dir, 'cases.geojson');
      await writeFile(path, renderGeoJson(sampleCaseRecords(), { crs: 'source' }));
      const info = execFileSync('ogrinfo', ['-so', '-al', path], { encoding: 'utf8' });
      expect(info).toContain('Feature Count: 3');
      expect(info).toMatch(/ID\["EPSG",4549\]/);
      expect(info).toMatch(/Extent: \(500000\.0+, 3350000\.0+\) - \(500120\.0+, 3350105\.0+\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
