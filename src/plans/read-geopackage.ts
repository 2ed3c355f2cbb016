/**
 * GeoPackage vector layers (QGIS's default format): one polygon feature table, with the CRS the
 * package gives it (its EPSG code, or its WKT definition).
 */
import { crsFromWkt, type Crs } from '../geo/crs.js';
import { GeoPackageError, readGeoPackage, type GeoPackageTable } from '../geo/geopackage.js';
import { BadInputError } from '../errors.js';
import type { VectorLayer } from './vector-layer.js';

/** Reads the polygon table `table` of a GeoPackage, or its only one; errors name the file, table and row. */
export async function readGeoPackageLayer(path: string, table?: string): Promise<VectorLayer> {
  let tables: GeoPackageTable[];
  try {
    tables = await readGeoPackage(path);
  } catch (err) {
    if (err instanceof GeoPackageError) throw new BadInputError(`${path}: ${err.message}`);
    throw err;
  }
  const names = tables.map((t) => t.name).join(', ') || 'none';
  const chosen = table === undefined ? (tables.length === 1 ? tables[0] : undefined) : tables.find((t) => t.name === table);
  if (chosen === undefined) {
    throw table === undefined
      ? new BadInputError(`${path}: holds ${tables.length} feature tables (${names}); which one?`, 'pass --layer NAME')
      : new BadInputError(`${path}: has no feature table "${table}" (it has: ${names})`, 'pass --layer with one of those names');
  }
  const empty = chosen.features.find((feature) => feature.polygons.length === 0);
  if (empty) throw new BadInputError(`${path}: table ${chosen.name}, row ${empty.row}: no polygon`, 'every feature needs a polygon outline');
  return { file: path, format: 'geopackage', crs: tableCrs(chosen, path), features: chosen.features };
}

/** The table's CRS: an EPSG code where the package names one, else its WKT definition; null when undefined. */
function tableCrs(table: GeoPackageTable, path: string): Crs | null {
  const { srs } = table;
  if (srs === null || srs.code <= 0) return null;
  if (srs.organization.toUpperCase() === 'EPSG') return srs.code;
  if (srs.definition === 'undefined') throw new BadInputError(`${path}: table ${table.name} is in ${srs.organization}:${srs.code}, which the file does not define`, 'pass --crs EPSG:NNNN');
  return crsFromWkt(srs.definition);
}
