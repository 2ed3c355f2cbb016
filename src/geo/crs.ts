/**
 * CRS definitions as proj4 strings: CGCS2000 (geographic and its Gauss-Krüger zones), WGS84,
 * Web Mercator and UTM. A CRS is named by EPSG code; a user-defined CRS is passed as a proj string
 * or as WKT (a Shapefile's .prj), which `crsFromWkt` turns back into an EPSG code where it can.
 */
import proj4 from 'proj4';
import { BadInputError } from '../errors.js';

/** CGCS2000 uses the GRS80 ellipsoid; its datum agrees with WGS84 to centimetres. */
const cgcs2000 = '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs';

/** A transverse Mercator zone: central meridian, false easting and width in degrees. */
interface Zone {
  centralMeridian: number;
  falseEasting: number;
  width: number;
}

/**
 * The CGCS2000 Gauss-Krüger zone of an EPSG code, or null. 6-degree: zones 13-23 with the zone
 * number in the false easting (EPSG:4491-4501), then the same central meridians (75°E-135°E)
 * without it (4502-4512). 3-degree: zones 25-45 with the zone number (4513-4533), then central
 * meridians 75°E-135°E without it (4534-4554).
 */
function gaussKrugerZone(epsg: number): Zone | null {
  if (epsg >= 4491 && epsg <= 4501) {
    const zone = epsg - 4491 + 13;
    return { centralMeridian: zone * 6 - 3, falseEasting: zone * 1e6 + 500000, width: 6 };
  }
  if (epsg >= 4502 && epsg <= 4512) return { centralMeridian: 75 + (epsg - 4502) * 6, falseEasting: 500000, width: 6 };
  if (epsg >= 4513 && epsg <= 4533) {
    const zone = epsg - 4513 + 25;
    return { centralMeridian: zone * 3, falseEasting: zone * 1e6 + 500000, width: 3 };
  }
  if (epsg >= 4534 && epsg <= 4554) return { centralMeridian: 75 + (epsg - 4534) * 3, falseEasting: 500000, width: 3 };
  return null;
}

/** The WGS84 UTM zone of an EPSG code (326xx north, 327xx south), or null. */
function utmZone(epsg: number): (Zone & { south: boolean }) | null {
  const south = epsg >= 32701 && epsg <= 32760;
  if (!south && !(epsg >= 32601 && epsg <= 32660)) return null;
  return { centralMeridian: (epsg % 100) * 6 - 183, falseEasting: 500000, width: 6, south };
}

/** proj4 definition of an EPSG code zhiwei knows, or null. */
function knownDefinition(epsg: number): string | null {
  if (epsg === 4326) return '+proj=longlat +datum=WGS84 +no_defs';
  if (epsg === 4490) return '+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs';
  if (epsg === 3857) {
    return '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs';
  }
  const gk = gaussKrugerZone(epsg);
  if (gk) return `+proj=tmerc +lat_0=0 +lon_0=${gk.centralMeridian} +k=1 +x_0=${gk.falseEasting} +y_0=0 ${cgcs2000}`;
  const utm = utmZone(epsg);
  if (utm) return `+proj=utm +zone=${epsg % 100}${utm.south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`;
  return null;
}

/** A longitude/latitude box in degrees. */
export interface LonLatBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

/** The whole earth, the area of use of a geographic CRS. */
export const wholeEarth: LonLatBox = Object.freeze({ west: -180, south: -90, east: 180, north: 90 });

/**
 * Where coordinates in an EPSG code zhiwei knows can lie, or null for other codes. A zone's area
 * is its strip widened by half a zone on each side (a district on a zone's edge keeps its city's
 * zone), within CGCS2000's area for the Gauss-Krüger zones and UTM's latitudes for UTM.
 */
export function areaOfUse(epsg: number): LonLatBox | null {
  if (epsg === 4326) return wholeEarth;
  if (epsg === 4490) return cgcs2000Area;
  if (epsg === 3857) return { west: -180, south: -85.06, east: 180, north: 85.06 };
  const gk = gaussKrugerZone(epsg);
  if (gk) return { west: gk.centralMeridian - gk.width, south: cgcs2000Area.south, east: gk.centralMeridian + gk.width, north: cgcs2000Area.north };
  const utm = utmZone(epsg);
  if (utm) return { west: utm.centralMeridian - utm.width, east: utm.centralMeridian + utm.width, ...(utm.south ? { south: -80, north: 0 } : { south: 0, north: 84 }) };
  return null;
}

/** True when a longitude/latitude lies in the box. */
export function inLonLatBox([longitude, latitude]: [number, number], box: LonLatBox): boolean {
  return longitude >= box.west && longitude <= box.east && latitude >= box.south && latitude <= box.north;
}

/** proj4 definition for an EPSG code; throws a BadInputError that says how to pass a proj string. */
export function proj4Definition(epsg: number): string {
  const definition = knownDefinition(epsg);
  if (definition === null) {
    throw new BadInputError(
      `unknown CRS EPSG:${epsg}: zhiwei knows CGCS2000 (EPSG:4490, 4491-4554), WGS84 (4326), Web Mercator (3857) and UTM (32601-32660, 32701-32760)`,
      `pass the CRS as a proj string instead, e.g. --crs "+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"`,
    );
  }
  return definition;
}

/** True when zhiwei has a definition for this EPSG code. */
export function isKnownEpsg(epsg: number): boolean {
  return knownDefinition(epsg) !== null;
}

/** A CRS given as an EPSG code, a proj string or WKT. */
export type Crs = number | string;

/** proj4 definition of a CRS given as EPSG code, "EPSG:n", a proj string or WKT (passed through as is). */
export function crsDefinition(crs: Crs): string {
  if (typeof crs === 'number') return proj4Definition(crs);
  const match = /^\s*epsg:(\d+)\s*$/i.exec(crs);
  if (match) return proj4Definition(Number(match[1]));
  if (isWkt(crs)) return crs.trim();
  if (!crs.trim().startsWith('+proj=')) {
    throw new BadInputError(
      `CRS "${crs}" is neither an EPSG code nor a proj string nor WKT`,
      'use EPSG:4549 or "+proj=... +units=m"',
    );
  }
  return crs;
}

/** True when the text looks like WKT1 or WKT2 (a .prj file's content). */
export function isWkt(text: string): boolean {
  return /^\s*(PROJCS|GEOGCS|PROJCRS|GEOGCRS|GEODCRS)\s*\[/i.test(text);
}

/** A function mapping [x, y] from one CRS to another. */
export type CoordinateTransform = (point: [number, number]) => [number, number];

/** Coordinate transform between two CRSs; longitude/latitude order for geographic ones. */
export function crsTransform(from: Crs, to: Crs): CoordinateTransform {
  const converter = proj4(crsDefinition(from), crsDefinition(to));
  return (point) => converter.forward(point) as [number, number];
}

/** Transform from a CRS to WGS84 longitude/latitude (as GeoJSON wants). */
export function toWgs84(from: Crs): CoordinateTransform {
  return crsTransform(from, 4326);
}

/** EPSG code of the CGCS2000 3-degree Gauss-Krüger zone (no zone prefix) whose meridian is nearest. */
export function gaussKrugerEpsgForLongitude(longitude: number): number {
  const meridian = Math.min(135, Math.max(75, Math.round(longitude / 3) * 3));
  return 4534 + (meridian - 75) / 3;
}

/** EPSG code of the WGS84 UTM zone of a point (326xx north of the equator, 327xx south). */
export function utmEpsg(longitude: number, latitude: number): number {
  const zone = Math.min(60, Math.floor((longitude + 180) / 6) + 1);
  return (latitude >= 0 ? 32600 : 32700) + zone;
}

/** The area of use of CGCS2000 (EPSG:4490), China onshore and offshore, as a longitude/latitude box. */
const cgcs2000Area: LonLatBox = Object.freeze({ west: 73.62, south: 16.7, east: 134.77, north: 53.56 });

/**
 * A projected CRS in metres, true to scale near a point, with its EPSG name: the CGCS2000 3-degree
 * Gauss-Krüger zone (no zone prefix) inside CGCS2000's area of use, else the WGS84 UTM zone.
 */
export function localMetricCrs(longitude: number, latitude: number): { epsg: number; name: string } {
  const { west, south, east, north } = cgcs2000Area;
  if (longitude >= west && longitude <= east && latitude >= south && latitude <= north) {
    const epsg = gaussKrugerEpsgForLongitude(longitude);
    return { epsg, name: `CGCS2000 / 3-degree Gauss-Kruger CM ${75 + (epsg - 4534) * 3}E` };
  }
  const epsg = utmEpsg(longitude, latitude);
  return { epsg, name: `WGS 84 / UTM zone ${epsg % 100}${epsg < 32700 ? 'N' : 'S'}` };
}

/** How a CRS measures the ground: in metres, in degrees, in Mercator units, or in another linear unit. */
export type CrsMeasure = 'metres' | 'degrees' | 'mercator' | { unit: string };

/**
 * How a CRS measures the ground. Every Mercator counts as 'mercator', whatever its units: its
 * scale is true only at one latitude (Web Mercator's is the equator; at 41°N a metre is 1.32 units).
 */
export function crsMeasure(crs: Crs): CrsMeasure {
  const parsed = new proj4.Proj(crsDefinition(crs)) as unknown as { names?: string[]; units?: string; to_meter?: number };
  const names = parsed.names ?? [];
  if (names.includes('longlat')) return 'degrees';
  if (names.includes('merc')) return 'mercator';
  const toMetre = parsed.to_meter ?? 1;
  if (Math.abs(toMetre - 1) <= 1e-12) return 'metres';
  return { unit: parsed.units ?? `${toMetre} m` };
}

/**
 * EPSG code of a WKT CRS where the WKT names an EPSG code zhiwei knows, or has the parameters of
 * one (ESRI .prj files carry no authority); otherwise the WKT itself. Throws when proj4 cannot read it.
 */
export function crsFromWkt(wkt: string): Crs {
  const text = wkt.trim();
  // The authority of the whole CRS is the last element of the outermost bracket.
  const authority = /(?:AUTHORITY\s*\[\s*"EPSG"\s*,\s*"?(\d+)"?\s*\]|ID\s*\[\s*"EPSG"\s*,\s*(\d+)\s*\])\s*\]\s*$/i.exec(text);
  const epsg = authority ? Number(authority[1] ?? authority[2]) : null;
  if (epsg !== null && isKnownEpsg(epsg)) return epsg;
  let parsed: ProjParameters;
  try {
    parsed = new proj4.Proj(text) as unknown as ProjParameters;
  } catch (err) {
    throw new BadInputError(`CRS WKT is not readable (${(err as Error).message}): ${text.slice(0, 80)}...`);
  }
  if (epsg !== null) return text;
  // 3-degree and 6-degree CGCS2000 zones share central meridians (75°E, 81°E, ...); the name tells them apart.
  const sixDegree = !/3[\s_-]*degree/i.test(text) && /GK|Gauss/i.test(text);
  return knownEpsgCodes(sixDegree).find((code) => sameParameters(parsed, knownProj(code))) ?? text;
}

/** The parameters of a parsed proj4 definition that decide where a coordinate lands. */
interface ProjParameters {
  projName?: string;
  lat0?: number;
  long0?: number;
  k0?: number;
  x0?: number;
  y0?: number;
  a: number;
  es: number;
  to_meter?: number;
  datum?: { datum_params?: number[] };
}

const knownProjCache = new Map<number, ProjParameters>();

function knownProj(epsg: number): ProjParameters {
  let parsed = knownProjCache.get(epsg);
  if (!parsed) {
    parsed = new proj4.Proj(proj4Definition(epsg)) as unknown as ProjParameters;
    knownProjCache.set(epsg, parsed);
  }
  return parsed;
}

/** Every EPSG code zhiwei has a definition for, with 3-degree or 6-degree Gauss-Krüger zones first. */
function knownEpsgCodes(sixDegreeFirst: boolean): number[] {
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const zones = sixDegreeFirst ? [...range(4491, 4512), ...range(4513, 4554)] : [...range(4513, 4554), ...range(4491, 4512)];
  return [4326, 4490, 3857, ...zones, ...range(32601, 32660), ...range(32701, 32760)];
}

/** Projection family: proj4 keeps the name the WKT used (Gauss_Kruger, Transverse Mercator, utm...). */
function projectionFamily(name: string | undefined): string {
  const key = (name ?? '').toLowerCase().replace(/[^a-z]/g, '');
  return ['tmerc', 'etmerc', 'utm', 'transversemercator', 'gausskruger'].includes(key) ? 'tmerc' : key;
}

function sameParameters(a: ProjParameters, b: ProjParameters): boolean {
  const near = (x: number | undefined, y: number | undefined, tolerance: number) => Math.abs((x ?? 0) - (y ?? 0)) <= tolerance;
  const noShift = (p: ProjParameters) => (p.datum?.datum_params ?? []).every((v) => v === 0);
  return (
    projectionFamily(a.projName) === projectionFamily(b.projName) &&
    near(a.a, b.a, 1e-3) &&
    near(a.es, b.es, 1e-13) &&
    noShift(a) &&
    near(a.long0, b.long0, 1e-10) &&
    near(a.lat0, b.lat0, 1e-10) &&
    near(a.k0 ?? 1, b.k0 ?? 1, 1e-10) &&
    near(a.x0, b.x0, 1e-3) &&
    near(a.y0, b.y0, 1e-3) &&
    (a.projName === 'longlat' || near(a.to_meter ?? 1, 1, 1e-12))
  );
}
