/**
 * `GET /api/v1/plans`, `/zones`, `/grids`: the reference layers a page at a time, ordered by key,
 * as JSON or, with `Accept: application/geo+json` or `format=geojson`, as a GeoJSON
 * FeatureCollection in WGS84. Plans and zones are for the office roles; an officer may list the
 * grids assigned to them. Each layer also has its import route (`import.ts`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../../../../db/users.js';
import { listLayer, type LayerFilter, type LayerPage } from '../../../../../plans/list.js';
import type { LayerName } from '../../../../../db/layers.js';
import type { AppContext } from '../../../../context.js';
import { caseScope } from '../../../../plugins/auth.js';
import { calendarDate, parseBbox, wantsGeoJson } from '../query.js';
import { layerImportRoutes } from './import.js';
import { GridListQuery, layerFeature, layerListResponse, layerSummary, PlanListQuery, ZoneListQuery } from './schemas.js';

const officeRoles: Role[] = ['analyst', 'reviewer', 'supervisor'];

/** The layer list and import routes. */
export const layerRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  const { knex } = context.db;
  app.get(
    '/plans',
    { config: { roles: officeRoles }, schema: { summary: 'list approved plans (规划许可) by permit number', querystring: PlanListQuery, response: { 200: { content: layerListResponse('plans') } } } },
    async (request, reply) => {
      const { query } = request;
      const page = await listLayer(knex, 'plans', { ...pageFilter(query), validOn: calendarDate(query.valid_on, 'valid_on'), permitNos: query.permit_no });
      return sendPage(request, reply, 'plans', page, query.format);
    },
  );
  app.get(
    '/zones',
    { config: { roles: officeRoles }, schema: { summary: 'list zones (priority, historic, exempt...) by zone id', querystring: ZoneListQuery, response: { 200: { content: layerListResponse('zones') } } } },
    async (request, reply) => sendPage(request, reply, 'zones', await listLayer(knex, 'zones', { ...pageFilter(request.query), zoneKinds: request.query.kind }), request.query.format),
  );
  app.get(
    '/grids',
    {
      config: { roles: [...officeRoles, 'officer'] },
      schema: { summary: 'list responsibility grids (网格) by grid id; an officer sees those assigned to them', querystring: GridListQuery, response: { 200: { content: layerListResponse('grids') } } },
    },
    async (request, reply) => sendPage(request, reply, 'grids', await listLayer(knex, 'grids', { ...pageFilter(request.query), grids: caseScope(request).grids }), request.query.format),
  );
  await app.register(layerImportRoutes, context);
};

/** Paging and bounding box, which every layer list takes. */
function pageFilter(query: { limit: number; offset?: number; bbox?: string }): LayerFilter {
  return { limit: query.limit, offset: query.offset, bbox: query.bbox === undefined ? undefined : parseBbox(query.bbox) };
}

function sendPage(request: FastifyRequest, reply: FastifyReply, layer: LayerName, page: LayerPage, format: 'json' | 'geojson' | undefined): FastifyReply {
  if (wantsGeoJson(request, format)) {
    return reply.type('application/geo+json').send({ type: 'FeatureCollection', features: page.features.map((f) => layerFeature(layer, f)), next_offset: page.nextOffset });
  }
  return reply.type('application/json').send({ [layer]: page.features.map(layerSummary), next_offset: page.nextOffset });
}
