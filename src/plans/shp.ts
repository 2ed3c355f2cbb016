/**
 * The geometry file of a Shapefile (.shp), as the ESRI Shapefile Technical Description (1998) lays
 * it out: a 100-byte header, then records of a big-endian header and little-endian content.
 */
import { BadInputError } from '../errors.js';
import type { Ring } from '../geo/rings.js';

/** One .shp record: its shape type (0 null, 5/15/25 polygon...) and its parts as rings. */
export interface ShpRecord {
  shapeType: number;
  parts: Ring[];
}

const polygonTypes = new Set([5, 15, 25]);

/** Name of a shape type for messages ("Point", "PolyLine"...); Z and M variants share the base name. */
export function shapeTypeName(shapeType: number): string {
  const base = shapeType === 31 ? 31 : shapeType % 10;
  const names: Record<number, string> = { 1: 'Point', 3: 'PolyLine', 8: 'MultiPoint', 31: 'MultiPatch' };
  return names[base] ?? `shape type ${shapeType}`;
}

/** True for Polygon, PolygonZ and PolygonM. */
export function isPolygonType(shapeType: number): boolean {
  return polygonTypes.has(shapeType);
}

/** Reads every record of a .shp file; only polygon records get their parts read. */
export function readShp(bytes: Uint8Array, name: string): ShpRecord[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 100 || view.getInt32(0, false) !== 9994) {
    throw new BadInputError(`${name}: not a Shapefile .shp (no 9994 file code in the header)`);
  }
  const end = Math.min(bytes.length, view.getInt32(24, false) * 2);
  const records: ShpRecord[] = [];
  for (let offset = 100; offset + 8 <= end; ) {
    const length = view.getInt32(offset + 4, false) * 2;
    const start = offset + 8;
    const row = records.length + 1;
    if (length < 4 || start + length > end) throw new BadInputError(`${name}: row ${row}: record runs past the end of the .shp file`);
    const shapeType = view.getInt32(start, true);
    records.push({ shapeType, parts: isPolygonType(shapeType) ? readParts(view, start, length, `${name}: row ${row}`) : [] });
    offset = start + length;
  }
  return records;
}

/** Parts of a polygon record: bounding box, part and point counts, part starts, then x/y doubles. */
function readParts(view: DataView, start: number, length: number, where: string): Ring[] {
  if (length < 44) throw new BadInputError(`${where}: polygon record is too short`);
  const partCount = view.getInt32(start + 36, true);
  const pointCount = view.getInt32(start + 40, true);
  const pointsStart = start + 44 + 4 * partCount;
  if (partCount < 0 || pointCount < 0 || pointsStart + 16 * pointCount > start + length) {
    throw new BadInputError(`${where}: polygon record has ${partCount} parts and ${pointCount} points, more than it holds`);
  }
  const starts = Array.from({ length: partCount }, (_, i) => view.getInt32(start + 44 + 4 * i, true));
  return starts.map((first, i) => {
    const last = i + 1 < partCount ? starts[i + 1] : pointCount;
    if (first < 0 || last > pointCount || first > last) throw new BadInputError(`${where}: part ${i + 1} has a bad point index`);
    const ring: Ring = [];
    for (let p = first; p < last; p++) {
      ring.push([view.getFloat64(pointsStart + 16 * p, true), view.getFloat64(pointsStart + 16 * p + 8, true)]);
    }
    return ring;
  });
}
