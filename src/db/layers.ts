/**
 * Storing the reference layers (plans, zones, grids): an import record per file, and rows upserted
 * by their key, geometries repaired with ST_MakeValid on the way in. The caller runs it inside a
 * transaction, so a file is stored whole or not at all.
 */
import type { Knex } from 'knex';
import type { PolygonRings } from '../geo/geojson.js';

/** One feature ready to store: its row number in the file, attributes, and polygons in the project CRS. */
export interface LayerRecord {
  row: number;
  fields: Record<string, unknown>;
  properties: Record<string, unknown>;
  polygons: PolygonRings[];
}

/** A layer name as the CLI and the database use it: each is a table. */
export type LayerName = 'plans' | 'zones' | 'grids';

/** Primary key of each layer's table: a re-import updates the row with the same key. */
export const layerKeys: Record<LayerName, string> = { plans: 'permit_no', zones: 'zone_id', grids: 'grid_id' };

/** A geometry that was not valid as given and how PostGIS repaired it. */
export interface Repair {
  row: number;
  key: string;
  reason: string;
  areaBeforeM2: number;
  areaAfterM2: number;
}

/** What storing a layer did. */
export interface StoredLayer {
  inserted: number;
  updated: number;
  repairs: Repair[];
  /** Rows whose geometry is empty even after repair (a sliver, a line): the caller rejects the file. */
  empty: { row: number; key: string }[];
}

/** Rows go to the database in chunks of this many, one statement each. */
const chunkSize = 500;

/** The import record of a file already imported into this layer, or undefined. */
export async function findImport(knex: Knex, layer: LayerName, sha256: string): Promise<{ id: number; file_name: string; imported_at: Date } | undefined> {
  return knex('imports').where({ layer, sha256 }).first('id', 'file_name', 'imported_at');
}

/** Upserts the records (by key) and records the import; returns counts, repairs and empty geometries. */
export async function storeLayer(
  trx: Knex.Transaction,
  layer: LayerName,
  file: { name: string; sha256: string },
  records: LayerRecord[],
  srid: number,
): Promise<StoredLayer> {
  const [{ id: importId }] = await trx('imports').insert({ layer, file_name: file.name, sha256: file.sha256, features: records.length }).returning('id');
  const key = layerKeys[layer];
  const columns = Object.keys(records[0]?.fields ?? {});
  const typed = columns.map((c) => (c === 'thresholds' ? `x.fields->'${c}'` : `(x.fields->>'${c}')${columnCasts[c] ?? ''}`)).join(', ');
  const updates = [...columns.filter((c) => c !== key), 'properties', 'import_id', 'geom'].map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  const result: StoredLayer = { inserted: 0, updated: 0, repairs: [], empty: [] };
  for (let start = 0; start < records.length; start += chunkSize) {
    const chunk = records.slice(start, start + chunkSize).map((r) => ({
      row: r.row,
      fields: r.fields,
      properties: r.properties,
      geometry: JSON.stringify({ type: 'MultiPolygon', coordinates: r.polygons }),
    }));
    // one statement: each geometry is repaired once, stored, and reported when it needed it
    const stored = await trx.raw(
      `WITH input AS (
         SELECT (r->>'row')::int AS row, r->'fields' AS fields, r->'properties' AS properties,
           ST_SetSRID(ST_GeomFromGeoJSON(r->>'geometry'), ${srid}) AS given
         FROM jsonb_array_elements(?::jsonb) AS r),
       shaped AS (SELECT x.*, ST_Multi(ST_CollectionExtract(ST_MakeValid(x.given), 3)) AS repaired FROM input x),
       stored AS (
         INSERT INTO ${layer} (${columns.join(', ')}, properties, import_id, geom)
         SELECT ${typed}, x.properties, ${Number(importId)}, x.repaired FROM shaped x
         ON CONFLICT (${key}) DO UPDATE SET ${updates}
         RETURNING ${key} AS key, (xmax = 0) AS inserted)
       SELECT x.row, st.key, st.inserted, ST_IsValid(x.given) AS valid, ST_IsValidReason(x.given) AS reason,
         ST_Area(x.given) AS before, ST_Area(x.repaired) AS after, ST_IsEmpty(x.repaired) AS empty
       FROM shaped x JOIN stored st ON st.key = x.fields->>'${key}'
       ORDER BY x.row`,
      [JSON.stringify(chunk)],
    );
    for (const r of stored.rows) {
      r.inserted ? result.inserted++ : result.updated++;
      if (r.empty) result.empty.push({ row: r.row, key: r.key });
      else if (!r.valid) result.repairs.push({ row: r.row, key: r.key, reason: r.reason, areaBeforeM2: Number(r.before), areaAfterM2: Number(r.after) });
    }
  }
  await trx('imports').where({ id: importId }).update({ repairs: JSON.stringify(result.repairs) });
  return result;
}

/** SQL casts of the typed layer columns (text columns need none). */
const columnCasts: Record<string, string> = {
  permitted_height_m: '::double precision',
  permitted_floors: '::integer',
  valid_from: '::date',
  valid_to: '::date',
  priority: '::double precision',
};
