/**
 * `GET /api/v1/cases`: the case list with its filters, as JSON or, with `Accept:
 * application/geo+json` or `format=geojson`, as a GeoJSON FeatureCollection in WGS84.
 * Every role may list; an officer sees the grids assigned to them only.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { listCases, type CaseFilter } from '../../../../../cases/list.js';
import { BadInputError } from '../../../../../errors.js';
import type { AppContext } from '../../../../app.js';
import { caseScope } from '../../../../plugins/auth.js';
import { caseDetailRoutes } from './detail.js';
import { caseFeature, CaseFeatureCollection, CaseList, CaseListQuery, caseSummary } from './schemas.js';
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
      const geojson = request.query.format === 'geojson' || (request.query.format === undefined && (request.headers.accept ?? '').includes('application/geo+json'));
      if (geojson) return reply.type('application/geo+json').send({ type: 'FeatureCollection', features: page.cases.map(caseFeature), next_cursor: page.nextCursor });
      return reply.type('application/json').send({ cases: page.cases.map(caseSummary), next_cursor: page.nextCursor });
    },
  );
  await app.register(caseDetailRoutes, context);
  await app.register(transitionRoutes, context);
  await app.register(verifyRoutes, context);
};

function caseFilter(query: Static<typeof CaseListQuery>): CaseFilter {
  return {
    states: query.state, violations: query.violation, changeKinds: query.change_kind, grids: query.grid, zones: query.zone, priorityMin: query.priority_min,
    bbox: query.bbox === undefined ? undefined : parseBbox(query.bbox), flownFrom: calendarDate(query.flown_from, 'flown_from'),
    flownTo: calendarDate(query.flown_to, 'flown_to'), jobId: query.job, sort: query.sort, limit: query.limit, offset: query.offset, cursor: query.cursor,
  };
}

/** minLon,minLat,maxLon,maxLat, checked to be a box on the globe. */
function parseBbox(text: string): [number, number, number, number] {
  const parts = text.split(',');
  const numbers = parts.map((part) => (/^\s*-?\d+(\.\d+)?\s*$/.test(part) ? Number(part) : NaN));
  if (numbers.length !== 4 || numbers.some((n) => !Number.isFinite(n))) throw new BadInputError(`bbox: "${text}" is not four numbers minLon,minLat,maxLon,maxLat`);
  const [minLon, minLat, maxLon, maxLat] = numbers;
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) throw new BadInputError(`bbox: ${text} is outside longitude -180..180, latitude -90..90`);
  if (minLon >= maxLon || minLat >= maxLat) throw new BadInputError(`bbox: ${text} has its minimum not below its maximum`);
  return [minLon, minLat, maxLon, maxLat];
}

/** A YYYY-MM-DD that names a real day. */
function calendarDate(text: string | undefined, field: string): string | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== text) throw new BadInputError(`${field}: "${text}" is not a date (YYYY-MM-DD)`);
  return text;
}
