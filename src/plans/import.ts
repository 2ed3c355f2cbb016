/**
 * `zhiwei plans|zones|grids import FILE`: reads a GeoJSON, zipped Shapefile or DXF layer, checks
 * every row, moves it into the project CRS and stores it in one transaction. A bad row rejects the
 * whole file with its row number and reason; invalid geometries are repaired (ST_MakeValid) and
 * each repair reported; importing the same file again changes nothing.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Database } from '../db/connect.js';
import { findImport, layerKeys, storeLayer, type LayerName, type LayerRecord, type Repair } from '../db/layers.js';
import { ensureProjectEpsg, projectEpsg, proposedProjectEpsg } from '../db/project-crs.js';
import { BadInputError } from '../errors.js';
import { crsTransform, type Crs } from '../geo/crs.js';
import { transformPolygons } from '../geo/geojson.js';
import { layerRow } from './layers.js';
import { readVectorLayer, type VectorLayer } from './vector-layer.js';
import type { DxfMapping } from './dxf-mapping.js';

/** How to read the file: a CRS for files without one (DXF), a DXF attribute mapping, an encoding. */
export interface ImportOptions {
  crs?: Crs;
  dxfMapping?: DxfMapping;
  encoding?: string;
}

/** What an import did. */
export interface ImportReport {
  layer: LayerName;
  file: string;
  /** `unchanged` when this very file was imported before. */
  status: 'imported' | 'unchanged';
  features: number;
  inserted: number;
  updated: number;
  repairs: Repair[];
  projectEpsg: number;
}

/** Imports a layer file into the database; `name` is what reports, errors and the import record call it. */
export async function importLayer(db: Database, layer: LayerName, path: string, options: ImportOptions = {}, name = basename(path)): Promise<ImportReport> {
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new BadInputError(`${path}: cannot read the ${layer} file (${err.code ?? err.message})`);
  });
  // the reading options change what a file means, so they are part of its identity
  const sha256 = createHash('sha256').update(bytes).update(JSON.stringify(options)).digest('hex');
  const known = await findImport(db.knex, layer, sha256);
  const unchanged = (epsg: number): ImportReport => ({ layer, file: name, status: 'unchanged', features: 0, inserted: 0, updated: 0, repairs: [], projectEpsg: epsg });
  if (known) return unchanged((await projectEpsg(db.knex)) as number);

  const source = await readVectorLayer(path, options);
  if (source.features.length === 0) throw new BadInputError(`${name}: no features to import`);
  const records = layerRecords(layer, source, name);
  const proposed = (await projectEpsg(db.knex)) ?? proposedProjectEpsg(source.crs as Crs, source.features[0].polygons[0][0][0]);
  if (proposed === null) throw new BadInputError(`${name}: coordinates cannot be placed on the earth in the file's CRS`);
  const epsg = await ensureProjectEpsg(db.knex, proposed);
  const transform = crsTransform(source.crs as Crs, epsg);
  for (const record of records) record.polygons = transformPolygons(record.polygons, transform);

  const stored = await db.knex.transaction(async (trx) => {
    // a concurrent import of the same file may have landed meanwhile
    if (await findImport(trx, layer, sha256)) return null;
    const result = await storeLayer(trx, layer, { name, sha256 }, records, epsg);
    if (result.empty.length > 0) {
      const { row, key } = result.empty[0];
      throw new BadInputError(`${name}: row ${row} (${layerKeys[layer]} ${key}): the polygon has no area, even after repair`, 'fix or remove that feature and import again');
    }
    return result;
  });
  if (stored === null) return unchanged(epsg);
  return { layer, file: name, status: 'imported', features: records.length, ...stored, projectEpsg: epsg };
}

/** Checks every feature's attributes; the first bad row rejects the file. */
function layerRecords(layer: LayerName, source: VectorLayer, name: string): LayerRecord[] {
  if (source.crs === null) throw new BadInputError(`${name}: the file does not say its CRS`, 'pass --crs EPSG:NNNN');
  const key = layerKeys[layer];
  const seen = new Map<string, number>();
  return source.features.map((feature) => {
    let parsed;
    try {
      parsed = layerRow(layer, feature.properties);
    } catch (err) {
      throw new BadInputError(`${name}: row ${feature.row}: ${(err as Error).message}`, (err as BadInputError).hint);
    }
    const id = String(parsed.row[key]);
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new BadInputError(`${name}: row ${feature.row}: ${key} "${id}" is used again (first in row ${earlier})`);
    seen.set(id, feature.row);
    return { row: feature.row, fields: parsed.row, properties: parsed.rest, polygons: feature.polygons };
  });
}
