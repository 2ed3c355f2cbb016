/**
 * `zhiwei plans|zones|grids import FILE`: reads a GeoJSON, zipped Shapefile or DXF layer, checks
 * every row and where the layer lies, moves it into the project CRS and stores it in one
 * transaction. A bad row rejects the whole file with its row number and reason; invalid
 * geometries are repaired (ST_MakeValid) and each repair reported; rows whose attributes and
 * geometry are as stored are left alone, so importing the same file again changes nothing.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Database } from '../db/connect.js';
import { compareWithStored, layerKeys, storeLayer, type LayerName, type LayerRecord, type Repair } from '../db/layers.js';
import { ensureProjectEpsg, projectEpsg, projectExtent } from '../db/project-crs.js';
import { BadInputError, ConflictError } from '../errors.js';
import { crsTransform, type Crs } from '../geo/crs.js';
import { transformPolygons } from '../geo/geojson.js';
import { layerRow } from './layers.js';
import { checkPlacement } from './placement.js';
import { readVectorLayer, type VectorLayer } from './vector-layer.js';
import type { DxfMapping } from './dxf-mapping.js';

/**
 * How to read the file (a CRS for files without one, a DXF attribute mapping, an encoding), and
 * whether stored rows may move by more than `maxMoveM` and the layer lie far from the project.
 */
export interface ImportOptions {
  crs?: Crs;
  dxfMapping?: DxfMapping;
  encoding?: string;
  /** The GeoPackage table to read, when the package holds several. */
  layer?: string;
  allowMove?: boolean;
}

/** What an import did. */
export interface ImportReport {
  layer: LayerName;
  file: string;
  /** `unchanged` when every row is as stored. */
  status: 'imported' | 'unchanged';
  features: number;
  inserted: number;
  updated: number;
  repairs: Repair[];
  projectEpsg: number;
}

/** A stored row whose outline would move farther than this (m) is refused unless moves are allowed. */
const maxMoveM = 1000;

/** Imports a layer file into the database; `name` is what reports, errors and the import record call it. */
export async function importLayer(db: Database, layer: LayerName, path: string, options: ImportOptions = {}, name = basename(path)): Promise<ImportReport> {
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new BadInputError(`${path}: cannot read the ${layer} file (${err.code ?? err.message})`);
  });
  const { allowMove = false, ...reading } = options;
  // the reading options change what a file means, so the import record keeps them with the file
  const sha256 = createHash('sha256').update(bytes).update(JSON.stringify(reading)).digest('hex');
  const source = await readVectorLayer(path, reading);
  if (source.features.length === 0) throw new BadInputError(`${name}: no features to import`);
  const records = layerRecords(layer, source, name);
  const crs = source.crs as Crs;

  return db.knex.transaction(async (trx) => {
    const project = { epsg: await projectEpsg(trx), extent: await projectExtent(trx) };
    const epsg = checkPlacement(source.features, crs, name, project, allowMove);
    if (crs !== epsg) {
      const transform = crsTransform(crs, epsg);
      for (const record of records) record.polygons = transformPolygons(record.polygons, transform);
    }
    // set within this transaction, so that a refused file leaves a fresh project without a CRS
    if (project.epsg === null && (await ensureProjectEpsg(trx, epsg)) !== epsg) {
      throw new ConflictError(`${name}: another import or detect run set the project CRS meanwhile`, 'import the file again');
    }

    const compared = await compareWithStored(trx, layer, records, epsg);
    const moved = compared.filter((c) => c.movedM !== null && c.movedM > maxMoveM);
    if (moved.length > 0 && !allowMove) {
      const [first] = moved;
      const others = moved.length > 1 ? ` and ${moved.length - 1} other row${moved.length > 2 ? 's' : ''}` : '';
      throw new BadInputError(
        `${name}: row ${first.row} (${layerKeys[layer]} ${first.key})${others} would move more than ${maxMoveM / 1000} km from where ${moved.length > 1 ? 'they are' : 'it is'} stored (row ${first.row} by ${((first.movedM as number) / 1000).toFixed(1)} km)`,
        'check the file\'s CRS; if this file corrects the stored outlines, pass --allow-move',
      );
    }
    const changed = new Set(compared.filter((c) => c.state !== 'same').map((c) => c.row));
    const report = { layer, file: name, features: records.length, projectEpsg: epsg };
    if (changed.size === 0) return { ...report, status: 'unchanged', inserted: 0, updated: 0, repairs: [] };

    const stored = await storeLayer(trx, layer, { name, sha256 }, records.filter((r) => changed.has(r.row)), epsg);
    if (stored.empty.length > 0) {
      const { row, key } = stored.empty[0];
      throw new BadInputError(`${name}: row ${row} (${layerKeys[layer]} ${key}): the polygon has no area, even after repair`, 'fix or remove that feature and import again');
    }
    return { ...report, status: 'imported', inserted: stored.inserted, updated: stored.updated, repairs: stored.repairs };
  });
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
