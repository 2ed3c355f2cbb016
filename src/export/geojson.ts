/**
 * GeoJSON export: an RFC 7946 FeatureCollection in WGS84 (longitude, latitude), or with
 * `crs: 'source'` the outlines in the project CRS with a `crs` member naming its EPSG code, as
 * GDAL writes and reads it (easting, northing order). All cases share the project CRS, which never
 * changes once set.
 */
import type { CaseRecord } from '../cases/record.js';
import { isoSeconds, ownPermit } from './columns.js';

/** Options of the GeoJSON export. */
export interface GeoJsonOptions {
  /** `wgs84` (default, RFC 7946) or `source`: the project CRS the cases are stored in. */
  crs?: 'wgs84' | 'source';
}

/** The cases as GeoJSON text. */
export function renderGeoJson(records: CaseRecord[], options: GeoJsonOptions = {}): string {
  const source = options.crs === 'source';
  const features = records.map((record) => ({
    type: 'Feature',
    id: record.id,
    properties: caseProperties(record),
    geometry: { type: 'MultiPolygon', coordinates: source ? record.projectOutline.coordinates : record.outline },
  }));
  const crs = source && records.length > 0 ? { crs: { type: 'name', properties: { name: `urn:ogc:def:crs:EPSG::${records[0].projectOutline.epsg}` } } } : {};
  return `${JSON.stringify({ type: 'FeatureCollection', ...crs, features })}\n`;
}

/** A case's fields under the names the database and the API use (the GeoPackage export's too). */
export function caseProperties(record: CaseRecord): Record<string, unknown> {
  return {
    id: record.id, state: record.state, violation: record.violation, change_kind: record.changeKind, priority: record.priority,
    grid_id: record.gridId, zones: record.zones, permit_no: ownPermit(record), area_m2: record.areaM2, height_change_m: record.heightChangeM,
    height_after_m: record.heightAfterM, flight_date: record.flightDate, detected_at: isoSeconds(record.detectedAt), updated_at: isoSeconds(record.updatedAt),
  };
}
