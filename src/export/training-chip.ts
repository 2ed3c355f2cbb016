/**
 * One training chip of a verified case: the before and after orthophotos read onto a north-up
 * grid at the model's GSD in the after orthophoto's CRS, centred on the case outline (moved
 * inwards where the case sits near the edge of the flight), and its 0/255 label.
 */
import { pointsBounds } from '../geo/bbox.js';
import { crsTransform } from '../geo/crs.js';
import { transformPolygons, type PolygonRings } from '../geo/geojson.js';
import { burnPolygons } from '../geo/rasterize.js';
import { readAligned, type AlignedRaster, type ReadAlignedOptions } from '../raster/read-aligned.js';
import type { AnalysisGrid } from '../raster/types.js';
import { intersectExtents, rasterExtent, type Extent } from '../raster/extent.js';
import type { RasterData, RasterInfo, RasterSource } from '../raster/types.js';

/** The model's chip size and ground sample distance. */
export interface ChipShape {
  /** Chip edge (px). */
  tileSize: number;
  /** Metres per pixel. */
  gsd: number;
}

/** A cut chip. */
export interface TrainingChip {
  before: RasterData;
  after: RasterData;
  /** 255 inside the outline for a positive, all 0 for a hard negative. */
  label: RasterData;
  /** The chip's CRS: `EPSG:n`, or the after orthophoto's proj string when it names no code. */
  crs: string;
  /** [minX, minY, maxX, maxY] in `crs`. */
  bounds: [number, number, number, number];
  /** Pixels inside the case outline. */
  outlinePixels: number;
  /** Share of the chip's pixels without data in either epoch (written black). */
  nodataShare: number;
}

/** A lon/lat CRS has no metres to lay a chip out in. */
const geographic = /\+proj=(longlat|latlong|lonlat|latlon)\b/;

/**
 * Cuts the chip of a case whose outline `polygons` is in EPSG:`epsg`; `positive` burns the
 * outline into the label. Returns why not, as a string, when the orthophotos cannot give one: not
 * 8-bit RGB, no usable CRS, or part of the outline outside them or without data in an epoch.
 */
export async function cutTrainingChip(
  orthophotos: { before: RasterSource; after: RasterSource },
  polygons: PolygonRings[],
  epsg: number,
  positive: boolean,
  shape: ChipShape,
): Promise<TrainingChip | string> {
  for (const [epoch, source] of Object.entries(orthophotos)) {
    if (source.info.sampleType !== 'uint8' || source.info.bandCount < 3) return `the ${epoch} orthophoto ${source.name} is not 8-bit RGB`;
    if (source.info.proj4 === null) return `the ${epoch} orthophoto ${source.name} has an unknown CRS`;
  }
  const { after } = orthophotos;
  const crs = after.info.proj4;
  if (crs === null || geographic.test(crs)) return `the after orthophoto ${after.name} is in a geographic CRS`;
  const outline = after.info.epsg === epsg ? polygons : transformPolygons(polygons, crsTransform(epsg, crs));
  const box = pointsBounds(outline.flatMap((rings) => rings[0]));
  // every CRS was checked known above
  const covered = intersectExtents(Object.values(orthophotos).map((source) => rasterExtent(source.info as RasterInfo & { proj4: string }, crs)));
  if (covered === null || !(box[0] < covered[2] && box[2] > covered[0] && box[1] < covered[3] && box[3] > covered[1])) return 'the case lies outside the orthophotos';
  const grid = chipGrid(box, covered, crs, after.info.epsg, shape);
  const { tileSize } = shape;
  const window = { x: 0, y: 0, width: tileSize, height: tileSize };
  const read: ReadAlignedOptions = { resample: 'bilinear', bands: [0, 1, 2] };
  const [before, afterPixels] = await Promise.all([readAligned(orthophotos.before, grid, window, read), readAligned(after, grid, window, read)]);

  const inside = new Uint8Array(tileSize * tileSize);
  burnPolygons(inside, tileSize, tileSize, grid.geoTransform, outline, 255);
  const outlinePixels = inside.reduce((n, v) => n + (v ? 1 : 0), 0);
  if (outlinePixels === 0) return 'the outline covers no pixel of the chip';
  for (const [epoch, pixels] of [['before', before], ['after', afterPixels]] as const) {
    const missing = inside.reduce((n, v, p) => n + (v && !pixels.valid[p] ? 1 : 0), 0);
    if (missing === outlinePixels) return `the case lies outside the ${epoch} orthophoto`;
    if (missing > 0) return `${Math.round((100 * missing) / outlinePixels)} % of the case outline has no data in the ${epoch} orthophoto`;
  }
  const nodata = blackenNodata(before, afterPixels);
  const [x0, , , y1] = grid.geoTransform;
  const size = tileSize * shape.gsd;
  return {
    before: rgb(before),
    after: rgb(afterPixels),
    label: { width: tileSize, height: tileSize, bandCount: 1, data: positive ? inside : new Uint8Array(inside.length) },
    crs: after.info.epsg === null ? crs : `EPSG:${after.info.epsg}`,
    bounds: [x0, y1 - size, x0 + size, y1],
    outlinePixels,
    nodataShare: nodata / inside.length,
  };
}

/**
 * The chip's grid: its origin on whole multiples of the GSD, centred on the outline's bounding
 * `box`, then moved (where the orthophotos are wider than the chip) to lie inside `covered`.
 */
function chipGrid(box: Extent, covered: Extent, crs: string, epsg: number | null, { tileSize, gsd }: ChipShape): AnalysisGrid {
  const place = (centre: number, low: number, high: number): number => {
    let start = Math.round(centre / gsd - tileSize / 2);
    const first = Math.ceil(low / gsd);
    const last = Math.floor(high / gsd) - tileSize;
    if (last >= first) start = Math.min(Math.max(start, first), last);
    return start * gsd;
  };
  const x0 = place((box[0] + box[2]) / 2, covered[0], covered[2]);
  const y0 = place((box[1] + box[3]) / 2, covered[1], covered[3]);
  return { crs, epsg, geoTransform: [x0, gsd, 0, y0 + tileSize * gsd, 0, -gsd], width: tileSize, height: tileSize };
}

/** Sets pixels without data in either epoch to black in both; returns how many there are. */
function blackenNodata(before: AlignedRaster, after: AlignedRaster): number {
  let count = 0;
  for (let p = 0; p < before.valid.length; p++) {
    if (before.valid[p] && after.valid[p]) continue;
    count++;
    before.data.fill(0, p * 3, p * 3 + 3);
    after.data.fill(0, p * 3, p * 3 + 3);
  }
  return count;
}

/** The pixels as a plain 3-band raster. */
function rgb({ width, height, data }: AlignedRaster): RasterData {
  return { width, height, bandCount: 3, data };
}
