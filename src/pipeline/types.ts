/**
 * Artifacts passed between the pipeline stages of DESIGN.md section 4.
 */
import type { GeoTransform } from '../raster/types.js';

/**
 * The grid every epoch is resampled onto: the model's native GSD in the after epoch's CRS,
 * north-up, its origin a multiple of the GSD, covering the area all inputs share.
 */
export interface AnalysisGrid {
  /** proj4 definition of the after epoch's CRS. */
  crs: string;
  /** EPSG code of that CRS, when the after raster names one. */
  epsg: number | null;
  /** North-up: [originX, gsd, 0, originY, 0, -gsd]. */
  geoTransform: GeoTransform;
  width: number;
  height: number;
}
