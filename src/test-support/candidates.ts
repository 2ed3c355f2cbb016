/**
 * Hand-made candidates for tests of what comes after detection (overlay, cases, the service):
 * squares in EPSG:4549 metres from a corner near 120° E, 30.27° N, on an analysis grid there.
 */
import { proj4Definition } from '../geo/crs.js';
import type { Candidate } from '../pipeline/candidate.js';
import type { ChangeKind } from '../vocabulary.js';
import type { AnalysisGrid } from '../raster/types.js';

/** Easting of the test area's corner (EPSG:4549). */
export const E = 500000;
/** Northing of the test area's corner (EPSG:4549). */
export const N = 3350000;

/** A 2 km analysis grid of 0.2 m pixels over the test area. */
export const testGrid: AnalysisGrid = { crs: proj4Definition(4549), epsg: 4549, geoTransform: [E, 0.2, 0, N + 2000, 0, -0.2], width: 10000, height: 10000 };

/** A square change `[x0, y0, x1, y1]` metres from the corner, standing `heightChangeM` high (a fall ends at the ground). */
export function candidate(id: string, changeKind: ChangeKind, [x0, y0, x1, y1]: number[], heightChangeM = 6): Candidate {
  const ring: [number, number][] = [[E + x0, N + y0], [E + x1, N + y0], [E + x1, N + y1], [E + x0, N + y1], [E + x0, N + y0]];
  return { id, changeKind, polygons: [[ring]], areaM2: (x1 - x0) * (y1 - y0), heightChangeM, heightChangeMaxM: heightChangeM, heightAfterM: Math.max(heightChangeM, 0), confidence: 0.9, reason: 'test' };
}
