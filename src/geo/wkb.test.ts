import { describe, expect, it } from 'vitest';
import { readWkb } from './wkb.js';

/** Writes WKB pieces in one byte order: a geometry header, a count, coordinates. */
function writer(littleEndian: boolean) {
  const bytes: number[] = [];
  const put = (size: 4 | 8, value: number) => {
    const view = new DataView(new ArrayBuffer(size));
    if (size === 4) view.setUint32(0, value, littleEndian);
    else view.setFloat64(0, value, littleEndian);
    bytes.push(...new Uint8Array(view.buffer));
  };
  const self = {
    header: (type: number) => (bytes.push(littleEndian ? 1 : 0), put(4, type), self),
    count: (n: number) => (put(4, n), self),
    xy: (...values: number[]) => (values.forEach((v) => put(8, v)), self),
    bytes: () => Uint8Array.from(bytes),
  };
  return self;
}

const ring = [0, 0, 10, 0, 10, 10, 0, 0];

describe('readWkb', () => {
  it('reads a polygon in either byte order', () => {
    for (const littleEndian of [true, false]) {
      const bytes = writer(littleEndian).header(3).count(1).count(4).xy(...ring).bytes();
      expect(readWkb(bytes)).toEqual({ type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 0]]] });
    }
  });

  it('keeps the polygons of a collection and drops its lines, which clipping leaves with no area', () => {
    const w = writer(true).header(7).count(3);
    w.header(2).count(2).xy(0, 0, 5, 5);
    w.header(3).count(1).count(4).xy(...ring);
    w.header(6).count(1).header(3).count(1).count(4).xy(...ring.map((v) => v + 20));
    const geometry = readWkb(w.bytes());
    expect(geometry?.type).toBe('MultiPolygon');
    expect(geometry?.coordinates).toHaveLength(2);
  });

  it('reads points, and nothing from empty geometries', () => {
    expect(readWkb(writer(true).header(1).xy(3, 4).bytes())).toEqual({ type: 'Point', coordinates: [3, 4] });
    expect(readWkb(writer(false).header(4).count(2).header(1).xy(1, 2).header(1).xy(5, 6).bytes())).toEqual({ type: 'MultiPoint', coordinates: [[1, 2], [5, 6]] });
    expect(readWkb(writer(true).header(1).xy(NaN, NaN).bytes())).toBeNull();
    expect(readWkb(writer(true).header(3).count(0).bytes())).toBeNull();
    expect(readWkb(writer(true).header(7).count(0).bytes())).toBeNull();
  });

  it('refuses a geometry with z or m values, naming its type', () => {
    expect(() => readWkb(writer(true).header(1003).count(0).bytes())).toThrow(/type 1003/);
  });
});
