/**
 * The affine georeferencing of a raster, shared by raster/ and tiles/ (which read, write and sample
 * rasters with it) and geo/ (which rasterizes and polygonizes with it).
 */

/**
 * GDAL-style affine geotransform: map x = gt[0] + col * gt[1] + row * gt[2],
 * map y = gt[3] + col * gt[4] + row * gt[5], for the top-left corner of pixel (col, row).
 */
export type GeoTransform = [number, number, number, number, number, number];

/** Pixel coordinates (continuous; (0, 0) is the top-left corner) of map points, in place: x[k], y[k] become column and row. */
export function mapToPixels(gt: GeoTransform, x: Float64Array, y: Float64Array): void {
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  for (let k = 0; k < x.length; k++) {
    const dx = x[k] - gt[0];
    const dy = y[k] - gt[3];
    x[k] = (gt[5] * dx - gt[2] * dy) / det;
    y[k] = (gt[1] * dy - gt[4] * dx) / det;
  }
}
