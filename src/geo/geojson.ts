/**
 * Reading polygon GeoJSON (RFC 7946, WGS84) and moving it into a projected CRS for measuring.
 */
import { readFile } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import type { CoordinateTransform } from './crs.js';

/** Rings of one polygon: outer ring first, then holes; [x, y] positions. */
export type PolygonRings = [number, number][][];

/** A polygon feature reduced to its parts (a MultiPolygon is a list of polygons). */
export interface PolygonFeature {
  polygons: PolygonRings[];
  properties: Record<string, unknown>;
}

/** A polygon FeatureCollection with the raster CRS it came from (`crs_source`), when noted. */
export interface PolygonCollection {
  features: PolygonFeature[];
  crsSource: string | null;
}

/** Reads a GeoJSON FeatureCollection of Polygon/MultiPolygon features; errors name file and feature. */
export async function readPolygonCollection(path: string): Promise<PolygonCollection> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new BadInputError(`${path}: not readable as JSON (${(err as Error).message})`);
  }
  return parsePolygonCollection(json, path);
}

/** Validates parsed GeoJSON as a polygon FeatureCollection; `name` is used in error messages. */
export function parsePolygonCollection(json: unknown, name: string): PolygonCollection {
  const collection = json as { type?: unknown; features?: unknown; crs_source?: unknown };
  if (collection?.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
    throw new BadInputError(`${name}: expected a GeoJSON FeatureCollection`);
  }
  const features = collection.features.map((feature: unknown, index: number) => parseFeature(feature, `${name}: feature ${index}`));
  return { features, crsSource: typeof collection.crs_source === 'string' ? collection.crs_source : null };
}

function parseFeature(value: unknown, where: string): PolygonFeature {
  const feature = value as { type?: unknown; geometry?: { type?: unknown; coordinates?: unknown }; properties?: unknown };
  if (feature?.type !== 'Feature' || !feature.geometry) throw new BadInputError(`${where}: not a Feature with a geometry`);
  const { type, coordinates } = feature.geometry;
  const properties = (feature.properties ?? {}) as Record<string, unknown>;
  if (type === 'Polygon') return { polygons: [checkPolygon(coordinates, where)], properties };
  if (type === 'MultiPolygon' && Array.isArray(coordinates)) {
    return { polygons: coordinates.map((polygon) => checkPolygon(polygon, where)), properties };
  }
  throw new BadInputError(`${where}: geometry type ${String(type)} is not Polygon or MultiPolygon`);
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
