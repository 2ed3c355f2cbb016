/**
 * Extents of rasters in another CRS (WGS84 for a map's bounds, the analysis grid's CRS for the
 * centre of the fitted offset plane), their ground resolution and the zooms that show them.
 */
import { BadInputError } from '../errors.js';
import { crsTransform, type Crs } from '../geo/crs.js';
import { zoomForResolution } from '../geo/web-mercator.js';
import type { RasterInfo } from '../raster/types.js';

/** [minX, minY, maxX, maxY]. */
export type Extent = [number, number, number, number];

/** Points sampled along each edge, so that an extent curved by the reprojection is covered. */
const EDGE_POINTS = 8;
/** Deepest zoom offered, about 2 cm a pixel. */
const MAX_ZOOM = 23;

/** The bounding box in `crs` of a raster's extent. */
export function extentIn({ name, info }: { name: string; info: RasterInfo }, crs: Crs): Extent {
  if (info.proj4 === null) throw new BadInputError(`${name} has an unknown CRS: it cannot be placed on the map`);
  const transform = crsTransform(info.proj4, crs);
  const [x0, a, b, y0, c, d] = info.geoTransform;
  const extent: Extent = [Infinity, Infinity, -Infinity, -Infinity];
  for (let k = 0; k <= EDGE_POINTS; k++) {
    const t = k / EDGE_POINTS;
    for (const [u, v] of [[t, 0], [t, 1], [0, t], [1, t]]) {
      const column = u * info.width;
      const row = v * info.height;
      const [x, y] = transform([x0 + column * a + row * b, y0 + column * c + row * d]);
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

/** The extent covering all of them. */
export function unionExtents(extents: Extent[]): Extent {
  return extents.reduce((u, e) => [Math.min(u[0], e[0]), Math.min(u[1], e[1]), Math.max(u[2], e[2]), Math.max(u[3], e[3])]);
}

/** Ground size (m) of a raster's pixels: its pixel size in a projected CRS, converted from degrees in a geographic one. */
export function groundResolution(info: RasterInfo, latitude: number): number {
  const size = Math.hypot(info.geoTransform[1], info.geoTransform[4]);
  const degrees = /\+proj=(longlat|latlong|lonlat|latlon)\b/.test(info.proj4 ?? '');
  return degrees ? size * 111_320 * Math.cos((latitude * Math.PI) / 180) : size;
}

/**
 * Zooms that show a raster `spanM` metres across at its ground resolution: the deepest is the first
 * whose pixels are no larger than the raster's (so at most one zoom past its native resolution),
 * the shallowest the last at which the raster spans no more than a tile.
 */
export function zoomRange(groundResolutionM: number, spanM: number, latitude: number): { minzoom: number; maxzoom: number } {
  const maxzoom = Math.min(MAX_ZOOM, Math.max(0, Math.ceil(zoomForResolution(groundResolutionM, latitude) - 1e-9)));
  const minzoom = Math.min(maxzoom, Math.max(0, Math.floor(zoomForResolution(spanM / 256, latitude))));
  return { minzoom, maxzoom };
}
