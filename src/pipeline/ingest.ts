/**
 * Ingest (DESIGN.md section 4): check that the rasters of a job can be compared, decide the mode
 * from what was given, and pick the analysis grid. Every problem names the file and a fix.
 */
import { BadInputError } from '../errors.js';
import { crsMeasure, localMetricCrs, proj4Definition, toWgs84 } from '../geo/crs.js';
import { intersectExtents, rasterExtent, type Extent } from '../raster/extent.js';
import type { RasterInfo, RasterSource } from '../raster/types.js';
import type { AnalysisGrid } from '../raster/types.js';

/** The rasters of a job, opened by the caller. */
export interface IngestInputs {
  beforeOrtho?: RasterSource;
  afterOrtho?: RasterSource;
  beforeDsm?: RasterSource;
  afterDsm?: RasterSource;
  beforeDtm?: RasterSource;
}

/** The rasters of one flight (a survey), opened by the caller: the DSM is needed, the others help. */
export interface FlightInputs {
  ortho?: RasterSource;
  dsm?: RasterSource;
  dtm?: RasterSource;
}

/** Which evidence decides: model and heights, heights alone, or the model alone. */
export type IngestMode = 'ortho_dsm' | 'dsm' | 'ortho';

/** What ingest decided. */
export interface IngestResult {
  mode: IngestMode;
  sources: IngestInputs;
  grid: AnalysisGrid;
  /** Why the grid is in its CRS, in words for the run summary; `ingest` always says. */
  gridCrsReason: string;
}

/** Options of `ingest`. */
export interface IngestOptions {
  /** The model's native ground sample distance (m): the analysis grid's pixel size. */
  gsd: number;
}

/** What ingest decided for one flight: heights with an orthophoto's colours, or heights alone. */
export interface FlightIngestResult {
  mode: Exclude<IngestMode, 'ortho'>;
  grid: AnalysisGrid;
  gridCrsReason: string;
}

type Role = keyof IngestInputs | keyof FlightInputs;
const roleNames: Record<Role, string> = {
  beforeOrtho: 'before orthophoto',
  afterOrtho: 'after orthophoto',
  beforeDsm: 'before DSM',
  afterDsm: 'after DSM',
  beforeDtm: 'before DTM',
  ortho: 'orthophoto',
  dsm: 'DSM',
  dtm: 'DTM',
};

/** Pixels per side of the lattice sampled to check a height model's contents. */
const latticeSize = 16;
/** Pixels per strip when a height model must be scanned whole. */
const scanPixels = 1 << 22;

/** Validates the rasters of a job, decides its mode and picks the analysis grid. */
export async function ingest(inputs: IngestInputs, options: IngestOptions): Promise<IngestResult> {
  if (!(options.gsd > 0)) throw new RangeError(`gsd must be a positive number of metres, got ${options.gsd}`);
  const mode = decideMode(inputs);
  const given = (['beforeOrtho', 'afterOrtho', 'beforeDsm', 'afterDsm', 'beforeDtm'] as const).filter((role) => inputs[role] !== undefined);
  for (const role of given) await validate(inputs[role] as RasterSource, role);
  // The after orthophoto (else the after DSM) defines the analysis grid's CRS.
  const referenceRole: Role = inputs.afterOrtho ? 'afterOrtho' : 'afterDsm';
  const { crs, epsg, reason } = analysisCrs(inputs[referenceRole] as RasterSource, referenceRole);
  const extent = sharedExtent(inputs, crs, epsg);
  return { mode, sources: inputs, grid: snapGrid(extent, options.gsd, crs, epsg), gridCrsReason: reason };
}

/**
 * Validates the rasters of one flight (a survey) and picks the analysis grid over the area they
 * share, in the orthophoto's CRS (else the DSM's). The DSM is needed: buildings are found by height.
 */
export async function ingestFlight(inputs: FlightInputs, options: IngestOptions): Promise<FlightIngestResult> {
  if (!(options.gsd > 0)) throw new RangeError(`gsd must be a positive number of metres, got ${options.gsd}`);
  if (!inputs.dsm) {
    const what = inputs.ortho ? `${inputs.ortho.name} is the orthophoto but no DSM was given` : 'no rasters given';
    throw new BadInputError(what, 'a survey finds buildings by their height: pass --dsm (an orthophoto alone has no heights)');
  }
  const roles = (['ortho', 'dsm', 'dtm'] as const).filter((role) => inputs[role] !== undefined);
  for (const role of roles) await validate(inputs[role] as RasterSource, role);
  const referenceRole = inputs.ortho ? 'ortho' : 'dsm';
  const { crs, epsg, reason } = analysisCrs(inputs[referenceRole] as RasterSource, referenceRole);
  const { extent } = epochExtent(inputs, roles, crs, epsg);
  return { mode: inputs.ortho ? 'ortho_dsm' : 'dsm', grid: snapGrid(extent, options.gsd, crs, epsg), gridCrsReason: reason };
}

/**
 * The CRS of the analysis grid: the reference raster's own when it is projected in metres; for
 * one in degrees or Mercator, the local metric CRS of its centre (so that areas and thresholds
 * are in metres on the ground). Any other unit is refused.
 */
function analysisCrs(reference: RasterSource, role: Role): { crs: string; epsg: number | null; reason: string } {
  const { info, name } = reference;
  const own = info.proj4 as string;
  const what = `${name} (${roleNames[role]})`;
  const measure = crsMeasure(own);
  if (measure === 'metres') return { crs: own, epsg: info.epsg, reason: `the CRS of ${what}` };
  // validate() has made sure the raster is north-up
  const [x0, pixelWidth, , y0, , pixelHeight] = info.geoTransform;
  const [longitude, latitude] = toWgs84(own)([x0 + (info.width / 2) * pixelWidth, y0 + (info.height / 2) * pixelHeight]);
  const local = localMetricCrs(longitude, latitude);
  if (typeof measure === 'object') {
    throw new BadInputError(
      `${what} is in ${crsLabel(own, info.epsg)}, measured in ${measure.unit}; the analysis grid needs metres`,
      `reproject it with gdalwarp -t_srs EPSG:${local.epsg} (${local.name})`,
    );
  }
  const kind = measure === 'degrees' ? 'a geographic CRS (degrees)' : 'a Mercator CRS (true to scale at one latitude only)';
  const centre = `${Math.abs(longitude).toFixed(4)}°${longitude < 0 ? 'W' : 'E'} ${Math.abs(latitude).toFixed(4)}°${latitude < 0 ? 'S' : 'N'}`;
  return {
    crs: proj4Definition(local.epsg),
    epsg: local.epsg,
    reason: `${what} is in ${kind}, ${crsLabel(own, info.epsg)}; the grid is in EPSG:${local.epsg} (${local.name}), the zone of the scene centre ${centre}`,
  };
}

/** The mode for the rasters given; a raster without its counterpart is an error. */
function decideMode(inputs: IngestInputs): IngestMode {
  const pair = (before: keyof IngestInputs, after: keyof IngestInputs): boolean => {
    const hasBefore = inputs[before] !== undefined;
    const hasAfter = inputs[after] !== undefined;
    if (hasBefore === hasAfter) return hasBefore;
    const [present, missing] = hasBefore ? [before, after] : [after, before];
    throw new BadInputError(
      `${(inputs[present] as RasterSource).name} is the ${roleNames[present]} but no ${roleNames[missing]} was given`,
      `pass the ${roleNames[missing]} too (--${flag(missing)}), or leave out --${flag(present)}`,
    );
  };
  const orthos = pair('beforeOrtho', 'afterOrtho');
  const dsms = pair('beforeDsm', 'afterDsm');
  if (inputs.beforeDtm && !dsms) {
    throw new BadInputError(
      `${inputs.beforeDtm.name} is the before DTM but no DSMs were given`,
      'a DTM only serves heights: pass --before-dsm and --after-dsm, or leave out --before-dtm',
    );
  }
  if (orthos && dsms) return 'ortho_dsm';
  if (dsms) return 'dsm';
  if (orthos) return 'ortho';
  throw new BadInputError('no rasters given', 'pass --before-ortho and --after-ortho, --before-dsm and --after-dsm, or all four');
}

function flag(role: Role): string {
  return role.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Checks one raster's CRS, geotransform, band layout and (for heights) its contents. */
async function validate(source: RasterSource, role: Role): Promise<void> {
  const { info, name } = source;
  const what = `${name} (${roleNames[role]})`;
  if (info.proj4 === null) {
    throw new BadInputError(
      `${what} has an unknown CRS${info.epsg === null ? '' : ` (EPSG:${info.epsg})`}`,
      `pass a proj string for it, or reproject it with gdalwarp -t_srs EPSG:4549`,
    );
  }
  const [, pixelWidth, rowRotation, , columnRotation, pixelHeight] = info.geoTransform;
  if (rowRotation !== 0 || columnRotation !== 0 || !(pixelWidth > 0) || !(pixelHeight < 0)) {
    throw new BadInputError(
      `${what} is not north-up (geotransform ${JSON.stringify(info.geoTransform)})`,
      `resample it north-up with gdalwarp -t_srs EPSG:${info.epsg ?? 4549}`,
    );
  }
  if (role === 'ortho' || role.endsWith('Ortho')) {
    if (info.sampleType !== 'uint8' || (info.bandCount !== 3 && info.bandCount !== 4)) {
      throw new BadInputError(
        `${what} has ${info.bandCount} band(s) of ${info.sampleType}; an orthophoto must be RGB or RGBA uint8`,
        'convert it with gdal_translate -ot Byte -scale -b 1 -b 2 -b 3',
      );
    }
    return;
  }
  if ((info.sampleType !== 'float32' && info.sampleType !== 'float64') || info.bandCount !== 1) {
    throw new BadInputError(
      `${what} has ${info.bandCount} band(s) of ${info.sampleType}; a height model must be one band of float32 or float64 metres`,
      'convert it with gdal_translate -ot Float32 -b 1',
    );
  }
  await checkHeights(source, what);
}

/**
 * Rejects a height model that is all nodata, or whose edges are 0 without a nodata value. Both are
 * judged on a lattice of single pixels (a whole-raster read would decode a raster without
 * overviews entirely); only when no sample holds a height is the raster scanned, strip by strip.
 */
async function checkHeights(source: RasterSource, what: string): Promise<void> {
  const { info } = source;
  const nodata = info.nodata;
  const isHeight = (v: number): boolean => v === v && v !== nodata && v !== Math.fround(nodata ?? NaN);
  const { samples, edges } = await sampleLattice(source);
  if (!samples.some(isHeight) && !(await scanForHeight(source, isHeight))) {
    throw new BadInputError(
      `${what} holds no heights: every pixel is nodata${nodata === null ? ' (NaN)' : ` (${nodata})`}`,
      'check that the photogrammetry export finished, and that this is the right file',
    );
  }
  if (nodata !== null) return;
  const zeros = edges.filter((v) => v === 0).length;
  if (zeros * 2 >= edges.length) {
    throw new BadInputError(
      `${what} has no nodata value and ${zeros} of ${edges.length} edge samples are 0: the area outside the survey would read as ground at 0 m`,
      `mark the fill as nodata, e.g. gdal_edit.py -a_nodata 0 ${source.name}`,
    );
  }
}

/** Band-0 values on a lattice of pixels spanning the raster (read one row at a time), and those on its border. */
async function sampleLattice(source: RasterSource): Promise<{ samples: number[]; edges: number[] }> {
  const { width, height } = source.info;
  const columns = Math.min(width, latticeSize);
  const rows = Math.min(height, latticeSize);
  const samples: number[] = [];
  const edges: number[] = [];
  for (let j = 0; j < rows; j++) {
    const y = rows === 1 ? 0 : Math.round((j * (height - 1)) / (rows - 1));
    const { data } = await source.readWindow({ x: 0, y, width, height: 1 }, { bands: [0] });
    for (let i = 0; i < columns; i++) {
      const value = data[columns === 1 ? 0 : Math.round((i * (width - 1)) / (columns - 1))];
      samples.push(value);
      if (i === 0 || j === 0 || i === columns - 1 || j === rows - 1) edges.push(value);
    }
  }
  return { samples, edges };
}

/** True when any pixel holds a height, read in strips of rows so that memory stays bounded. */
async function scanForHeight(source: RasterSource, isHeight: (v: number) => boolean): Promise<boolean> {
  const { width, height } = source.info;
  const rows = Math.max(1, Math.floor(scanPixels / width));
  for (let y = 0; y < height; y += rows) {
    const { data } = await source.readWindow({ x: 0, y, width, height: Math.min(rows, height - y) }, { bands: [0] });
    if (data.some(isHeight)) return true;
  }
  return false;
}

/** Intersection of all inputs' extents in `crs`; an empty one names the rasters that do not overlap. */
function sharedExtent(inputs: IngestInputs, crs: string, epsg: number | null): Extent {
  const before = epochExtent(inputs, ['beforeOrtho', 'beforeDsm', 'beforeDtm'], crs, epsg);
  const after = epochExtent(inputs, ['afterOrtho', 'afterDsm'], crs, epsg);
  const shared = intersectExtents([before.extent, after.extent]);
  if (shared === null) {
    throw new BadInputError(
      `the before and after epochs do not overlap: before (${before.names.join(', ')}) covers ${show(before.extent)}, after (${after.names.join(', ')}) covers ${show(after.extent)} in ${crsLabel(crs, epsg)}`,
      'check that both flights cover the same area and that each file has the right CRS',
    );
  }
  return shared;
}

/** Intersection of the extents of one epoch's rasters in `crs`, and their names; an empty one names the rasters that do not overlap. */
function epochExtent(inputs: Partial<Record<Role, RasterSource>>, roles: readonly Role[], crs: string, epsg: number | null): { extent: Extent; names: string[] } {
  let extent: Extent | null = null;
  const names: string[] = [];
  for (const role of roles) {
    const source = inputs[role];
    if (!source) continue;
    const own = rasterExtent(source.info as RasterInfo & { proj4: string }, crs);
    const shared: Extent | null = extent === null ? own : intersectExtents([extent, own]);
    if (shared === null) {
      throw new BadInputError(
        `${source.name} (${roleNames[role]}) does not overlap ${names.join(', ')}: it covers ${show(own)}, they cover ${show(extent as Extent)} in ${crsLabel(crs, epsg)}`,
        'check that the files belong to the same flight and that their CRS is right',
      );
    }
    extent = shared;
    names.push(source.name);
  }
  return { extent: extent as Extent, names };
}

/** North-up grid of `gsd` pixels whose origin is a multiple of `gsd`, covering `extent`. */
function snapGrid(extent: Extent, gsd: number, crs: string, epsg: number | null): AnalysisGrid {
  // A little slack so that an edge at 496594.0000001 m does not add a sliver column.
  const slack = 1e-6;
  const x0 = Math.floor(extent[0] / gsd + slack);
  const x1 = Math.ceil(extent[2] / gsd - slack);
  const y0 = Math.floor(extent[1] / gsd + slack);
  const y1 = Math.ceil(extent[3] / gsd - slack);
  return { crs, epsg, geoTransform: [x0 * gsd, gsd, 0, y1 * gsd, 0, -gsd], width: x1 - x0, height: y1 - y0 };
}

function show(extent: Extent): string {
  return `[${extent.map((v) => v.toFixed(2)).join(', ')}]`;
}

function crsLabel(crs: string, epsg: number | null): string {
  return epsg === null ? crs : `EPSG:${epsg}`;
}
