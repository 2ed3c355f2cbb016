/**
 * Where a raster lies in some CRS: the bounding box of its extent, reprojected with its edges
 * sampled (a reprojected edge bends), and the common part of several such boxes.
 */
import { crsTransform, type Crs } from '../geo/crs.js';
import type { RasterInfo } from './types.js';

/** [minX, minY, maxX, maxY]. */
export type Extent = [number, number, number, number];

/** Points sampled along each edge. */
const edgeSteps = 8;

/** The bounding box in `crs` of the extent of a raster whose CRS is `info.proj4` (points that do not project are left out). */
export function rasterExtent(info: RasterInfo & { proj4: string }, crs: Crs): Extent {
  const { width, height, geoTransform: gt, proj4 } = info;
  const transform = proj4 === crs ? (p: [number, number]) => p : crsTransform(proj4, crs);
  const extent: Extent = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i <= edgeSteps; i++) {
    const t = i / edgeSteps;
    for (const [col, row] of [[t * width, 0], [t * width, height], [0, t * height], [width, t * height]]) {
      const [x, y] = transform([gt[0] + col * gt[1] + row * gt[2], gt[3] + col * gt[4] + row * gt[5]]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      extent[0] = Math.min(extent[0], x);
      extent[1] = Math.min(extent[1], y);
      extent[2] = Math.max(extent[2], x);
      extent[3] = Math.max(extent[3], y);
    }
  }
  return extent;
}

/** The common part of extents, or null when they do not all overlap. */
export function intersectExtents(extents: Extent[]): Extent | null {
  const [first, ...rest] = extents;
  const common: Extent = [...first];
  for (const e of rest) {
    common[0] = Math.max(common[0], e[0]);
    common[1] = Math.max(common[1], e[1]);
    common[2] = Math.min(common[2], e[2]);
    common[3] = Math.min(common[3], e[3]);
  }
  return common[0] < common[2] && common[1] < common[3] ? common : null;
}
