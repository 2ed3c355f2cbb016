/**
 * Request and response schemas of the building register routes (TypeBox), and the functions that
 * shape a building for the response: numbers to the centimetre, the outline in WGS84.
 */
import { Type, type Static } from 'typebox';
import { LEGALITIES, type BuildingRecord, type BuildingSelection } from '../../../../../cases/buildings.js';
import { VIOLATIONS } from '../../../../../vocabulary.js';
import { parseBbox } from '../query.js';
import { centimetres, MultiPolygon, Nullable, oneOf } from '../schemas.js';

const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const RoofForm = Nullable(oneOf(['flat', 'pitched']));

/** `:id` of a building. */
export const BuildingParams = Type.Object({ id: Id });

/** Filters and paging of the building list. */
export const BuildingListQuery = Type.Object({
  legality: Type.Optional(Type.Array(oneOf(LEGALITIES), { maxItems: 2 })),
  violation: Type.Optional(Type.Array(oneOf(VIOLATIONS), { maxItems: 20 })),
  grid: Type.Optional(Type.Array(Name, { maxItems: 100, description: 'grid id (网格编号); repeat for several' })),
  job: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'a survey job that observed the building' })),
  bbox: Type.Optional(Type.String({ description: 'minLon,minLat,maxLon,maxLat in WGS84', maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
});

/** The buildings the filters select (the bounding box checked). */
export function buildingSelection(query: Static<typeof BuildingListQuery>): BuildingSelection {
  return { legalities: query.legality, violations: query.violation, grids: query.grid, jobId: query.job, bbox: query.bbox === undefined ? undefined : parseBbox(query.bbox) };
}

/** A building as the list and the detail show it. */
export const BuildingSummary = Type.Object({
  id: Type.Integer(),
  outline: MultiPolygon,
  area_m2: Type.Number(),
  roof_height_m: Nullable(Type.Number({ description: 'median roof height above ground' })),
  roof_height_max_m: Nullable(Type.Number()),
  floors: Nullable(Type.Integer()),
  roof_form: RoofForm,
  rooftop_structures: Type.Integer({ description: 'structures on its roof, as its last survey found them' }),
  legality: oneOf(LEGALITIES),
  violation: Type.String(),
  permit_no: Nullable(Type.String()),
  grid_id: Nullable(Type.String()),
  case_id: Nullable(Type.Integer()),
  first_job_id: Type.Integer(),
  last_job_id: Type.Integer(),
  flight_date: Nullable(Type.String({ description: 'flight date of its last survey' })),
});

/** A page of the register. */
export const BuildingList = Type.Object({ total: Type.Integer({ description: 'buildings the filters select, on every page' }), buildings: Type.Array(BuildingSummary) });

const Observation = Type.Object({
  job_id: Type.Integer(), flight_date: Nullable(Type.String()), area_m2: Type.Number(), roof_height_m: Nullable(Type.Number()), roof_height_max_m: Nullable(Type.Number()),
  floors: Nullable(Type.Integer()), roof_form: RoofForm, rooftop_structures: Type.Integer(), legality: oneOf(LEGALITIES), violation: Type.String(), permit_no: Nullable(Type.String()),
});

const RooftopStructure = Type.Object({
  candidate_id: Type.Integer(), outline: MultiPolygon, area_m2: Type.Number(), height_above_roof_m: Nullable(Type.Number()), height_m: Nullable(Type.Number()),
  suspect: Nullable(Type.Boolean()), violation: Nullable(Type.String()), case_id: Nullable(Type.Integer()),
});

const BuildingCase = Type.Object({ id: Type.Integer(), state: Type.String(), violation: Type.String(), change_kind: Type.String(), flight_date: Nullable(Type.String()) });

/** A building with its observations (oldest flight first), its rooftop structures and its cases. */
export const BuildingDetail = Type.Object({
  ...BuildingSummary.properties,
  observations: Type.Array(Observation),
  rooftop_additions: Type.Array(RooftopStructure, { description: 'the structures on its roof its last survey found (candidates of change kind rooftop_addition)' }),
  cases: Type.Array(BuildingCase),
});

/** A building as JSON. */
export function buildingSummary(b: BuildingRecord): Static<typeof BuildingSummary> {
  return {
    id: b.id, outline: { type: 'MultiPolygon', coordinates: b.outline }, area_m2: centimetres(b.areaM2), roof_height_m: centimetres(b.roofHeightM),
    roof_height_max_m: centimetres(b.roofHeightMaxM), floors: b.floors, roof_form: b.roofForm, rooftop_structures: b.rooftopStructures, legality: b.legality,
    violation: b.violation, permit_no: b.permitNo, grid_id: b.gridId, case_id: b.caseId, first_job_id: b.firstJobId, last_job_id: b.lastJobId, flight_date: b.flightDate,
  };
}
