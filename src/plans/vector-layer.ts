/**
 * Vector files analysts import as approved plans, grids and zones: GeoJSON, Shapefile (zipped or
 * bare), GeoPackage and DXF, read whole into polygon features or rejected with the row that is wrong.
 */
import { access } from 'node:fs/promises';
import { extname } from 'node:path';
import { crsDefinition, type Crs } from '../geo/crs.js';
import type { PolygonRings } from '../geo/geojson.js';
import { BadInputError, NotFoundError, ZhiweiError } from '../errors.js';
import type { DxfMapping } from './dxf-mapping.js';
import { readDxfLayer } from './read-dxf.js';
import { readGeoJsonLayer } from './read-geojson.js';
import { readGeoPackageLayer } from './read-geopackage.js';
import { readShapefileLayer } from './read-shapefile.js';

/** One polygon feature of a vector file. */
export interface VectorFeature {
  /** 1-based row/feature number as a user sees it. */
  row: number;
  properties: Record<string, unknown>;
  /** Polygons (outer ring, then holes) in the file's CRS. */
  polygons: PolygonRings[];
}

/** A whole vector file: its features and the CRS of their coordinates (null when the file has none). */
export interface VectorLayer {
  file: string;
  format: 'geojson' | 'shapefile' | 'geopackage' | 'dxf';
  crs: Crs | null;
  features: VectorFeature[];
}

/** How to read a vector file: the DXF mapping, a CRS that overrides the file's, an attribute encoding, a GeoPackage table. */
export interface ReadVectorOptions {
  dxfMapping?: DxfMapping;
  layer?: string;
  crs?: Crs;
  encoding?: string;
}

/** Reads a polygon vector file by its extension (.geojson/.json, .zip, .shp, .gpkg, .dxf); throws on any bad row. */
export async function readVectorLayer(path: string, options: ReadVectorOptions = {}): Promise<VectorLayer> {
  await access(path).catch(() => {
    throw new NotFoundError(`${path}: no such file`);
  });
  const layer = await readByExtension(path, options);
  const crs = options.crs ?? layer.crs;
  if (crs === null && layer.format === 'dxf') {
    throw new BadInputError(`${path}: a DXF drawing has no CRS`, 'pass --crs EPSG:4549 or put "crs" in the DXF mapping');
  }
  return { ...layer, crs: crs === null ? null : checkedCrs(crs, path) };
}

async function readByExtension(path: string, options: ReadVectorOptions): Promise<VectorLayer> {
  const extension = extname(path).toLowerCase();
  if (extension === '.geojson' || extension === '.json') return readGeoJsonLayer(path);
  if (extension === '.zip' || extension === '.shp') return readShapefileLayer(path, options.encoding);
  if (extension === '.gpkg') return readGeoPackageLayer(path, options.layer);
  if (extension === '.dxf') return readDxfLayer(path, options.dxfMapping, options.encoding);
  throw new BadInputError(
    `${path}: cannot read "${extension || 'no extension'}" files as a vector layer`,
    'use GeoJSON (.geojson), a zipped Shapefile (.zip), a .shp with its .dbf beside it, GeoPackage (.gpkg) or DXF (.dxf); convert others with ogr2ogr -f GPKG',
  );
}

/** The CRS as an EPSG number where it names one ("EPSG:4549" → 4549), after checking proj4 can use it. */
function checkedCrs(crs: Crs, path: string): Crs {
  try {
    crsDefinition(crs);
  } catch (err) {
    if (err instanceof ZhiweiError) throw new BadInputError(`${path}: ${err.message}`, err.hint);
    throw err;
  }
  const epsg = typeof crs === 'string' ? /^\s*epsg:(\d+)\s*$/i.exec(crs) : null;
  return epsg ? Number(epsg[1]) : crs;
}
