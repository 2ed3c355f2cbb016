/**
 * `GET /api/v1/cases`: the case list with its filters, as JSON or, with `Accept:
 * application/geo+json` or `format=geojson`, as a GeoJSON FeatureCollection in WGS84.
 * Every role may list; an officer sees the grids assigned to them only.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { listCases, type CaseFilter } from '../../../../../cases/list.js';
import type { AppContext } from '../../../../context.js';
import { caseScope } from '../../../../plugins/auth.js';
import { wantsGeoJson } from '../query.js';
import { caseDetailRoutes } from './detail.js';
import { caseFeature, CaseFeatureCollection, CaseList, CaseListQuery, caseSelection, caseSummary } from './schemas.js';
import { transitionRoutes } from './transitions.js';
import { verifyRoutes } from './verify.js';

/** The case routes. */
export const caseRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  app.get(
    '/cases',
    {
      config: { roles: ['analyst', 'reviewer', 'officer', 'supervisor'] },
      schema: {
        summary: 'list cases, highest priority first',
        querystring: CaseListQuery,
        response: { 200: { content: { 'application/json': { schema: CaseList }, 'application/geo+json': { schema: CaseFeatureCollection } } } },
      },
    },
    async (request, reply) => {
      const page = await listCases(context.db.knex, caseFilter(request.query), caseScope(request), context.deadlines);
      if (wantsGeoJson(request, request.query.format)) return reply.type('application/geo+json').send({ type: 'FeatureCollection', features: page.cases.map(caseFeature), next_cursor: page.nextCursor });
      return reply.type('application/json').send({ cases: page.cases.map(caseSummary), next_cursor: page.nextCursor });
    },
  );
  await app.register(caseDetailRoutes, context);
  await app.register(transitionRoutes, context);
  await app.register(verifyRoutes, context);
};

function caseFilter(query: Static<typeof CaseListQuery>): CaseFilter {
  return { ...caseSelection(query), sort: query.sort, limit: query.limit, offset: query.offset, cursor: query.cursor };
}
