/**
 * Artifacts passed between the pipeline stages of DESIGN.md section 4.
 */

/**
 * A full-width horizontal strip of the analysis grid after fusion: which pixels changed and what
 * the rasters say there. Strips arrive top to bottom and together cover the grid exactly.
 */
export interface ChangeStrip {
  /** First grid row of the strip. */
  y0: number;
  width: number;
  height: number;
  /** 1 where the pixel changed, 0 elsewhere. */
  change: Uint8Array;
  /** After − before height (m), vertical offset removed; NaN without heights (ortho-only runs, nodata). */
  heightChange: Float32Array;
  /** Height above ground before and after (m); NaN without heights. */
  heightBefore: Float32Array;
  heightAfter: Float32Array;
  /**
   * 1 where a building stood before within the misregistration tolerance: a change's outline
   * touching such pixels is built against that building (an extension). Marked only where it is
   * read: at unchanged pixels beside changed ones and along the strip's first and last rows; 0
   * elsewhere.
   */
  nearBuilding: Uint8Array;
  /** Model change probability 0-1; NaN in DSM-only runs. */
  probability: Float32Array;
  /**
   * Plane residual (m) of the surface on top: the after DSM where the surface rose, the before DSM
   * where it fell; NaN without heights, and at unchanged pixels (regions are measured on changed
   * pixels alone). See vegetation.ts.
   */
  roughness: Float32Array;
  /** Height (m) of that surface on top, the after DSM's offset removed; NaN without heights. */
  topSurface: Float32Array;
  /** Excess green of the after orthophoto; NaN without orthophotos. See vegetation.ts. */
  greenness: Float32Array;
}

/**
 * Sums over the pixels of one changed region, from which its measurements follow; sums of two
 * pieces of one structure (split by a strip border) add up.
 */
export interface RegionSums {
  pixels: number;
  /** Pixels with a finite height change, and the sums over them. */
  heightPixels: number;
  sumHeightChange: number;
  /** The height change of largest magnitude (m), signed; 0 without heights. */
  extremeHeightChange: number;
  /**
   * Pixels with finite heights above ground both before and after, and the sums over them: heights
   * above ground need a ground surface, so they can be missing where the height change is not.
   */
  groundPixels: number;
  sumHeightBefore: number;
  sumHeightAfter: number;
  /**
   * The same height sums over the region's interior only (pixels 2 px or more inside its outline
   * within the strip): DSM edges are soft, so the interior gives the truer heights of a structure.
   */
  interiorHeightPixels: number;
  sumInteriorHeightChange: number;
  interiorGroundPixels: number;
  sumInteriorHeightBefore: number;
  sumInteriorHeightAfter: number;
  /** Pixels with a finite probability, and its sum over them. */
  probabilityPixels: number;
  sumProbability: number;
  /**
   * The ring just outside the region in pixel edges (an outside pixel beside two of the region's
   * pixels counts twice, so pieces' counts add up), and how many of those edges face a pixel that
   * stood on a building before (height above ground over 2.5 m): a high share means the change is
   * attached to an existing building (extension).
   */
  ringPixels: number;
  ringOnBuilding: number;
  /** Interior pixels with a roughness, and how many of them are rough (vegetation, not a roof). */
  roughnessPixels: number;
  roughPixels: number;
  /**
   * Sums over the interior pixels with a top surface (x, y in grid pixels, z in metres): the plane
   * that fits the top surface best, and how far it stays from it, follow.
   */
  topPixels: number;
  sumTopX: number;
  sumTopY: number;
  sumTopZ: number;
  sumTopXX: number;
  sumTopYY: number;
  sumTopXY: number;
  sumTopXZ: number;
  sumTopYZ: number;
  sumTopZZ: number;
  /** Pixels with a greenness, and how many of them are green. */
  greennessPixels: number;
  greenPixels: number;
  /** Moments of the pixel centres (grid columns x, rows y): the region's size and elongation follow. */
  sumX: number;
  sumY: number;
  sumXX: number;
  sumYY: number;
  sumXY: number;
}

/** A changed region as a polygon in the grid's CRS, with its sums. */
export interface ChangeRegion {
  /** Polygons with holes, map coordinates of the analysis grid's CRS, simplified. */
  polygons: [number, number][][][];
  /** Area of the pixels (m²) and of the simplified polygons (m²). */
  pixelAreaM2: number;
  areaM2: number;
  sums: RegionSums;
}

/** Starts progress reporting for a stage of `total` units (bars on a terminal, lines otherwise). */
export type ProgressFactory = (label: string, total: number, unit: string) => { tick(units?: number): void; done(): void };
