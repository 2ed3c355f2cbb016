/**
 * A WGS84 bounding box (minLon, minLat, maxLon, maxLat), as map clients send it, turned into an
 * envelope in the project CRS for a spatial filter.
 */
import { BadInputError } from '../errors.js';
import { crsTransform } from './crs.js';

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
