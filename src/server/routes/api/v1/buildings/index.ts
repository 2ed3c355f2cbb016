/**
 * `GET /api/v1/buildings`: the building register (存量建筑台账) that surveys fill, with its
 * filters and the total they select; `GET /api/v1/buildings/:id`: one building with its
 * observations (one per survey), the structures its last survey found on its roof, and the cases
 * found on it. Every role may read; an officer sees the buildings and cases of their grids only.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listBuildings, readBuilding } from '../../../../../cases/buildings.js';
import type { AppContext } from '../../../../context.js';
import { caseScope } from '../../../../plugins/auth.js';
import { centimetres } from '../schemas.js';
import { BuildingDetail, BuildingList, BuildingListQuery, BuildingParams, buildingSelection, buildingSummary } from './schemas.js';

/** The building register routes. */
export const buildingRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  app.get(
    '/buildings',
    {
      config: { roles: ['analyst', 'reviewer', 'officer', 'supervisor'] },
      schema: { summary: 'list the building register, oldest building first', querystring: BuildingListQuery, response: { 200: BuildingList } },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const page = await listBuildings(context.db.knex, buildingSelection(request.query), caseScope(request), { limit, offset });
      return { total: page.total, buildings: page.buildings.map(buildingSummary) };
    },
  );
  app.get(
    '/buildings/:id',
    {
      config: { roles: ['analyst', 'reviewer', 'officer', 'supervisor'] },
      schema: { summary: 'one building with its observations, its rooftop structures and its cases', params: BuildingParams, response: { 200: BuildingDetail } },
    },
    async (request) => {
      const detail = await readBuilding(context.db.knex, request.params.id, caseScope(request));
      return {
        ...buildingSummary(detail.building),
        observations: detail.observations.map((o) => ({
          job_id: o.jobId, flight_date: o.flightDate, area_m2: centimetres(o.areaM2), roof_height_m: centimetres(o.roofHeightM), roof_height_max_m: centimetres(o.roofHeightMaxM),
          floors: o.floors, roof_form: o.roofForm, rooftop_structures: o.rooftopStructures, legality: o.legality, violation: o.violation, permit_no: o.permitNo,
        })),
        rooftop_additions: detail.rooftopStructures.map((r) => ({
          candidate_id: r.candidateId, outline: { type: 'MultiPolygon' as const, coordinates: r.outline }, area_m2: centimetres(r.areaM2),
          height_above_roof_m: centimetres(r.heightAboveRoofM), height_m: centimetres(r.heightM), suspect: r.suspect, violation: r.violation, case_id: r.caseId,
        })),
        cases: detail.cases.map((k) => ({ id: k.id, state: k.state, violation: k.violation, change_kind: k.changeKind, flight_date: k.flightDate })),
      };
    },
  );
};
