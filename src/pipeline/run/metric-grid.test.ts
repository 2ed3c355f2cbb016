import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crsDefinition, crsTransform } from '../../geo/crs.js';
import type { GeoTransform } from '../../geo/geotransform.js';
import { memorySource } from '../../raster/memory-source.js';
import type { RasterSource } from '../../raster/types.js';
import { defaultThresholds } from '../thresholds.js';
import { runDetect } from './run-detect.js';

const size = 400;
const gsd = 0.2;

/** A north-up raster's georeferencing: in its metric zone, or the same ground in Web Mercator. */
interface Placement {
  epsg: number;
  geoTransform: GeoTransform;
}

/** The scene in `zone` at 41°N, its top-left corner on `longitude`, and the same ground in EPSG:3857 (its corners transformed). */
function placements(longitude: number, zone: number): { inZone: Placement; inMercator: Placement } {
  const [x0, y0] = crsTransform(4326, zone)([longitude, 41]).map((v) => Math.round(v));
  const toMercator = crsTransform(zone, 3857);
  const [left, top] = toMercator([x0, y0]);
  const [right, bottom] = toMercator([x0 + size * gsd, y0 - size * gsd]);
  return {
    inZone: { epsg: zone, geoTransform: [x0, gsd, 0, y0, 0, -gsd] },
    inMercator: { epsg: 3857, geoTransform: [left, (right - left) / size, 0, top, 0, (bottom - top) / size] },
  };
}

/**
 * A DSM of gently rolling ground near 50 m, plus a building 5 m x 4 m when `building`; the same
 * pixels wherever placed. The building is 4 m high, twice the height threshold: a raster off the
 * grid is read bilinearly, and only then does the blur of its edges neither add area nor take it.
 */
function dsm(name: string, placement: Placement, shift: number, building: boolean): RasterSource {
  const data = new Float32Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const inside = building && col >= 200 && col < 225 && row >= 100 && row < 120;
      data[row * size + col] = 50 + shift + 0.5 * Math.sin(col / 40) * Math.cos(row / 55) + (inside ? 4 : 0);
    }
  }
  const info = { width: size, height: size, bandCount: 1, sampleType: 'float32' as const, epsg: placement.epsg, proj4: crsDefinition(placement.epsg), geoTransform: placement.geoTransform, nodata: -9999 };
  return memorySource(info, { width: size, height: size, bandCount: 1, data }, name);
}

/** The grid CRS and the one candidate's area of a whole DSM-only run on the scene placed so. */
async function detect(placement: Placement, out: string): Promise<{ crs: unknown; areaM2: number }> {
  const sources = { beforeDsm: dsm('before/dsm', placement, 0, false), afterDsm: dsm('after/dsm', placement, 0.3, true) };
  const quiet = () => ({ tick() {}, done() {} });
  const summary = await runDetect({ out, model: 'zhiwei-cd-v1', thresholds: defaultThresholds }, sources, quiet);
  expect(summary.candidates).toBe(1);
  const collection = JSON.parse(await readFile(join(out, 'candidates.geojson'), 'utf8')) as { features: { properties: { area_m2: number } }[] };
  return { crs: (summary.grid as { crs: unknown }).crs, areaM2: collection.features[0].properties.area_m2 };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-metric-grid-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a scene in Web Mercator', () => {
  // At 41°N a Mercator unit is 0.75 m on the ground: a grid in Mercator units made every area 1.75 times too large.
  it.each([
    // 1.2° and 1.5° off the central meridian, where the zone's grid is turned 0.8° and 1° from Mercator's
    ['in China, on the Gauss-Krüger zone CM 117E', 118.2, 4548],
    ['outside China, on UTM zone 29N', -7.5, 32629],
  ])('at 41°N %s, is measured as the same scene given in that zone', async (_where, longitude, zone) => {
    const { inZone, inMercator } = placements(longitude, zone);
    const metric = await detect(inZone, join(dir, `${zone}`));
    const mercator = await detect(inMercator, join(dir, `${zone}-3857`));
    expect(metric.crs).toBe(`EPSG:${zone}`);
    expect(mercator.crs).toBe(`EPSG:${zone}`);
    expect(metric.areaM2).toBeGreaterThan(20 * 0.9);
    expect(metric.areaM2).toBeLessThan(20 * 1.1);
    expect(Math.abs(mercator.areaM2 / metric.areaM2 - 1)).toBeLessThan(0.02);
  });
});
