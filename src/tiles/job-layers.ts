/**
 * The tile layers of a detect job, from its stored spec and summary (the `jobs` row, whether the
 * job ran from `zhiwei detect` or was submitted to the service: both store the resolved job with
 * camelCase keys and absolute paths or URLs). `before` and `after` are the orthophotos (a survey's
 * one orthophoto, its `ortho`, is its `after`);
 * `height-change` needs both DSMs and the vertical offset the run fitted, so it appears once the
 * run has measured it.
 */
import { isAbsolute } from 'node:path';

/** Names of tile layers. */
export const TILE_LAYERS = ['before', 'after', 'height-change'] as const;
/** One tile layer. */
export type TileLayerName = (typeof TILE_LAYERS)[number];

/** A job as tiles need it. */
export interface TileJob {
  id: number;
  spec: Record<string, unknown>;
  summary: Record<string, unknown> | null;
}

/** An orthophoto layer. */
export interface OrthophotoLayer {
  name: 'before' | 'after';
  orthophoto: string;
}

/** The height-change layer: the DSM pair and what the run measured between them. */
export interface HeightChangeLayer {
  name: 'height-change';
  beforeDsm: string;
  afterDsm: string;
  /** The fitted plane (summary `vertical_offset`): offset (m) and tilt (m/m along map x and y). */
  offset: { offset: number; tiltX: number; tiltY: number; spread: number; stableSamples: number };
  /** The co-registration shift (m) the run applied to the before epoch; zero when it applied none. */
  shift: { dx: number; dy: number };
  /** The analysis grid's CRS as the summary names it (`grid.crs`); null in summaries of runs before it was recorded. */
  gridCrs: string | null;
  /** Where `gridCrs` is null, the raster whose CRS the grid took: the after orthophoto, else the after DSM. */
  gridReference: string;
  /** Every raster of the job: the analysis grid is their common extent. */
  rasters: string[];
}

/** A layer of a job. */
export type JobLayer = OrthophotoLayer | HeightChangeLayer;

const rasterRoles = ['beforeOrtho', 'afterOrtho', 'beforeDsm', 'afterDsm', 'beforeDtm'] as const;

/** The layers the job has, in the order before, after, height change. */
export function jobLayers(job: TileJob): JobLayer[] {
  const paths = rasterPaths(job.spec);
  const layers: JobLayer[] = [];
  if (paths.beforeOrtho) layers.push({ name: 'before', orthophoto: paths.beforeOrtho });
  if (paths.afterOrtho) layers.push({ name: 'after', orthophoto: paths.afterOrtho });
  const offset = fittedOffset(job.summary);
  if (paths.beforeDsm && paths.afterDsm && offset) {
    layers.push({
      name: 'height-change', beforeDsm: paths.beforeDsm, afterDsm: paths.afterDsm, offset, shift: coregistrationShift(job.summary),
      gridCrs: gridCrs(job.summary), gridReference: paths.afterOrtho ?? paths.afterDsm, rasters: Object.values(paths),
    });
  }
  return layers;
}

/**
 * The job's raster paths that the service can open: absolute paths and http(s) URLs (rows from
 * before `zhiwei detect` stored absolute paths may hold relative ones, which name no file here).
 */
function rasterPaths(spec: Record<string, unknown>): Partial<Record<(typeof rasterRoles)[number], string>> {
  const paths: Partial<Record<(typeof rasterRoles)[number], string>> = {};
  const servable = (value: unknown): value is string => typeof value === 'string' && (isAbsolute(value) || /^https?:\/\//i.test(value));
  for (const role of rasterRoles) {
    const value = spec[role];
    if (servable(value)) paths[role] = value;
  }
  if (!paths.afterOrtho && servable(spec.ortho)) paths.afterOrtho = spec.ortho;
  return paths;
}

/** The summary's `vertical_offset` (as `run-detect.ts` describes it), or null when the run has not measured one. */
function fittedOffset(summary: Record<string, unknown> | null): HeightChangeLayer['offset'] | null {
  const fit = summary?.vertical_offset as Record<string, unknown> | null | undefined;
  if (!fit || typeof fit.offset_m !== 'number') return null;
  const tilt = Array.isArray(fit.tilt_m_per_m) ? fit.tilt_m_per_m.map(Number) : [0, 0];
  return { offset: fit.offset_m, tiltX: tilt[0] || 0, tiltY: tilt[1] || 0, spread: Number(fit.spread_m ?? 0), stableSamples: Number(fit.stable_samples ?? 0) };
}

function coregistrationShift(summary: Record<string, unknown> | null): { dx: number; dy: number } {
  const shift = summary?.coregistration_shift_m as { dx?: unknown; dy?: unknown } | null | undefined;
  return { dx: Number(shift?.dx ?? 0) || 0, dy: Number(shift?.dy ?? 0) || 0 };
}

/** The analysis grid's CRS from a run summary (`grid.crs`: "EPSG:n" or a proj string), or null. */
function gridCrs(summary: Record<string, unknown> | null): string | null {
  const crs = (summary?.grid as { crs?: unknown } | undefined)?.crs;
  return typeof crs === 'string' ? crs : null;
}
