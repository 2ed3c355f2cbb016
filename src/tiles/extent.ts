/**
 * Extents of rasters in another CRS (WGS84 for a map's bounds, the analysis grid's CRS for the
 * centre of the fitted offset plane), their union, their ground resolution and the zooms that show them.
 */
import { BadInputError } from '../errors.js';
import type { Crs } from '../geo/crs.js';
import { zoomForResolution } from '../geo/web-mercator.js';
import { rasterExtent, type Extent } from '../raster/extent.js';
import type { RasterInfo } from '../raster/types.js';

/** Deepest zoom offered, about 2 cm a pixel. */
const MAX_ZOOM = 23;

/** The bounding box in `crs` of a raster's extent; BadInputError for a raster of unknown CRS. */
export function extentIn({ name, info }: { name: string; info: RasterInfo }, crs: Crs): Extent {
  if (info.proj4 === null) throw new BadInputError(`${name} has an unknown CRS: it cannot be placed on the map`);
  return rasterExtent({ ...info, proj4: info.proj4 }, crs);
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
