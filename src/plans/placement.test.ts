import { describe, expect, it } from 'vitest';
import { checkPlacement } from './placement.js';
import type { VectorFeature } from './vector-layer.js';

const square = (x: number, y: number, size: number): VectorFeature => ({ row: 1, properties: {}, polygons: [[[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]] });
const fresh = { epsg: null, extent: null };
/** A project in EPSG:4549 holding a 1 km square at 120°E 30.26°N. */
const hangzhou = { epsg: 4549, extent: [500000, 3350000, 501000, 3351000] as [number, number, number, number] };

describe('checkPlacement', () => {
  it('proposes the local metric CRS on a fresh project: the file\'s own zone, the Gauss-Krüger zone of WGS84 in China, UTM elsewhere, never Web Mercator', () => {
    expect(checkPlacement([square(500100, 3350100, 10)], 4549, 'a.geojson', fresh, false)).toBe(4549);
    expect(checkPlacement([square(120.01, 30.27, 0.001)], 4326, 'a.geojson', fresh, false)).toBe(4549);
    expect(checkPlacement([square(-8.6, 41.1, 0.001)], 4326, 'porto.geojson', fresh, false)).toBe(32629);
    expect(checkPlacement([square(120.01, 30.27, 0.001)], 3857, 'a.geojson', fresh, false)).toBe(32631);
  });

  it('names the zone whose number leads the eastings when the file says the zone without it', () => {
    expect(() => checkPlacement([square(40500100, 3350100, 10)], 4549, 'prefixed.shp', hangzhou, false)).toThrow(
      expect.objectContaining({ hint: 'the coordinates look like EPSG:4528 metres, not EPSG:4549 as the file says: pass --crs EPSG:4528' }),
    );
  });

  it('says easting and northing look swapped in a projected file', () => {
    expect(() => checkPlacement([square(3350100, 500100, 10)], 4549, 'swapped.dxf', hangzhou, false)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^swapped.dxf: row 1: \(3350100, 500100\) lies outside the area of use of EPSG:4549 \(117°E–123°E, 16\.7°N–53\.56°N\)/), hint: 'x and y look swapped: put the easting first' }),
    );
  });

  it('refuses a layer 60 km from what the project holds unless asked, and takes one 40 km away', () => {
    expect(() => checkPlacement([square(500100, 3411000, 10)], 4549, 'far.geojson', hangzhou, false)).toThrow(
      'far.geojson: the layer lies 60.0 km from what the project holds: the layer x 500100…500110, y 3411000…3411010 in EPSG:4549 around 120.00°E 30.82°N, ' +
        'the project x 500000…501000, y 3350000…3351000 in EPSG:4549 around 120.01°E 30.27°N',
    );
    expect(checkPlacement([square(500100, 3411000, 10)], 4549, 'far.geojson', hangzhou, true)).toBe(4549);
    expect(checkPlacement([square(500100, 3391000, 10)], 4549, 'near.geojson', hangzhou, false)).toBe(4549);
  });
});
