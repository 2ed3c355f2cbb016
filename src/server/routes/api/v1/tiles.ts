/**
 * `GET /api/v1/tiles/:layer/:z/:x/:y.mvt`: Mapbox Vector Tiles of cases, register buildings, plans,
 * zones and grids for the map review page (`tiles/vector-tiles.ts` says what each tile holds). Case
 * tiles take the case list's filters, building tiles its job; an officer's tiles hold the cases,
 * buildings and grids of the grids assigned to them only, and plans and zones are for the office
 * roles, as their lists are. A tile with nothing in it is 204.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { VECTOR_TILE_LAYERS, vectorTile } from '../../../../tiles/vector-tiles.js';
import { BadInputError, ForbiddenError } from '../../../../errors.js';
import { isTileInRange } from '../../../../geo/web-mercator.js';
import type { AppContext } from '../../../context.js';
import { caller, caseScope } from '../../../plugins/auth.js';
import { CaseFilterQuery, caseSelection } from './cases/schemas.js';
import { oneOf } from './schemas.js';

/** Deepest zoom served: about 4 cm a pixel, finer than any orthophoto. */
const MAX_ZOOM = 22;

const TileParams = Type.Object({
  layer: oneOf(VECTOR_TILE_LAYERS),
  z: Type.Integer({ minimum: 0, maximum: MAX_ZOOM }),
  x: Type.Integer({ minimum: 0, description: 'column, 0 at 180° W' }),
  y: Type.Integer({ minimum: 0, description: 'row, 0 at the north edge' }),
});

/** The vector tile route. */
export const tileRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  app.get(
    '/tiles/:layer/:z/:x/:y.mvt',
    {
      config: { roles: ['analyst', 'reviewer', 'officer', 'supervisor'] },
      schema: {
        summary: 'a vector tile (MVT) of cases (layers cases and case_points), register buildings, plans, zones or grids',
        description: 'Case tiles take the filters of the case list, building tiles job (the buildings a survey job observed). Cases under a pixel come as points in the layer case_points.',
        params: TileParams,
        querystring: CaseFilterQuery,
        response: {
          200: { content: { 'application/vnd.mapbox-vector-tile': { schema: Type.Unsafe<Buffer>(Type.String({ format: 'binary' })) } } },
          204: Type.Null({ description: 'nothing in the tile' }),
        },
      },
    },
    async (request, reply) => {
      const { layer, z, x, y } = request.params;
      if (!isTileInRange({ z, x, y })) throw new BadInputError(`tile ${z}/${x}/${y} does not exist: x and y run from 0 to ${2 ** z - 1} at zoom ${z}`);
      if (caller(request).role === 'officer' && (layer === 'plans' || layer === 'zones')) throw new ForbiddenError(`${layer} tiles are for analysts, reviewers and supervisors, as the ${layer} list is`);
      const filters = Object.keys(request.query).filter((name) => !(layer === 'buildings' && name === 'job'));
      if (layer !== 'cases' && filters.length > 0) throw new BadInputError(`${filters.join(', ')}: filters apply to the cases layer only (buildings take job), not to ${layer}`);
      const tile = await vectorTile(context.db.knex, layer, { z, x, y }, caseSelection(request.query), caseScope(request), context.deadlines);
      if (tile.length === 0) return reply.code(204).send(null);
      return reply.type('application/vnd.mapbox-vector-tile').send(tile);
    },
  );
};
