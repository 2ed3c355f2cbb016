/**
 * Where a layer lies, checked before anything is stored: every vertex inside the area of use of
 * the file's CRS and of the project CRS, and the layer near what the project already holds. A
 * refusal names the extents and, where another reading of the coordinates fits, the likely cause
 * (projected metres in a file read as degrees, axes swapped, another CRS than the file says).
 */
import { proposedProjectEpsg, type ProjectExtent } from '../db/project-crs.js';
import { BadInputError } from '../errors.js';
import { pointsBounds } from '../geo/bbox.js';
import { areaOfUse, crsMeasure, crsTransform, inLonLatBox, toWgs84, wholeEarth, type Crs, type LonLatBox } from '../geo/crs.js';
import type { VectorFeature } from './vector-layer.js';

/** A layer farther than this (m) from what the project holds is refused unless asked for. */
const farFromProjectM = 50_000;

/** What the project holds: its CRS and the extent of its geometries, each null while there are none. */
export interface ProjectPlace {
  epsg: number | null;
  extent: ProjectExtent | null;
}

/** A way to read a file's coordinates: in a CRS, x and y swapped or not. */
interface Reading {
  crs: Crs;
  swap: boolean;
}

/** Why a reading does not fit, with the row and position at fault where there is one. */
type Problem =
  | { kind: 'crs_area' | 'project_area'; row: number; point: [number, number]; lonLat: [number, number]; area: LonLatBox; epsg: number }
  | { kind: 'far'; distanceM: number; layer: ProjectExtent; epsg: number };

/**
 * The project CRS the layer is stored in (the project's, or the one the layer proposes); throws a
 * BadInputError naming the row or the extents when the layer cannot lie where its coordinates say.
 * `allowFar` accepts a layer far from what the project holds.
 */
export function checkPlacement(features: VectorFeature[], crs: Crs, name: string, project: ProjectPlace, allowFar: boolean): number {
  const problem = placementProblem(features, { crs, swap: false }, project, allowFar);
  if (problem === null) return project.epsg ?? (proposedProjectEpsg(crs, features[0].polygons[0][0][0]) as number);
  const cause = likelyCause(features, crs, project);
  if (problem.kind === 'far') {
    const where = project.extent as ProjectExtent;
    throw new BadInputError(
      `${name}: the layer lies ${(problem.distanceM / 1000).toFixed(1)} km from what the project holds: ` +
        `the layer ${formatExtent(problem.layer, problem.epsg)}, the project ${formatExtent(where, problem.epsg)}`,
      cause ?? `check the file's CRS; if the layer really lies there, pass --allow-move`,
    );
  }
  const { row, point, lonLat, area, kind } = problem;
  const areaOf = kind === 'crs_area' ? crsName(crs) : `the project CRS EPSG:${problem.epsg}${project.epsg === null ? ' (proposed by the first feature)' : ''}`;
  const at = kind === 'crs_area' ? '' : ` (${formatLonLat(lonLat)})`;
  throw new BadInputError(
    `${name}: row ${row}: ${formatPoint(point, crs)}${at} lies outside the area of use of ${areaOf} (${formatBox(area)}); ` +
      `the file's extent is ${formatExtent(fileExtent(features), crs)}` +
      (project.extent && project.epsg !== null ? `, the project's ${formatExtent(project.extent, project.epsg)}` : ''),
    cause ?? "check the file's CRS",
  );
}

/** The first thing wrong with reading the features so, or null when they fit. */
function placementProblem(features: VectorFeature[], reading: Reading, project: ProjectPlace, allowFar: boolean): Problem | null {
  const toLonLat = toWgs84(reading.crs);
  const crsArea = (typeof reading.crs === 'number' ? areaOfUse(reading.crs) : null) ?? wholeEarth;
  const first = position(features[0].polygons[0][0][0], reading);
  const epsg = project.epsg ?? proposedProjectEpsg(reading.crs, first);
  const projectArea = epsg === null ? null : (areaOfUse(epsg) ?? wholeEarth);
  for (const feature of features) {
    for (const p of vertices(feature)) {
      const point = position(p, reading);
      const lonLat = toLonLat(point);
      if (!inLonLatBox(lonLat, crsArea)) return { kind: 'crs_area', row: feature.row, point, lonLat, area: crsArea, epsg: epsg ?? 4326 };
      if (projectArea && !inLonLatBox(lonLat, projectArea)) return { kind: 'project_area', row: feature.row, point, lonLat, area: projectArea, epsg: epsg as number };
    }
  }
  if (allowFar || project.extent === null || epsg === null) return null;
  const toProject = crsTransform(reading.crs, epsg);
  const layer = pointsBounds(features.flatMap((feature) => [...vertices(feature)].map((p) => toProject(position(p, reading)))));
  const distanceM = extentDistance(layer, project.extent);
  return distanceM > farFromProjectM ? { kind: 'far', distanceM, layer, epsg } : null;
}

/**
 * Another reading of the coordinates that fits, said as the likely cause and what to do, or null:
 * x and y swapped; the project CRS's metres; a Gauss-Krüger zone whose number leads the eastings.
 */
function likelyCause(features: VectorFeature[], crs: Crs, project: ProjectPlace): string | null {
  const fits = (reading: Reading) => placementProblem(features, reading, project, false) === null;
  const degrees = crsMeasure(crs) === 'degrees';
  if (fits({ crs, swap: true })) {
    return degrees ? 'latitude and longitude look swapped: put longitude first, as GeoJSON and Shapefiles do' : 'x and y look swapped: put the easting first';
  }
  const said = degrees ? '' : `, not ${crsName(crs)} as the file says`;
  for (const epsg of new Set([project.epsg, zonePrefixedEpsg(features)])) {
    if (epsg !== null && epsg !== crs && fits({ crs: epsg, swap: false })) return `the coordinates look like EPSG:${epsg} metres${said}: pass --crs EPSG:${epsg}`;
  }
  const [x, y] = features[0].polygons[0][0][0];
  if (degrees && (Math.abs(x) > 360 || Math.abs(y) > 360)) return 'the coordinates look like projected metres: pass --crs EPSG:NNNN, the CRS they are in';
  return null;
}

/** The CGCS2000 Gauss-Krüger CRS whose zone number leads the first easting (zones 13-23: 6-degree, 25-45: 3-degree), or null. */
function zonePrefixedEpsg(features: VectorFeature[]): number | null {
  const zone = Math.floor(features[0].polygons[0][0][0][0] / 1e6);
  if (zone >= 13 && zone <= 23) return 4491 + zone - 13;
  if (zone >= 25 && zone <= 45) return 4513 + zone - 25;
  return null;
}

function* vertices(feature: VectorFeature): Generator<[number, number]> {
  for (const polygon of feature.polygons) for (const ring of polygon) yield* ring;
}

function position([x, y]: [number, number], reading: Reading): [number, number] {
  return reading.swap ? [y, x] : [x, y];
}

function fileExtent(features: VectorFeature[]): ProjectExtent {
  return pointsBounds(features.flatMap((feature) => [...vertices(feature)]));
}

/** Distance between two boxes (0 when they meet); Infinity when one could not be placed. */
function extentDistance(a: ProjectExtent, b: ProjectExtent): number {
  const dx = Math.max(0, b[0] - a[2], a[0] - b[2]);
  const dy = Math.max(0, b[1] - a[3], a[1] - b[3]);
  const distance = Math.hypot(dx, dy);
  return Number.isNaN(distance) ? Infinity : distance;
}

function crsName(crs: Crs): string {
  return typeof crs === 'number' ? `EPSG:${crs}` : `the CRS "${crs.slice(0, 60)}${crs.length > 60 ? '...' : ''}"`;
}

/** A coordinate to a micro-degree (a value that can be degrees in a geographic CRS) or a decimetre, without trailing zeros. */
function coordinate(value: number, crs: Crs): string {
  return String(Number(value.toFixed(crsMeasure(crs) === 'degrees' && Math.abs(value) <= 360 ? 6 : 1)));
}

function formatPoint([x, y]: [number, number], crs: Crs): string {
  return `(${coordinate(x, crs)}, ${coordinate(y, crs)})`;
}

/** An extent in its CRS, and its centre as longitude/latitude. */
function formatExtent(extent: ProjectExtent, crs: Crs): string {
  const [x0, y0, x1, y1] = extent.map((v) => coordinate(v, crs));
  const centre = toWgs84(crs)([(extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2]);
  const around = inLonLatBox(centre, wholeEarth) ? ` around ${formatLonLat(centre)}` : '';
  return `x ${x0}…${x1}, y ${y0}…${y1} in ${crsName(crs)}${around}`;
}

function formatLonLat([lon, lat]: [number, number]): string {
  return `${Math.abs(lon).toFixed(2)}°${lon < 0 ? 'W' : 'E'} ${Math.abs(lat).toFixed(2)}°${lat < 0 ? 'S' : 'N'}`;
}

function formatBox(box: LonLatBox): string {
  const lon = (v: number) => `${Math.abs(v)}°${v < 0 ? 'W' : 'E'}`;
  const lat = (v: number) => `${Math.abs(v)}°${v < 0 ? 'S' : 'N'}`;
  return `${lon(box.west)}–${lon(box.east)}, ${lat(box.south)}–${lat(box.north)}`;
}
