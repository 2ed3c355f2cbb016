/**
 * Reading polygon GeoJSON (RFC 7946, WGS84, or old-style GeoJSON with a `crs` member as GDAL writes
 * for projected data) and moving it into a projected CRS for measuring.
 */
import { readFile } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import type { CoordinateTransform, Crs } from './crs.js';

/** Rings of one polygon: outer ring first, then holes; [x, y] positions. */
export type PolygonRings = [number, number][][];

/** A polygon feature reduced to its parts (a MultiPolygon is a list of polygons). */
export interface PolygonFeature {
  polygons: PolygonRings[];
  properties: Record<string, unknown>;
}

/**
 * A polygon FeatureCollection: the CRS of its coordinates (the old-style `crs` member, else WGS84)
 * and the raster CRS it came from (`crs_source`, a foreign member; coordinates stay WGS84), when noted.
 */
export interface PolygonCollection {
  features: PolygonFeature[];
  crs: Crs;
  crsSource: string | null;
}

/** Reads a GeoJSON FeatureCollection of Polygon/MultiPolygon features; errors name file and feature. */
export async function readPolygonCollection(path: string): Promise<PolygonCollection> {
  let json: unknown;
  try {
    // Editors on Windows often save a byte-order mark, which JSON.parse rejects.
    json = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new BadInputError(`${path}: not readable as JSON (${(err as Error).message})`);
  }
  return parsePolygonCollection(json, path);
}

/**
 * Validates parsed GeoJSON as a polygon FeatureCollection; `name` is used in error messages, which
 * number features from 1 as a user counts them.
 */
export function parsePolygonCollection(json: unknown, name: string): PolygonCollection {
  const collection = json as { type?: unknown; features?: unknown; crs?: unknown; crs_source?: unknown };
  if (collection?.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
    throw new BadInputError(`${name}: expected a GeoJSON FeatureCollection`);
  }
  const crs = namedCrs(collection.crs, name);
  const features = collection.features.map((feature: unknown, index: number) => parseFeature(feature, `${name}: feature ${index + 1}`));
  return { features, crs, crsSource: typeof collection.crs_source === 'string' ? collection.crs_source : null };
}

/** EPSG code of an old-style `crs` member ("EPSG:4549", "urn:ogc:def:crs:EPSG::4549", CRS84); WGS84 without one. */
function namedCrs(value: unknown, name: string): Crs {
  if (value === undefined || value === null) return 4326;
  const crs = value as { type?: unknown; properties?: { name?: unknown; code?: unknown } };
  if (crs.type === 'EPSG' && Number.isInteger(crs.properties?.code)) return crs.properties?.code as number;
  const crsName = crs.type === 'name' && typeof crs.properties?.name === 'string' ? crs.properties.name.trim() : '';
  if (/^urn:ogc:def:crs:OGC:[\d.]*:CRS84$/i.test(crsName)) return 4326;
  const epsg = /^(?:urn:ogc:def:crs:)?EPSG:(?:[\d.]*:)?(\d+)$/i.exec(crsName) ?? /\/def\/crs\/EPSG\/[\d.]+\/(\d+)$/i.exec(crsName);
  if (epsg) return Number(epsg[1]);
  throw new BadInputError(
    `${name}: crs member ${JSON.stringify(value)} is not understood`,
    'name an EPSG code ({"type":"name","properties":{"name":"EPSG:4549"}}), or drop it and store WGS84 (RFC 7946)',
  );
}

function parseFeature(value: unknown, where: string): PolygonFeature {
  const feature = value as { type?: unknown; geometry?: { type?: unknown; coordinates?: unknown } | null; properties?: unknown };
  if (feature?.type !== 'Feature') throw new BadInputError(`${where}: not a Feature`);
  const properties = (feature.properties ?? {}) as Record<string, unknown>;
  const { type, coordinates } = feature.geometry ?? {};
  if ((type === 'Polygon' || type === 'MultiPolygon') && Array.isArray(coordinates) && coordinates.length === 0) {
    throw new BadInputError(`${where}: geometry is empty, expected a polygon`);
  }
  if (type === 'Polygon') return { polygons: [checkPolygon(coordinates, where)], properties };
  if (type === 'MultiPolygon' && Array.isArray(coordinates)) {
    return { polygons: coordinates.map((polygon) => checkPolygon(polygon, where)), properties };
  }
  if (!feature.geometry) throw new BadInputError(`${where}: geometry is empty, expected a polygon`);
  throw new BadInputError(`${where}: geometry is a ${String(type)}, expected a polygon`);
}

function checkPolygon(value: unknown, where: string): PolygonRings {
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (ring) =>
        Array.isArray(ring) &&
        ring.length >= 4 &&
        ring.every((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])),
    );
  if (!valid) throw new BadInputError(`${where}: polygon rings must be closed lists of at least 4 [x, y] positions`);
  return (value as number[][][]).map((ring) => ring.map((p) => [p[0], p[1]] as [number, number]));
}

/** The same polygons with every position transformed. */
export function transformPolygons(polygons: PolygonRings[], transform: CoordinateTransform): PolygonRings[] {
  return polygons.map((rings) => rings.map((ring) => ring.map((p) => transform(p))));
}
