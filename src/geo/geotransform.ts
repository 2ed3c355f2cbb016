/**
 * The affine georeferencing of a raster, shared by raster/ (which reads and writes it) and geo/
 * (which rasterizes and polygonizes with it).
 */

/**
 * GDAL-style affine geotransform: map x = gt[0] + col * gt[1] + row * gt[2],
 * map y = gt[3] + col * gt[4] + row * gt[5], for the top-left corner of pixel (col, row).
 */
export type GeoTransform = [number, number, number, number, number, number];
