/**
 * Reads the well-known binary PostGIS writes with `ST_AsBinary` (2D, either byte order) into the
 * points and polygons of a vector tile feature. Lines are dropped: they only come out of clipping
 * or snapping a polygon to a tile, where they are the slivers of it that have no area left.
 */
import type { TileGeometry, TilePosition } from './mvt.js';

const [POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, COLLECTION] = [1, 2, 3, 4, 5, 6, 7];

/** The polygons of the WKB geometry, or its points when it has no polygon; null when it has neither. */
export function readWkb(wkb: Uint8Array): TileGeometry | null {
  const reader = { view: new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength), pos: 0 };
  const found: Found = { points: [], polygons: [] };
  readGeometry(reader, found);
  if (found.polygons.length > 0) return found.polygons.length === 1 ? { type: 'Polygon', coordinates: found.polygons[0] } : { type: 'MultiPolygon', coordinates: found.polygons };
  if (found.points.length > 0) return found.points.length === 1 ? { type: 'Point', coordinates: found.points[0] } : { type: 'MultiPoint', coordinates: found.points };
  return null;
}

interface Reader {
  view: DataView;
  pos: number;
  littleEndian?: boolean;
}

interface Found {
  points: TilePosition[];
  polygons: TilePosition[][][];
}

function readGeometry(reader: Reader, found: Found): void {
  reader.littleEndian = reader.view.getUint8(reader.pos++) === 1;
  const type = uint32(reader);
  if (type === POINT) {
    const point = position(reader);
    // POINT EMPTY is written as NaN, NaN
    if (!Number.isNaN(point[0])) found.points.push(point);
  } else if (type === LINESTRING) {
    const points = uint32(reader);
    reader.pos += 16 * points;
  } else if (type === POLYGON) {
    const rings = Array.from({ length: uint32(reader) }, () => Array.from({ length: uint32(reader) }, () => position(reader)));
    if (rings.length > 0) found.polygons.push(rings);
  } else if (type === MULTIPOINT || type === MULTILINESTRING || type === MULTIPOLYGON || type === COLLECTION) {
    const parts = uint32(reader);
    for (let i = 0; i < parts; i++) readGeometry(reader, found);
  } else {
    throw new RangeError(`WKB geometry type ${type} is not a 2D point, line or polygon (force it 2D in SQL)`);
  }
}

function uint32(reader: Reader): number {
  const value = reader.view.getUint32(reader.pos, reader.littleEndian);
  reader.pos += 4;
  return value;
}

function position(reader: Reader): TilePosition {
  const x = reader.view.getFloat64(reader.pos, reader.littleEndian);
  const y = reader.view.getFloat64(reader.pos + 8, reader.littleEndian);
  reader.pos += 16;
  return [x, y];
}
