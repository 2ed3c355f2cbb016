/**
 * The raster seam (cogeotiff's `Source` idea): every stage reads rasters through `RasterSource`,
 * so a GeoTIFF on disk, a COG over HTTP and an in-memory array are interchangeable.
 */

/** Pixel sample types zhiwei reads and writes. */
export type SampleType = 'uint8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

/** Typed array matching a `SampleType`. */
export type SampleArray =
  | Uint8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

/**
 * GDAL-style affine geotransform: map x = gt[0] + col * gt[1] + row * gt[2],
 * map y = gt[3] + col * gt[4] + row * gt[5], for the top-left corner of pixel (col, row).
 */
export type GeoTransform = [number, number, number, number, number, number];

/** Georeferencing and layout of a raster, everything but the pixels. */
export interface RasterInfo {
  width: number;
  height: number;
  bandCount: number;
  sampleType: SampleType;
  /** EPSG code of the projected or geographic CRS, when the file names one. */
  epsg: number | null;
  /** proj4 definition of the CRS (from the EPSG code or the file's user-defined GeoKeys). */
  proj4: string | null;
  geoTransform: GeoTransform;
  /** Value marking pixels without data (GDAL_NODATA), or null when the file sets none. */
  nodata: number | null;
}

/** A pixel window in raster coordinates. */
export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Pixels of a window, pixel-interleaved (band values of one pixel side by side), row-major. */
export interface RasterData {
  width: number;
  height: number;
  bandCount: number;
  data: SampleArray;
}

/** How to read a window. */
export interface ReadOptions {
  /** Output size; defaults to the window size. A different size resamples. */
  outWidth?: number;
  outHeight?: number;
  /** `nearest` (default for categorical data) or `bilinear` (imagery, heights). */
  resample?: 'nearest' | 'bilinear';
  /** Band indices to read (0-based); defaults to all. */
  bands?: number[];
  /**
   * Value for output pixels outside the raster; defaults to the nodata value, else 0.
   * Windows may extend past the edges.
   */
  fillValue?: number;
}

/** Something that has georeferencing and can return the pixels of any window. */
export interface RasterSource {
  /** Where the pixels come from (a file path or URL), for error messages. */
  readonly name: string;
  readonly info: RasterInfo;
  readWindow(window: PixelWindow, options?: ReadOptions): Promise<RasterData>;
  close(): Promise<void>;
}
