/**
 * Vector tiles for the map review page (DESIGN.md section 7): suspects (cases, with the case list's
 * filters and the caller's scope), the building register (all of it, or the buildings one survey
 * job observed; in the caller's scope), approved plans, zones and grids, one layer per request.
 * PostGIS picks the rows through the GiST index (the tile's envelope in the project CRS), takes
 * them to Web Mercator and tile units, clips them to the tile and its buffer and snaps them to
 * whole units; `geo/mvt.ts` writes the tile, since the embedded PostGIS cannot (`ST_AsMVT` needs
 * protobuf-c, which it lacks).
 *
 * Every case stays visible at every zoom: a case whose outline covers less than one square pixel
 * (64 square tile units: MapLibre draws a tile's 4096 units over 512 pixels), or nothing once
 * snapped to whole units, goes into the layer `case_points` as a point on its surface instead of
 * into `cases`. The rule looks at the whole outline, so a case is a point in every tile or in none.
 * Its area is judged in the project CRS (metres, scaled to tile units at the tile's latitude), so
 * that a point costs one transformed position rather than a transformed outline.
 */
import type { Knex } from 'knex';
import { projectEpsg } from '../db/project-crs.js';
import { projectEnvelope } from '../geo/bbox.js';
import { encodeVectorTile, MVT_EXTENT, type TileFeature, type TileValue } from '../geo/mvt.js';
import { mercatorToLonLat, tileBounds, type TileAddress } from '../geo/web-mercator.js';
import { readWkb } from '../geo/wkb.js';
import { stageClock, type StageDeadlines } from '../cases/deadlines.js';
import { buildingConditions } from '../cases/buildings.js';
import { filterConditions, type CaseSelection } from '../cases/list.js';
import { stateSinceSql, type CaseScope } from '../cases/read.js';
import type { CaseState } from '../cases/states.js';

/** Layers served as vector tiles. */
export const VECTOR_TILE_LAYERS = Object.freeze(['cases', 'buildings', 'plans', 'zones', 'grids'] as const);

/** One of `VECTOR_TILE_LAYERS`. */
export type VectorTileLayer = (typeof VECTOR_TILE_LAYERS)[number];

/** Tile units kept around the tile, so that outlines and point symbols near its edge are drawn whole. */
const BUFFER = 64;
/** Below this area (square tile units) a case is drawn as a point: one square pixel. */
const POINT_BELOW = 64;

/** What a layer reads: its table, its properties as SQL, and its own conditions (on alias `c`). */
interface LayerQuery {
  table: string;
  properties: Record<string, string>;
  /** Cases: when the case entered its current state, as `caseColumns` in read.ts reads it, for the deadline clock. */
  stateSince?: string;
  conditions: [string[], Knex.RawBinding[]];
}

/**
 * The tile of `layer` as MVT bytes; zero bytes when nothing in scope falls in it. `selection`
 * applies to cases, and its job to buildings; `scope` keeps an officer to the cases, buildings and
 * grids of the grids assigned to them.
 */
export async function vectorTile(
  knex: Knex, layer: VectorTileLayer, tile: TileAddress, selection: CaseSelection, scope: CaseScope, deadlines: StageDeadlines, now = new Date(),
): Promise<Buffer> {
  const epsg = await projectEpsg(knex);
  if (epsg === null) return Buffer.alloc(0);
  const query = layerQuery(layer, selection, scope, epsg);
  const rows = await tileRows(knex, query, tile, epsg, layer === 'cases');
  const polygons: TileFeature[] = [];
  const points: TileFeature[] = [];
  const names = Object.keys(query.properties);
  for (const row of rows) {
    const geometry = readWkb(row.wkb as Uint8Array);
    if (geometry === null) continue;
    const id = Number(row.id);
    const properties: Record<string, TileValue> = layer === 'cases' ? { id } : {};
    for (const name of names) properties[name] = tileValue(row[name]);
    if (query.stateSince) properties.overdue = stageClock(row.state as CaseState, new Date(row.state_since as string), deadlines, now).overdue;
    (geometry.type === 'Point' ? points : polygons).push({ id, geometry, properties });
  }
  const bytes = encodeVectorTile(layer === 'cases' ? [{ name: 'cases', features: polygons }, { name: 'case_points', features: points }] : [{ name: layer, features: polygons }]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function layerQuery(layer: VectorTileLayer, selection: CaseSelection, scope: CaseScope, epsg: number): LayerQuery {
  if (layer === 'cases') {
    return {
      table: 'cases',
      properties: {
        state: 'c.state', violation: 'c.violation', change_kind: 'c.change_kind', priority: 'round(c.priority)', grid_id: 'c.grid_id', area_m2: 'round(c.area_m2)',
      },
      stateSince: stateSinceSql,
      conditions: filterConditions(selection, scope, epsg),
    };
  }
  if (layer === 'buildings') {
    return {
      table: 'buildings',
      properties: {
        legality: 'c.legality', violation: 'c.violation', floors: 'c.floors', roof_height_m: 'round(c.roof_height_m::numeric, 1)::float8', area_m2: 'round(c.area_m2)',
        grid_id: 'c.grid_id', case_id: 'c.case_id',
      },
      conditions: buildingConditions({ jobId: selection.jobId }, scope, epsg),
    };
  }
  if (layer === 'plans') {
    return { table: 'plans', properties: { permit_no: 'permit_no', kind: 'kind', permitted_height_m: 'permitted_height_m', valid_from: 'valid_from::text', valid_to: 'valid_to::text' }, conditions: [[], []] };
  }
  if (layer === 'zones') return { table: 'zones', properties: { zone_id: 'zone_id', kind: 'kind', name: 'name', priority: 'priority' }, conditions: [[], []] };
  // an officer sees the grids assigned to them, as in the grid list
  const conditions: LayerQuery['conditions'] = scope.grids === null ? [[], []] : [['c.grid_id = ANY(?::text[])'], [scope.grids]];
  return { table: 'grids', properties: { grid_id: 'grid_id', street: 'street', community: 'community', officer: 'officer' }, conditions };
}

/**
 * Rows of the layer in the tile, each with its shape in tile units as WKB (`wkb`). The subqueries
 * end in OFFSET 0 so that PostgreSQL computes each geometry once instead of inlining its
 * expression wherever it is used.
 */
async function tileRows(knex: Knex, query: LayerQuery, tile: TileAddress, epsg: number, casesAsPoints: boolean): Promise<Record<string, unknown>[]> {
  const [minX, minY, maxX, maxY] = tileBounds(tile);
  const scale = MVT_EXTENT / (maxX - minX);
  const margin = BUFFER / scale;
  const [west, south] = mercatorToLonLat([minX - margin, minY - margin]);
  const [east, north] = mercatorToLonLat([maxX + margin, maxY + margin]);
  const envelope = projectEnvelope([Math.max(west, -180), south, Math.min(east, 180), north], epsg);
  const [conditions, bindings] = query.conditions;
  const columns = query.stateSince ? { ...query.properties, state_since: query.stateSince } : query.properties;
  const names = Object.keys(columns).join(', ');
  // square tile units per square metre: Web Mercator stretches ground by 1 / cos(latitude)
  const latitude = (mercatorToLonLat([(minX + maxX) / 2, (minY + maxY) / 2])[1] * Math.PI) / 180;
  const unitsPerSquareMetre = (scale / Math.cos(latitude)) ** 2;
  const outline = casesAsPoints ? `CASE WHEN ST_Area(c.geom) * ?::float8 < ${POINT_BELOW} THEN ST_PointOnSurface(c.geom) ELSE c.geom END` : 'c.geom';
  const box = `ST_MakeEnvelope(${-BUFFER}, ${-BUFFER}, ${MVT_EXTENT + BUFFER}, ${MVT_EXTENT + BUFFER}, 3857)`;
  const polygon = `ST_SnapToGrid(ST_ClipByBox2D(tiled, ${box}), 1)`;
  const shape = casesAsPoints
    ? `CASE WHEN ST_GeometryType(tiled) = 'ST_Point' THEN ST_SnapToGrid(tiled, 1)
        WHEN ST_Area(ST_SnapToGrid(tiled, 1)) = 0 THEN ST_SnapToGrid(ST_PointOnSurface(tiled), 1) ELSE ${polygon} END`
    : polygon;
  return knex.transaction(async (trx) => {
    // PostGIS functions make the planner expect a costly query, and compiling it (JIT, on by
    // default in PostgreSQL) took longer than running it: 0.3 s of a 0.7 s district tile
    await trx.raw('SET LOCAL jit = off');
    const result = await trx.raw(
      `SELECT id, ${names}, ST_AsBinary(shape) AS wkb FROM (
         SELECT id, ${names}, ${shape} AS shape FROM (
           SELECT c.id, ${Object.entries(columns).map(([name, sql]) => `${sql} AS ${name}`).join(', ')},
             ST_TransScale(ST_Transform(${outline}, 3857), ?::float8, ?::float8, ?::float8, ?::float8) AS tiled
           FROM ${query.table} c
           WHERE c.geom && ST_MakeEnvelope(?, ?, ?, ?, ${epsg}) ${conditions.map((condition) => `AND ${condition}`).join(' ')}
           OFFSET 0
         ) r OFFSET 0
       ) s
       WHERE NOT ST_IsEmpty(shape) AND shape && ${box}`,
      [...(casesAsPoints ? [unitsPerSquareMetre] : []), -minX, -maxY, scale, -scale, ...envelope, ...bindings],
    );
    return result.rows;
  });
}

/** A column as a tile value: numbers and booleans as they come, anything else as text. */
function tileValue(value: unknown): TileValue {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}
