/** In-memory rasters and analysis grids for read + align tests. */
import { crsDefinition } from '../geo/crs.js';
import { memorySource } from '../raster/memory-source.js';
import { allocateSamples } from '../raster/resample.js';
import type { AnalysisGrid, RasterSource, SampleType } from '../raster/types.js';

export interface RasterSpec {
  epsg: number;
  /** Map coordinates of the top-left corner. */
  origin: [number, number];
  pixel: number;
  width: number;
  height: number;
  bands?: number;
  type?: SampleType;
  nodata?: number | null;
  /** Value of a band at a pixel centre, from its map coordinates and pixel position. */
  value: (x: number, y: number, band: number, col: number, row: number) => number;
}

/** An in-memory north-up raster in `epsg`. */
export function raster(spec: RasterSpec): RasterSource {
  const { epsg, origin, pixel, width, height, bands = 1, type = 'float32', nodata = null } = spec;
  const data = allocateSamples(type, width * height * bands);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const x = origin[0] + (col + 0.5) * pixel;
      const y = origin[1] - (row + 0.5) * pixel;
      for (let b = 0; b < bands; b++) data[(row * width + col) * bands + b] = spec.value(x, y, b, col, row);
    }
  }
  const info = {
    width, height, bandCount: bands, sampleType: type, epsg, proj4: crsDefinition(epsg),
    geoTransform: [origin[0], pixel, 0, origin[1], 0, -pixel] as [number, number, number, number, number, number], nodata,
  };
  return memorySource(info, { width, height, bandCount: bands, data }, `epsg${epsg}.tif`);
}

/** A north-up analysis grid in `epsg`. */
export function grid(epsg: number, origin: [number, number], gsd: number, width: number, height: number): AnalysisGrid {
  return { crs: crsDefinition(epsg), epsg, geoTransform: [origin[0], gsd, 0, origin[1], 0, -gsd], width, height };
}

/**
 * RGB(A) noise of a 0.1 m orthophoto: averaged 2 x 2 many means end in .5, so a position off by
 * its last bit rounds the other way. Alpha is 0 west of column 30.
 */
export const noise = (_x: number, _y: number, b: number, col: number, row: number) => (b === 3 ? (col < 30 ? 0 : 255) : (col * 7919 + row * 104729 + b * 31) % 251);

/** Grid origins moved by a fraction of a pixel from (500000, 3350000), as a co-registration moves them, and that one. */
export const shiftedOrigins: [number, number][] = [[500000, 3350000], [499999.3763, 3350000.4099], [500000.0517, 3349999.9383]];
