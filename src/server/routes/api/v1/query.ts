/**
 * Query parameters the list routes share: a WGS84 bounding box, a calendar date, and whether the
 * caller asked for GeoJSON (`format=geojson`, or `Accept: application/geo+json` without `format`).
 */
import type { FastifyRequest } from 'fastify';
import { BadInputError } from '../../../../errors.js';
import type { Wgs84Bbox } from '../../../../geo/bbox.js';

/** minLon,minLat,maxLon,maxLat, checked to be a box on the globe. */
export function parseBbox(text: string): Wgs84Bbox {
  const parts = text.split(',');
  const numbers = parts.map((part) => (/^\s*-?\d+(\.\d+)?\s*$/.test(part) ? Number(part) : NaN));
  if (numbers.length !== 4 || numbers.some((n) => !Number.isFinite(n))) throw new BadInputError(`bbox: "${text}" is not four numbers minLon,minLat,maxLon,maxLat`);
  const [minLon, minLat, maxLon, maxLat] = numbers;
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) throw new BadInputError(`bbox: ${text} is outside longitude -180..180, latitude -90..90`);
  if (minLon >= maxLon || minLat >= maxLat) throw new BadInputError(`bbox: ${text} has its minimum not below its maximum`);
  return [minLon, minLat, maxLon, maxLat];
}

/** A YYYY-MM-DD that names a real day. */
export function calendarDate(text: string | undefined, field: string): string | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== text) throw new BadInputError(`${field}: "${text}" is not a date (YYYY-MM-DD)`);
  return text;
}

/** Whether to answer a GeoJSON FeatureCollection rather than JSON. */
export function wantsGeoJson(request: FastifyRequest, format: 'json' | 'geojson' | undefined): boolean {
  return format === 'geojson' || (format === undefined && (request.headers.accept ?? '').includes('application/geo+json'));
}
