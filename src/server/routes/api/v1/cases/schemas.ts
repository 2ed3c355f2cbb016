/**
 * Request and response schemas of the case routes (TypeBox), derived from the lifecycle, the
 * change kinds and the violation types, and the functions that shape a case for the response.
 */
import { Type, type Static } from 'typebox';
import type { StageClock } from '../../../../../cases/deadlines.js';
import { CASE_SORTS, type CaseSelection } from '../../../../../cases/list.js';
import type { CaseWithClock } from '../../../../../cases/read.js';
import { CASE_STATES } from '../../../../../cases/states.js';
import { CHANGE_KINDS, VIOLATIONS } from '../../../../../vocabulary.js';
import { calendarDate, parseBbox } from '../query.js';
import { centimetres, MultiPolygon, Nullable, oneOf } from '../schemas.js';

const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const Name = Type.String({ minLength: 1, maxLength: 100 });

/** `:id` of a case. */
export const CaseParams = Type.Object({ id: Id });

/** Filters of the case list, which the case tiles take too. */
export const CaseFilterQuery = Type.Object({
  state: Type.Optional(Type.Array(oneOf(CASE_STATES), { maxItems: 20 })),
  violation: Type.Optional(Type.Array(oneOf(VIOLATIONS), { maxItems: 20 })),
  change_kind: Type.Optional(Type.Array(oneOf(CHANGE_KINDS), { maxItems: 20 })),
  grid: Type.Optional(Type.Array(Name, { maxItems: 100, description: 'grid id (网格编号); repeat for several' })),
  zone: Type.Optional(Type.Array(Name, { maxItems: 100, description: 'zone id; repeat for several' })),
  priority_min: Type.Optional(Type.Number({ description: 'least priority' })),
  bbox: Type.Optional(Type.String({ description: 'minLon,minLat,maxLon,maxLat in WGS84', maxLength: 200 })),
  flown_from: Type.Optional(Type.String({ description: 'earliest flight date, YYYY-MM-DD', maxLength: 10 })),
  flown_to: Type.Optional(Type.String({ description: 'latest flight date, YYYY-MM-DD', maxLength: 10 })),
  job: Type.Optional(Id),
});

/** The cases the filters select (the bounding box and dates checked). */
export function caseSelection(query: Static<typeof CaseFilterQuery>): CaseSelection {
  return {
    states: query.state, violations: query.violation, changeKinds: query.change_kind, grids: query.grid, zones: query.zone, priorityMin: query.priority_min,
    bbox: query.bbox === undefined ? undefined : parseBbox(query.bbox), flownFrom: calendarDate(query.flown_from, 'flown_from'),
    flownTo: calendarDate(query.flown_to, 'flown_to'), jobId: query.job,
  };
}

/** Filters and paging of the case list. */
export const CaseListQuery = Type.Object({
  ...CaseFilterQuery.properties,
  sort: Type.Optional(oneOf(CASE_SORTS)),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'next_cursor of the previous page' })),
  format: Type.Optional(oneOf(['json', 'geojson'])),
});

/** A case as the list and the detail show it. */
export const CaseSummary = Type.Object({
  id: Type.Integer(),
  state: oneOf(CASE_STATES),
  violation: Type.String(),
  change_kind: Type.String(),
  priority: Type.Number(),
  grid_id: Nullable(Type.String()),
  zones: Type.Array(Type.String()),
  permit_no: Nullable(Type.String()),
  area_m2: Type.Number(),
  height_change_m: Nullable(Type.Number()),
  height_after_m: Nullable(Type.Number()),
  flight_date: Nullable(Type.String()),
  first_job_id: Type.Integer(),
  detected_at: Type.String(),
  updated_at: Type.String(),
  state_since: Type.String({ description: 'when the case entered its current state' }),
  due_at: Nullable(Type.String({ description: 'deadline of the current stage' })),
  overdue: Type.Boolean(),
  outline: MultiPolygon,
});

/** A case list as JSON. */
export const CaseList = Type.Object({ cases: Type.Array(CaseSummary), next_cursor: Nullable(Type.String()) });

const { outline: _outline, ...propertyFields } = CaseSummary.properties;

/** A case list as a GeoJSON FeatureCollection (WGS84). */
export const CaseFeatureCollection = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({ type: Type.Literal('Feature'), id: Type.Integer(), geometry: MultiPolygon, properties: Type.Object(propertyFields) }),
  ),
  next_cursor: Nullable(Type.String()),
});

/** A case as JSON. */
export function caseSummary({ record, clock, firstJobId }: CaseWithClock): Static<typeof CaseSummary> {
  return {
    id: record.id, state: record.state, violation: record.violation, change_kind: record.changeKind, priority: record.priority, grid_id: record.gridId,
    zones: record.zones, permit_no: record.permitNo, area_m2: centimetres(record.areaM2), height_change_m: centimetres(record.heightChangeM), height_after_m: centimetres(record.heightAfterM),
    flight_date: record.flightDate, first_job_id: firstJobId, detected_at: record.detectedAt.toISOString(), updated_at: record.updatedAt.toISOString(),
    ...clockFields(clock), outline: { type: 'MultiPolygon', coordinates: record.outline },
  };
}

/** A case as a GeoJSON Feature. */
export function caseFeature(entry: CaseWithClock): Static<typeof CaseFeatureCollection>['features'][number] {
  const { outline, ...properties } = caseSummary(entry);
  return { type: 'Feature', id: entry.record.id, geometry: outline, properties };
}

function clockFields(clock: StageClock) {
  return { state_since: clock.stateSince.toISOString(), due_at: clock.dueAt?.toISOString() ?? null, overdue: clock.overdue };
}
