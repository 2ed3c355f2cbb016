/**
 * GeoPackage export: the cases as one `cases` table in the project CRS, with the fields of the
 * GeoJSON export, for QGIS.
 */
import type { CaseRecord } from '../cases/record.js';
import { geoPackageBytes } from '../geo/geopackage.js';
import { caseProperties } from './geojson.js';

/** The cases as the bytes of a GeoPackage. */
export function renderGeoPackage(records: CaseRecord[]): Promise<Uint8Array> {
  // every case is stored in the project CRS, which never changes once set
  const epsg = records[0].projectOutline.epsg;
  return geoPackageBytes([{ name: 'cases', epsg, features: records.map((record) => ({ properties: caseProperties(record), polygons: record.projectOutline.coordinates })) }]);
}
