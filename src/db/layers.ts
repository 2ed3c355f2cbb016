/**
 * Storing the reference layers (plans, zones, grids): rows compared with the stored rows of their
 * key, then upserted by key, geometries repaired with ST_MakeValid on the way in, and an import
 * record per file as a log. The caller runs it inside a transaction, so a file is stored whole or
 * not at all.
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

/**
 * Two geometries are the same when they have as many vertices and none is farther than a
 * millimetre from the other (a file exported again, or moved through another CRS, differs in
 * the last digits).
 */
const sameGeometry = 'ST_NPoints(t.geom) = ST_NPoints(x.repaired) AND ST_HausdorffDistance(t.geom, x.repaired) <= 0.001';

/** Rows go to the database in chunks of this many, one statement each. */
const chunkSize = 500;

/** How an incoming row stands against the stored row of its key. */
export interface RowComparison {
  row: number;
  key: string;
  /** `new`: no stored row has its key; `same`: attributes and geometry as stored; `changed`: otherwise. */
  state: 'new' | 'same' | 'changed';
  /** How far the centroid of a changed row's geometry moves from the stored one (m); null for the others. */
  movedM: number | null;
}

/**
 * Compares each record (geometry already in the project CRS) with the stored row of its key:
 * the attributes, the other properties and the geometry as it would be stored (repaired).
 */
export async function compareWithStored(knex: Knex, layer: LayerName, records: LayerRecord[], srid: number): Promise<RowComparison[]> {
  const key = layerKeys[layer];
  const columns = Object.keys(records[0]?.fields ?? {}).filter((c) => c !== key);
  const same = [...columns.map((c) => `t.${c} IS NOT DISTINCT FROM ${typedField(c)}`), 't.properties = x.properties', sameGeometry].join(' AND ');
  const result: RowComparison[] = [];
  for (let start = 0; start < records.length; start += chunkSize) {
    const compared = await knex.raw(
      `WITH ${shapedInput(srid)}
       SELECT x.row, x.fields->>'${key}' AS key, t.id IS NULL AS new, coalesce(${same}, false) AS same,
         ST_Distance(ST_Centroid(t.geom), ST_Centroid(x.repaired)) AS moved
       FROM shaped x LEFT JOIN ${layer} t ON t.${key} = x.fields->>'${key}'
       ORDER BY x.row`,
      [chunkJson(records.slice(start, start + chunkSize))],
    );
    for (const r of compared.rows) {
      const state = r.new ? 'new' : r.same ? 'same' : 'changed';
      result.push({ row: r.row, key: r.key, state, movedM: state === 'changed' && r.moved !== null ? Number(r.moved) : null });
    }
  }
  return result;
}

/**
 * Upserts the records (by key) and logs the import: one record per file and reading options, whose
 * name and time a later import of the same file brings up to date. Returns counts, repairs and
 * empty geometries.
 */
export async function storeLayer(
  trx: Knex.Transaction,
  layer: LayerName,
  file: { name: string; sha256: string },
  records: LayerRecord[],
  srid: number,
): Promise<StoredLayer> {
  const [{ id: importId }] = await trx('imports')
    .insert({ layer, file_name: file.name, sha256: file.sha256, features: records.length })
    .onConflict(['layer', 'sha256'])
    .merge({ file_name: file.name, features: records.length, imported_at: trx.fn.now() })
    .returning('id');
  const key = layerKeys[layer];
  const columns = Object.keys(records[0]?.fields ?? {});
  const typed = columns.map(typedField).join(', ');
  const updates = [...columns.filter((c) => c !== key), 'properties', 'import_id', 'geom'].map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  const result: StoredLayer = { inserted: 0, updated: 0, repairs: [], empty: [] };
  for (let start = 0; start < records.length; start += chunkSize) {
    // one statement: each geometry is repaired once, stored, and reported when it needed it
    const stored = await trx.raw(
      `WITH ${shapedInput(srid)},
       stored AS (
         INSERT INTO ${layer} (${columns.join(', ')}, properties, import_id, geom)
         SELECT ${typed}, x.properties, ${Number(importId)}, x.repaired FROM shaped x
         ON CONFLICT (${key}) DO UPDATE SET ${updates}
         RETURNING ${key} AS key, (xmax = 0) AS inserted)
       SELECT x.row, st.key, st.inserted, ST_IsValid(x.given) AS valid, ST_IsValidReason(x.given) AS reason,
         ST_Area(x.given) AS before, ST_Area(x.repaired) AS after, ST_IsEmpty(x.repaired) AS empty
       FROM shaped x JOIN stored st ON st.key = x.fields->>'${key}'
       ORDER BY x.row`,
      [chunkJson(records.slice(start, start + chunkSize))],
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

/** Records as one JSON array parameter: row, fields, properties and the GeoJSON geometry. */
function chunkJson(records: LayerRecord[]): string {
  return JSON.stringify(
    records.map((r) => ({ row: r.row, fields: r.fields, properties: r.properties, geometry: JSON.stringify({ type: 'MultiPolygon', coordinates: r.polygons }) })),
  );
}

/** The CTEs `input` (the records as given) and `shaped` (with each geometry repaired as it is stored). */
function shapedInput(srid: number): string {
  return `input AS (
         SELECT (r->>'row')::int AS row, r->'fields' AS fields, r->'properties' AS properties,
           ST_SetSRID(ST_GeomFromGeoJSON(r->>'geometry'), ${srid}) AS given
         FROM jsonb_array_elements(?::jsonb) AS r),
       shaped AS (SELECT x.*, ST_Multi(ST_CollectionExtract(ST_MakeValid(x.given), 3)) AS repaired FROM input x)`;
}

/** A field of `x.fields` as its column's SQL type. */
function typedField(column: string): string {
  return column === 'thresholds' ? `x.fields->'${column}'` : `(x.fields->>'${column}')${columnCasts[column] ?? ''}`;
}

/** SQL casts of the typed layer columns (text columns need none). */
const columnCasts: Record<string, string> = {
  permitted_height_m: '::double precision',
  permitted_floors: '::integer',
  valid_from: '::date',
  valid_to: '::date',
  priority: '::double precision',
};
