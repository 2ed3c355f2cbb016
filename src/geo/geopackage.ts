/**
 * GeoPackage (OGC 12-128r18, QGIS's default vector format) of polygon feature tables, read and
 * written through sql.js: SQLite compiled to WebAssembly, installed from the npm registry alone
 * (better-sqlite3 needs a prebuilt binary from GitHub or a node-gyp build at install). A package
 * is built in memory, which suits the sizes zhiwei writes and reads (candidates, suspects, plans).
 */
import { readFile, writeFile } from 'node:fs/promises';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';
import { writeAtomically } from '../files.js';
import { pointsBounds, type Bounds } from './bbox.js';
import type { PolygonRings } from './geojson.js';
import { readWkb } from './wkb.js';

/** A polygon feature: its attributes and polygons (outer ring, then holes). */
export interface GeoPackageFeature {
  properties: Record<string, unknown>;
  polygons: PolygonRings[];
}

/** A feature table to write: its name, the EPSG code of its coordinates, its features. */
export interface GeoPackageLayer {
  name: string;
  epsg: number;
  features: GeoPackageFeature[];
}

/** A feature table as read: its CRS as the package states it (organization and code, and WKT). */
export interface GeoPackageTable {
  name: string;
  srs: { organization: string; code: number; definition: string } | null;
  /** Features in table order; `row` is the feature's 1-based position, as a user counts rows. */
  features: (GeoPackageFeature & { row: number })[];
}

// 'GPKG' as a big-endian integer (the file's application id) and version 1.3 (GDAL 3.6 warns on 1.4)
const applicationId = 0x47504b47;
const userVersion = 10300;

let sqlJs: ReturnType<typeof initSqlJs> | undefined;
function sqlite(): ReturnType<typeof initSqlJs> {
  sqlJs ??= initSqlJs();
  return sqlJs;
}

/**
 * Loads and compiles SQLite ahead of the first GeoPackage: a detect job calls it as its strips
 * begin, so that the 70-100 ms this takes is not spent after the last strip, where one core works.
 */
export function prepareGeoPackages(): void {
  // a failure to load shows in the write that needs it
  sqlite().catch(() => {});
}

/** Writes the layers as one GeoPackage at `path`, whole or not at all. */
export async function writeGeoPackage(path: string, layers: GeoPackageLayer[]): Promise<void> {
  const bytes = await geoPackageBytes(layers);
  await writeAtomically(path, (partial) => writeFile(partial, bytes));
}

/** The layers as the bytes of one GeoPackage file. */
export async function geoPackageBytes(layers: GeoPackageLayer[]): Promise<Uint8Array> {
  const SQL = await sqlite();
  const db = new SQL.Database();
  try {
    db.run(`PRAGMA application_id = ${applicationId}; PRAGMA user_version = ${userVersion};`);
    db.run(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
      organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
      CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
      last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
      srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
      CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
      srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
      CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
      CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));`);
    // the three rows every GeoPackage has; the data's own CRS is named by its EPSG code, which GDAL and QGIS resolve
    const srs = db.prepare('INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)');
    srs.run(['WGS 84 geodetic', 4326, 'EPSG', 4326, 'undefined', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid']);
    srs.run(['Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system']);
    srs.run(['Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system']);
    for (const layer of layers) srs.run([`EPSG:${layer.epsg}`, layer.epsg, 'EPSG', layer.epsg, 'undefined', null]);
    srs.free();
    db.run('BEGIN');
    for (const layer of layers) writeTable(db, layer);
    db.run('COMMIT');
    return db.export();
  } finally {
    db.close();
  }
}

function writeTable(db: Database, layer: GeoPackageLayer): void {
  const columns = [...new Set(layer.features.flatMap((feature) => Object.keys(feature.properties)))];
  const types = columns.map((column) => sqlType(layer.features.map((feature) => feature.properties[column])));
  const definitions = columns.map((column, i) => `${quote(column)} ${types[i]}`);
  db.run(`CREATE TABLE ${quote(layer.name)} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON${definitions.map((d) => `, ${d}`).join('')})`);
  const insert = db.prepare(`INSERT INTO ${quote(layer.name)} (geom${columns.map((c) => `, ${quote(c)}`).join('')}) VALUES (?${columns.map(() => ', ?').join('')})`);
  const boxes: Bounds[] = [];
  for (const feature of layer.features) {
    const box = pointsBounds(feature.polygons.flatMap((polygon) => polygon[0]));
    boxes.push(box);
    insert.run([geometryBlob(feature.polygons, layer.epsg, box), ...columns.map((column, i) => sqlValue(feature.properties[column], types[i]))]);
  }
  insert.free();
  const extent = boxes.length > 0 ? pointsBounds(boxes.flatMap(([minX, minY, maxX, maxY]): [number, number][] => [[minX, minY], [maxX, maxY]])) : [null, null, null, null];
  db.run('INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    layer.name, 'features', layer.name, ...extent, layer.epsg,
  ]);
  db.run('INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)', [layer.name, 'geom', 'MULTIPOLYGON', layer.epsg]);
}

/** The SQLite type a column's values need: INTEGER, REAL, TEXT (objects and arrays as JSON). */
function sqlType(values: unknown[]): string {
  const present = values.filter((value) => value !== null && value !== undefined);
  if (present.length > 0 && present.every((value) => typeof value === 'boolean')) return 'BOOLEAN';
  if (present.length > 0 && present.every((value) => typeof value === 'number' && Number.isInteger(value))) return 'INTEGER';
  if (present.length > 0 && present.every((value) => typeof value === 'number')) return 'REAL';
  return 'TEXT';
}

function sqlValue(value: unknown, type: string): SqlValue {
  if (value === null || value === undefined) return null;
  if (type === 'BOOLEAN') return value ? 1 : 0;
  if (type === 'INTEGER' || type === 'REAL') return value as number;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A GeoPackage geometry: the 'GP' header (little-endian, with the XY envelope) and a WKB MultiPolygon. */
function geometryBlob(polygons: PolygonRings[], srsId: number, [minX, minY, maxX, maxY]: Bounds): Uint8Array {
  const points = polygons.reduce((sum, polygon) => sum + polygon.reduce((n, ring) => n + ring.length, 0), 0);
  const rings = polygons.reduce((sum, polygon) => sum + polygon.length, 0);
  const bytes = new Uint8Array(40 + 9 + polygons.length * 9 + rings * 4 + points * 16);
  const view = new DataView(bytes.buffer);
  bytes.set([0x47, 0x50, 0, 0b011], 0); // 'GP', version 0, flags: envelope [minx, maxx, miny, maxy], little-endian
  view.setInt32(4, srsId, true);
  [minX, maxX, minY, maxY].forEach((value, i) => view.setFloat64(8 + i * 8, value, true));
  let pos = 40;
  const header = (type: number, count: number) => {
    view.setUint8(pos, 1);
    view.setUint32(pos + 1, type, true);
    view.setUint32(pos + 5, count, true);
    pos += 9;
  };
  header(6, polygons.length);
  for (const polygon of polygons) {
    header(3, polygon.length);
    for (const ring of polygon) {
      view.setUint32(pos, ring.length, true);
      pos += 4;
      for (const [x, y] of ring) {
        view.setFloat64(pos, x, true);
        view.setFloat64(pos + 8, y, true);
        pos += 16;
      }
    }
  }
  return bytes;
}

/** Reads the polygon feature tables of a GeoPackage file. */
export async function readGeoPackage(path: string): Promise<GeoPackageTable[]> {
  const bytes = await readFile(path);
  const SQL = await sqlite();
  let db: Database;
  try {
    db = new SQL.Database(bytes);
    db.exec('SELECT 1 FROM gpkg_contents LIMIT 1');
  } catch (err) {
    throw new GeoPackageError(`not a GeoPackage (${(err as Error).message})`);
  }
  try {
    const tables = rows(db, `SELECT c.table_name, g.column_name, s.organization, s.organization_coordsys_id, s.definition
      FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
      LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE c.data_type = 'features' ORDER BY c.table_name`);
    return tables.map((table) => ({
      name: String(table.table_name),
      srs: table.organization === null ? null : { organization: String(table.organization), code: Number(table.organization_coordsys_id), definition: String(table.definition) },
      features: readFeatures(db, String(table.table_name), String(table.column_name)),
    }));
  } finally {
    db.close();
  }
}

/** A GeoPackage that cannot be read; the caller adds the file name. */
export class GeoPackageError extends Error {}

function readFeatures(db: Database, table: string, geometryColumn: string): (GeoPackageFeature & { row: number })[] {
  return rows(db, `SELECT * FROM ${quote(table)}`).map((record, i) => {
    const { [geometryColumn]: blob, fid: _fid, ...properties } = record;
    return { row: i + 1, properties, polygons: blob instanceof Uint8Array ? geometryPolygons(blob, table, i + 1) : [] };
  });
}

/** The polygons of a GeoPackage geometry blob (2D; a Z or M geometry is refused by the WKB reader's type). */
function geometryPolygons(blob: Uint8Array, table: string, row: number): PolygonRings[] {
  if (blob[0] !== 0x47 || blob[1] !== 0x50) throw new GeoPackageError(`table ${table}, row ${row}: the geometry is not a GeoPackage geometry`);
  const envelopeBytes = [0, 32, 48, 48, 64][(blob[3] >> 1) & 0b111];
  if (envelopeBytes === undefined) throw new GeoPackageError(`table ${table}, row ${row}: the geometry header has an unknown envelope`);
  // bit 4: an empty geometry
  if (blob[3] & 0b10000) return [];
  const wkb = blob.subarray(8 + envelopeBytes);
  const type = new DataView(wkb.buffer, wkb.byteOffset + 1, 4).getUint32(0, wkb[0] === 1);
  if (type % 1000 !== 3 && type % 1000 !== 6) throw new GeoPackageError(`table ${table}, row ${row}: a ${wkbTypeName(type)}, not a polygon`);
  if (type > 1000) throw new GeoPackageError(`table ${table}, row ${row}: polygons with Z or M values are not read`);
  const geometry = readWkb(wkb);
  if (geometry === null) return [];
  return (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : []) as PolygonRings[];
}

function wkbTypeName(type: number): string {
  return ['geometry', 'point', 'line', 'polygon', 'multipoint', 'multiline', 'multipolygon', 'geometry collection'][type % 1000] ?? `geometry of type ${type}`;
}

function rows(db: Database, sql: string): Record<string, SqlValue>[] {
  const statement = db.prepare(sql);
  const out: Record<string, SqlValue>[] = [];
  while (statement.step()) out.push(statement.getAsObject());
  statement.free();
  return out;
}
