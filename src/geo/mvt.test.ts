import { describe, expect, it } from 'vitest';
import { decodeVectorTile as decodeTile, ringArea as area } from '../test-support/vector-tile.js';
import { encodeVectorTile, type TileFeature, type TilePosition } from './mvt.js';

const square = (x0: number, y0: number, x1: number, y1: number): TilePosition[] => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];

describe('encodeVectorTile', () => {
  it('writes the geometry commands of the specification\'s examples', () => {
    const [layer] = decodeTile(encodeVectorTile([{ name: 'spec', features: [
      { geometry: { type: 'Point', coordinates: [25, 17] }, properties: {} },
      // the specification's polygon example, already clockwise on screen
      { geometry: { type: 'Polygon', coordinates: [[[3, 6], [8, 12], [20, 34], [3, 6]]] }, properties: {} },
    ] }]));
    expect(layer).toMatchObject({ name: 'spec', extent: 4096, version: 2 });
    expect(layer.features.map((f) => [f.type, f.commands])).toEqual([[1, [9, 50, 34]], [3, [9, 6, 12, 18, 10, 12, 24, 44, 15]]]);
  });

  it('orients exterior rings clockwise and holes counter-clockwise on screen, whichever way they come in', () => {
    // square() runs clockwise on screen: exteriors given the other way round, the hole this way
    const outer = square(10, 10, 100, 100).reverse();
    const hole = square(40, 40, 60, 60);
    const second = square(200, 200, 300, 300).reverse();
    const [layer] = decodeTile(encodeVectorTile([{ name: 'p', features: [{ geometry: { type: 'MultiPolygon', coordinates: [[outer, hole], [second]] }, properties: {} }] }]));
    const rings = layer.features[0].parts;
    expect(rings.map(area).map(Math.sign)).toEqual([1, -1, 1]);
    expect(rings.map((ring) => Math.abs(area(ring)) / 2)).toEqual([8100, 400, 10000]);
    expect(rings[2]).toEqual(expect.arrayContaining([[200, 200], [300, 300]]));
  });

  it('keeps positions outside the tile, in its buffer, and rounds to whole tile units', () => {
    const [layer] = decodeTile(encodeVectorTile([{ name: 'p', features: [
      { geometry: { type: 'Polygon', coordinates: [square(-64, -64.4, 4160.2, 20)] }, properties: {} },
      { geometry: { type: 'MultiPoint', coordinates: [[-3, 4100], [5.6, 6]] }, properties: {} },
    ] }]));
    expect(layer.features[0].parts[0]).toEqual(expect.arrayContaining([[-64, -64], [4160, 20]]));
    expect(layer.features[1].parts).toEqual([[[-3, 4100], [6, 6]]]);
  });

  it('leaves out rings with no area, the holes of a polygon whose exterior collapsed, and features and layers left empty', () => {
    const flat: TilePosition[] = [[0, 0], [10, 0], [20, 0], [0, 0]];
    const tiny: TilePosition[] = [[5, 5], [5.2, 5.1], [5.4, 5.3], [5, 5]];
    const features: TileFeature[] = [
      { id: 1, geometry: { type: 'MultiPolygon', coordinates: [[flat, square(1, 1, 2, 2)], [square(0, 0, 8, 8), tiny]] }, properties: {} },
      { id: 2, geometry: { type: 'Polygon', coordinates: [tiny] }, properties: {} },
    ];
    const [layer, ...others] = decodeTile(encodeVectorTile([{ name: 'kept', features }, { name: 'gone', features: [features[1]] }]));
    expect(others).toEqual([]);
    expect(layer.features.map((f) => f.id)).toEqual([1]);
    expect(layer.features[0].parts).toHaveLength(1);
    expect(encodeVectorTile([{ name: 'gone', features: [features[1]] }, { name: 'none', features: [] }])).toHaveLength(0);
  });

  it('stores each key and value once per layer, keeps types apart and leaves out nulls', () => {
    const point = { type: 'Point' as const, coordinates: [1, 1] as TilePosition };
    const [layer] = decodeTile(encodeVectorTile([{ name: 'cases', features: [
      { id: 7, geometry: point, properties: { state: 'detected', priority: 42, overdue: true, grid_id: null } },
      { id: 8, geometry: point, properties: { state: 'detected', priority: 42, overdue: false, grid_id: 'WG-01' } },
      { id: 2 ** 40 + 3, geometry: point, properties: { state: '42', priority: -5, ratio: 0.25, name: '老街' } },
    ] }]));
    expect(layer.keys).toEqual(['state', 'priority', 'overdue', 'grid_id', 'ratio', 'name']);
    expect(layer.values).toEqual(['detected', 42, true, false, 'WG-01', '42', -5, 0.25, '老街']);
    expect(layer.features.map((f) => f.id)).toEqual([7, 8, 2 ** 40 + 3]);
    expect(layer.features[0].properties).toEqual({ state: 'detected', priority: 42, overdue: true });
    expect(layer.features[2].properties).toEqual({ state: '42', priority: -5, ratio: 0.25, name: '老街' });
  });

  it('writes layers of any length (lengths of one, two and three bytes)', () => {
    for (const count of [1, 20, 3000]) {
      const features: TileFeature[] = Array.from({ length: count }, (_, i) => ({ id: i, geometry: { type: 'Polygon', coordinates: [square(i % 4000, 0, (i % 4000) + 3, 3 + i)] }, properties: { n: i } }));
      const [layer] = decodeTile(encodeVectorTile([{ name: 'many', features }, { name: 'after', features: [features[0]] }]));
      expect(layer.features).toHaveLength(count);
      expect(layer.features[count - 1].properties).toEqual({ n: count - 1 });
      expect(Math.abs(area(layer.features[count - 1].parts[0])) / 2).toBe(3 * (2 + count));
    }
  });
});

