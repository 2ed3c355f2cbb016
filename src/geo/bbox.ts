/**
 * Bounding boxes: of a set of points, and a WGS84 box (minLon, minLat, maxLon, maxLat), as map
 * clients send it, turned into an envelope in the project CRS for a spatial filter.
 */
import { BadInputError } from '../errors.js';
import { crsTransform } from './crs.js';

/** minX, minY, maxX, maxY. */
export type Bounds = [number, number, number, number];

/** The bounds of the points; Infinity and -Infinity when there are none. */
export function pointsBounds(points: Iterable<[number, number]>): Bounds {
  const bounds: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    bounds[0] = Math.min(bounds[0], x);
    bounds[1] = Math.min(bounds[1], y);
    bounds[2] = Math.max(bounds[2], x);
    bounds[3] = Math.max(bounds[3], y);
  }
  return bounds;
}

/** minLon, minLat, maxLon, maxLat in WGS84. */
export type Wgs84Bbox = [number, number, number, number];

/**
 * The envelope in the project CRS around a WGS84 box: its edges sampled, since a box's edges
 * bend once projected.
 */
export function projectEnvelope([minLon, minLat, maxLon, maxLat]: Wgs84Bbox, epsg: number): [number, number, number, number] {
  const toProject = crsTransform(4326, epsg);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i <= 16; i++) {
    const lon = minLon + ((maxLon - minLon) * i) / 16;
    const lat = minLat + ((maxLat - minLat) * i) / 16;
    for (const point of [[lon, minLat], [lon, maxLat], [minLon, lat], [maxLon, lat]] as [number, number][]) {
      const [x, y] = toProject(point);
      if (Number.isFinite(x) && Number.isFinite(y)) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  if (xs.length === 0) throw new BadInputError(`bbox ${minLon},${minLat},${maxLon},${maxLat} cannot be placed in the project CRS EPSG:${epsg}`);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** SQL condition and bindings: `column` (in the project CRS) meets the box. */
export function bboxCondition(column: string, bbox: Wgs84Bbox, epsg: number): [string, number[]] {
  const [x0, y0, x1, y1] = projectEnvelope(bbox, epsg);
  const envelope = `ST_MakeEnvelope(?, ?, ?, ?, ${epsg})`;
  return [`${column} && ${envelope} AND ST_Intersects(${column}, ${envelope})`, [x0, y0, x1, y1, x0, y0, x1, y1]];
}
