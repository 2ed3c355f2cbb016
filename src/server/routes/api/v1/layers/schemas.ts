/**
 * Request and response schemas of the layer routes (TypeBox): the list queries and rows of
 * approved plans, zones and grids, as JSON or as a GeoJSON FeatureCollection, and the import report.
 */
import { Type, type Static, type TObject, type TProperties } from 'typebox';
import type { ImportReport } from '../../../../../plans/import.js';
import type { LayerFeature } from '../../../../../plans/list.js';
import { layerKeys, type LayerName } from '../../../../../db/layers.js';
import { centimetres, MultiPolygon, Nullable, oneOf } from '../schemas.js';

/** The layers, in the order the API lists them. */
export const LAYERS: readonly LayerName[] = Object.freeze(['plans', 'zones', 'grids']);

const Text = Type.String({ minLength: 1, maxLength: 100 });

/** Paging, bounding box and format, which every layer list takes. */
const ListQuery = {
  bbox: Type.Optional(Type.String({ description: 'minLon,minLat,maxLon,maxLat in WGS84', maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
  format: Type.Optional(oneOf(['json', 'geojson'])),
};

/** Filters of the plan list. */
export const PlanListQuery = Type.Object({
  ...ListQuery,
  valid_on: Type.Optional(Type.String({ description: 'plans valid on this day, YYYY-MM-DD', maxLength: 10 })),
  permit_no: Type.Optional(Type.Array(Text, { maxItems: 100, description: 'permit number (许可证号); repeat for several' })),
});

/** Filters of the zone list. */
export const ZoneListQuery = Type.Object({ ...ListQuery, kind: Type.Optional(Type.Array(Text, { maxItems: 20, description: 'zone kind (priority, historic, exempt...); repeat for several' })) });

/** Filters of the grid list. */
export const GridListQuery = Type.Object(ListQuery);

const common = {
  attributes: Type.Record(Type.String(), Type.Unknown(), { description: "the file's other attributes, as imported" }),
  area_m2: Type.Number({ description: 'area in the project CRS' }),
  outline: MultiPolygon,
};

const rows = {
  plans: Type.Object({
    permit_no: Type.String(), kind: Type.String(), permitted_height_m: Nullable(Type.Number()), permitted_floors: Nullable(Type.Integer()),
    valid_from: Nullable(Type.String({ description: 'YYYY-MM-DD' })), valid_to: Nullable(Type.String({ description: 'YYYY-MM-DD' })), ...common,
  }),
  zones: Type.Object({
    zone_id: Type.String(), kind: Type.String(), name: Nullable(Type.String()), priority: Type.Number(),
    thresholds: Type.Record(Type.String(), Type.Number(), { description: 'detection and overlay thresholds inside the zone' }), ...common,
  }),
  grids: Type.Object({ grid_id: Type.String(), street: Nullable(Type.String()), community: Nullable(Type.String()), officer: Nullable(Type.String()), ...common }),
};

/** The JSON list and the GeoJSON FeatureCollection of a layer, by media type. */
export function layerListResponse(layer: LayerName) {
  const row = rows[layer] as TObject<TProperties>;
  const { outline: _outline, ...properties } = row.properties;
  const NextOffset = Nullable(Type.Integer({ description: 'offset of the next page; null on the last one' }));
  return {
    'application/json': { schema: Type.Object({ [layer]: Type.Array(row), next_offset: NextOffset }) },
    'application/geo+json': {
      schema: Type.Object({
        type: Type.Literal('FeatureCollection'),
        features: Type.Array(Type.Object({ type: Type.Literal('Feature'), id: Type.String(), geometry: MultiPolygon, properties: Type.Object(properties) })),
        next_offset: NextOffset,
      }),
    },
  };
}

/** A layer row as JSON. */
export function layerSummary(feature: LayerFeature): Record<string, unknown> {
  return { ...feature.fields, attributes: feature.properties, area_m2: centimetres(feature.areaM2), outline: { type: 'MultiPolygon', coordinates: feature.outline } };
}

/** A layer row as a GeoJSON Feature, identified by its key. */
export function layerFeature(layer: LayerName, feature: LayerFeature): Record<string, unknown> {
  const { outline, ...properties } = layerSummary(feature);
  return { type: 'Feature', id: String(feature.fields[layerKeys[layer]]), geometry: outline, properties };
}

const RepairSchema = Type.Object({
  row: Type.Integer({ description: 'feature number in the file, from 1' }),
  key: Type.String(),
  reason: Type.String({ description: 'why the geometry was invalid (PostGIS ST_IsValidReason)' }),
  area_before_m2: Type.Number(),
  area_after_m2: Type.Number(),
});

/** What an import did. */
export const ImportReportSchema = Type.Object({
  layer: oneOf(LAYERS),
  file: Type.String({ description: 'the uploaded file name, without any folder' }),
  status: oneOf(['imported', 'unchanged'] as const),
  features: Type.Integer(),
  inserted: Type.Integer(),
  updated: Type.Integer(),
  repairs: Type.Array(RepairSchema, { description: 'invalid geometries repaired with ST_MakeValid' }),
  project_epsg: Type.Integer({ description: 'EPSG code of the project CRS the layer is stored in' }),
});

/** An import report as JSON. */
export function importReport(report: ImportReport): Static<typeof ImportReportSchema> {
  return {
    layer: report.layer, file: report.file, status: report.status, features: report.features, inserted: report.inserted, updated: report.updated,
    repairs: report.repairs.map((r) => ({ row: r.row, key: r.key, reason: r.reason, area_before_m2: r.areaBeforeM2, area_after_m2: r.areaAfterM2 })),
    project_epsg: report.projectEpsg,
  };
}
