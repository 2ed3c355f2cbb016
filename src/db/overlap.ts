/**
 * SQL for the area two geometries of the project CRS (metres) share. The intersection is computed
 * on a 1 mm grid, GEOS's fixed-precision overlay: in floating precision GEOS can fail on outlines
 * with nearly coincident edges (traced on the same pixels, one flight after another), and PGlite's
 * PostGIS then answers with no rows and no error, so a query silently loses the rows it computes
 * (a detect's candidates were left unlinked to the buildings they stand on).
 */
export function overlapArea(a: string, b: string): string {
  return `ST_Area(ST_Intersection(${a}, ${b}, 0.001))`;
}
