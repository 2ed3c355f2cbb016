/**
 * The raster seam (cogeotiff's `Source` idea): every stage reads rasters through `RasterSource`,
 * so a GeoTIFF on disk, a COG over HTTP and an in-memory array are interchangeable.
 */
import type { GeoTransform } from '../geo/geotransform.js';

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
  /**
   * The unit a height model's file stores its heights in, when it declares one other than metres
   * (vertical GeoKeys or GDAL's UNITTYPE); `readWindow` returns them converted to metres.
   */
  heightUnit?: LengthUnit;
}

/** A unit of length: its name and its size in metres. */
export interface LengthUnit {
  name: string;
  metres: number;
}

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
