/**
 * Listing the reference layers (approved plans, zones, grids) a page at a time, ordered by their
 * key, with the filters a map and a reviewer use: a WGS84 bounding box, plans valid on a day or
 * by permit number, zones by kind, grids in an officer's scope. Outlines come out in WGS84.
 */
import type { Knex } from 'knex';
import { projectEpsg } from '../db/project-crs.js';
import { bboxCondition, type Wgs84Bbox } from '../geo/bbox.js';
import { toWgs84 } from '../geo/crs.js';
import { transformPolygons, type PolygonRings } from '../geo/geojson.js';
import { layerKeys, type LayerName } from '../db/layers.js';

/** What to list; every filter is optional. */
export interface LayerFilter {
  bbox?: Wgs84Bbox;
  /** Plans valid on this day (YYYY-MM-DD): from `valid_from` to `valid_to`, both inclusive, open ends allowed. */
  validOn?: string;
  permitNos?: string[];
  zoneKinds?: string[];
  /** Grids the caller may see; null for all (an officer sees those assigned to them). */
  grids?: string[] | null;
  limit: number;
  offset?: number;
}

/** One row of a layer: its columns, the attributes kept from the file, its area and WGS84 outline. */
export interface LayerFeature {
  fields: Record<string, unknown>;
  properties: Record<string, unknown>;
  areaM2: number;
  outline: PolygonRings[];
}

/** One page of a layer. */
export interface LayerPage {
  features: LayerFeature[];
  /** Offset of the next page; null on the last one. */
  nextOffset: number | null;
}

/** Columns of each layer as listed (dates as YYYY-MM-DD text). */
const layerColumns: Record<LayerName, string[]> = {
  plans: ['permit_no', 'kind', 'permitted_height_m', 'permitted_floors', 'valid_from::text AS valid_from', 'valid_to::text AS valid_to'],
  zones: ['zone_id', 'kind', 'name', 'priority', 'thresholds'],
  grids: ['grid_id', 'street', 'community', 'officer'],
};

/** Lists a page of the layer, ordered by its key. */
export async function listLayer(knex: Knex, layer: LayerName, filter: LayerFilter): Promise<LayerPage> {
  const epsg = await projectEpsg(knex);
  if (epsg === null) return { features: [], nextOffset: null };
  const [conditions, bindings] = filterConditions(layer, filter, epsg);
  const offset = filter.offset ?? 0;
  const result = await knex.raw(
    `SELECT ${layerColumns[layer].join(', ')}, properties, ST_Area(geom) AS area_m2, ST_AsGeoJSON(ST_ForcePolygonCCW(geom)) AS geojson
     FROM ${layer} WHERE ${conditions.join(' AND ')} ORDER BY ${layerKeys[layer]} LIMIT ? OFFSET ?`,
    [...bindings, filter.limit + 1, offset],
  );
  const rows = result.rows as Record<string, unknown>[];
  const transform = toWgs84(epsg);
  const features = rows.slice(0, filter.limit).map(({ properties, area_m2, geojson, ...fields }) => ({
    fields,
    properties: (properties as Record<string, unknown>) ?? {},
    areaM2: Number(area_m2),
    outline: transformPolygons((JSON.parse(geojson as string) as { coordinates: PolygonRings[] }).coordinates, transform),
  }));
  return { features, nextOffset: rows.length > filter.limit ? offset + filter.limit : null };
}

function filterConditions(layer: LayerName, filter: LayerFilter, epsg: number): [string[], Knex.RawBinding[]] {
  const conditions = ['true'];
  const bindings: Knex.RawBinding[] = [];
  const add = (sql: string, ...values: Knex.RawBinding[]) => {
    conditions.push(sql);
    bindings.push(...values);
  };
  if (filter.bbox) {
    const [sql, envelope] = bboxCondition('geom', filter.bbox, epsg);
    add(sql, ...envelope);
  }
  if (layer === 'plans' && filter.validOn) add('(valid_from IS NULL OR valid_from <= ?::date) AND (valid_to IS NULL OR valid_to >= ?::date)', filter.validOn, filter.validOn);
  if (layer === 'plans' && filter.permitNos?.length) add('permit_no = ANY(?::text[])', filter.permitNos);
  if (layer === 'zones' && filter.zoneKinds?.length) add('kind = ANY(?::text[])', filter.zoneKinds);
  if (layer === 'grids' && filter.grids) add('grid_id = ANY(?::text[])', filter.grids);
  return [conditions, bindings];
}
