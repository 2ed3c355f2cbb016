/**
 * Burning polygons into a raster mask (pixel centres inside the polygon, even-odd rule for holes).
 */
import type { GeoTransform } from './geotransform.js';
import type { PolygonRings } from './geojson.js';

/**
 * Sets `value` in `mask` (width × height, row-major) for every pixel whose centre lies inside
 * the polygons, which are in the map coordinates of the north-up `geoTransform`.
 */
export function burnPolygons(
  mask: Uint8Array,
  width: number,
  height: number,
  geoTransform: GeoTransform,
  polygons: PolygonRings[],
  value = 1,
): void {
  const [originX, pixelWidth, , originY, , pixelHeight] = geoTransform;
  for (const rings of polygons) {
    // rings in pixel coordinates (column, row), continuous
    const pixelRings = rings.map((ring) => ring.map(([x, y]) => [(x - originX) / pixelWidth, (y - originY) / pixelHeight]));
    let top = Infinity;
    let bottom = -Infinity;
    for (const [, row] of pixelRings[0]) {
      top = Math.min(top, row);
      bottom = Math.max(bottom, row);
    }
    const firstRow = Math.max(0, Math.ceil(top - 0.5));
    const lastRow = Math.min(height - 1, Math.floor(bottom - 0.5));
    const crossings: number[] = [];
    for (let row = firstRow; row <= lastRow; row++) {
      const centreY = row + 0.5;
      crossings.length = 0;
      for (const ring of pixelRings) {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const [x0, y0] = ring[j];
          const [x1, y1] = ring[i];
          if (y0 <= centreY !== y1 <= centreY) crossings.push(x0 + ((centreY - y0) / (y1 - y0)) * (x1 - x0));
        }
      }
      crossings.sort((a, b) => a - b);
      for (let k = 0; k + 1 < crossings.length; k += 2) {
        const from = Math.max(0, Math.ceil(crossings[k] - 0.5));
        const to = Math.min(width - 1, Math.floor(crossings[k + 1] - 0.5));
        if (to >= from) mask.fill(value, row * width + from, row * width + to + 1);
      }
    }
  }
}
