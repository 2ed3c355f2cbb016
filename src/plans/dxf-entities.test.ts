import { describe, expect, it } from 'vitest';
import { labelsOf, polylinesOf } from './dxf-entities.js';
import type { DxfEntity } from './dxf-parse.js';

/** An entity from [code, value] pairs. */
function entity(type: string, line: number, pairs: [number, string | number][]): DxfEntity {
  return { type, line, pairs: pairs.map(([code, value], i) => ({ code, value: String(value), line: line + 2 * (i + 1) })) };
}

const vertex = (x: number, y: number, extra: [number, number][] = []) => entity('VERTEX', 0, [[8, 'A'], [10, x], [20, y], ...extra]);

describe('DXF polylines', () => {
  it('reads an old-style POLYLINE with its VERTEX entities up to SEQEND', () => {
    const entities = [
      entity('POLYLINE', 10, [[8, 'A'], [66, 1], [70, 1]]),
      vertex(0, 0),
      vertex(10, 0),
      vertex(10, 10),
      entity('SEQEND', 40, [[8, 'A']]),
      entity('LWPOLYLINE', 50, [[8, 'B'], [90, 2], [70, 0], [10, 0], [20, 0], [10, 5], [20, 5]]),
    ];
    expect(polylinesOf(entities)).toEqual([
      { layer: 'A', line: 10, closed: true, points: [[0, 0], [10, 0], [10, 10]] },
      { layer: 'B', line: 50, closed: false, points: [[0, 0], [5, 5]] },
    ]);
  });

  it('leaves out polyface meshes', () => {
    const mesh = [entity('POLYLINE', 1, [[8, 'A'], [70, 64]]), vertex(0, 0), vertex(1, 0), vertex(1, 1), entity('SEQEND', 9, [])];
    expect(polylinesOf(mesh)).toEqual([]);
  });

  it('counts a polyline whose last vertex repeats the first as closed', () => {
    const [polyline] = polylinesOf([entity('LWPOLYLINE', 1, [[8, 'A'], [70, 0], [10, 0], [20, 0], [10, 4], [20, 0], [10, 0], [20, 3], [10, 0], [20, 0]])]);
    expect(polyline.closed).toBe(true);
    expect(polyline.points).toEqual([[0, 0], [4, 0], [0, 3]]);
  });

  it('turns a bulge of 1 into a counter-clockwise half circle', () => {
    const [polyline] = polylinesOf([entity('LWPOLYLINE', 1, [[8, 'A'], [70, 1], [10, 0], [20, 0], [42, 1], [10, 10], [20, 0]])]);
    const arc = polyline.points.slice(1, -1);
    expect(arc.length).toBeGreaterThan(10);
    for (const [x, y] of arc) {
      expect(Math.hypot(x - 5, y)).toBeCloseTo(5, 9);
      expect(y).toBeLessThan(0); // counter-clockwise from (0,0) to (10,0) passes below the chord
    }
  });

  it('mirrors the x coordinates of an entity whose extrusion points down', () => {
    const [polyline] = polylinesOf([entity('LWPOLYLINE', 1, [[8, 'A'], [70, 1], [10, 1], [20, 0], [10, 2], [20, 0], [10, 2], [20, 1], [230, -1]])]);
    expect(polyline.points).toEqual([[-1, 0], [-2, 0], [-2, 1]]);
  });
});

describe('DXF labels', () => {
  it('joins MTEXT chunks and strips formatting; TEXT keeps its plain value', () => {
    const labels = labelsOf([
      entity('MTEXT', 1, [[8, 'T'], [10, 1], [20, 2], [3, '{\\fSimSun;建字'], [1, '第12号}']]),
      entity('TEXT', 20, [[8, 'T'], [10, 3], [20, 4], [1, '限高%%p24m']]),
    ]);
    expect(labels).toEqual([
      { layer: 'T', line: 1, point: [1, 2], text: '建字第12号' },
      { layer: 'T', line: 20, point: [3, 4], text: '限高±24m' },
    ]);
  });
});
