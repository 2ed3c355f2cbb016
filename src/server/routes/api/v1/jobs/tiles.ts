/**
 * Raster tiles of a detect job for the map review page (MapLibre, Web Mercator):
 * `GET /api/v1/jobs/:id/tiles` says which layers the job has (`before` and `after` orthophotos,
 * `height-change`), where their tiles are, their WGS84 bounds and zooms; `GET
 * /api/v1/jobs/:id/tiles/:layer/:z/:x/:y.:ext` serves one tile as WebP or PNG, reprojected on the
 * fly from the job's GeoTIFFs and cached under `<data dir>/tiles/` (`tiles/job-tiles.ts`). A tile
 * with nothing of the layer on it is 204. Officers see the imagery too: they verify on the ground
 * what the orthophotos show, and a flight's imagery is not split by grid.
 */
import { dirname, join } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { findJob } from '../../../../../db/jobs.js';
import { BadInputError, NotFoundError } from '../../../../../errors.js';
import { isTileInRange, TILE_SIZE } from '../../../../../geo/web-mercator.js';
import { FALL_COLOURS, RISE_COLOURS, SATURATES_AT_M, TRANSPARENT_BELOW_M } from '../../../../../tiles/height-colours.js';
import { unionExtents } from '../../../../../tiles/extent.js';
import { TILE_LAYERS, type TileLayerName } from '../../../../../tiles/job-layers.js';
import { openJobTiles, type LayerDescription } from '../../../../../tiles/job-tiles.js';
import { TILE_FORMATS, type TileFormat } from '../../../../../tiles/render.js';
import type { AppContext } from '../../../../context.js';
import { Nullable, oneOf } from '../schemas.js';
import { JobParams } from './schemas.js';

/** Deepest zoom served (about 2 cm a pixel at the equator). */
const MAX_ZOOM = 23;
/** How long a browser may keep a tile without asking again; a replaced raster shows within this. */
const MAX_AGE_S = 3600;
const roles = ['analyst', 'reviewer', 'officer', 'supervisor'] as const;

const Bounds = Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: 'WGS84 [west, south, east, north]' });

const TileLayer = Type.Object({
  id: oneOf(TILE_LAYERS),
  tiles: Type.Array(Type.String(), { description: 'URL template, {z}/{x}/{y} as MapLibre fills them' }),
  format: oneOf(TILE_FORMATS),
  bounds: Bounds,
  minzoom: Type.Integer(),
  maxzoom: Type.Integer({ description: 'the zoom matching the finest raster\'s ground resolution (at most one past it)' }),
  gsd_m: Type.Number({ description: 'ground size of the finest raster\'s pixels, m' }),
  legend: Type.Optional(
    Type.Object({
      transparent_below_m: Type.Number(),
      saturates_at_m: Type.Number(),
      rise: Type.Array(Type.String(), { description: 'colours of a rise at the threshold and at saturation' }),
      fall: Type.Array(Type.String(), { description: 'colours of a fall at the threshold and at saturation' }),
    }),
  ),
});

const TileSet = Type.Object({
  job: Type.Integer(),
  tile_size: Type.Integer(),
  bounds: Nullable(Bounds),
  center: Nullable(Type.Array(Type.Number(), { minItems: 3, maxItems: 3, description: '[longitude, latitude, zoom]: the middle of the flight, at a zoom where it fills a screen' })),
  minzoom: Nullable(Type.Integer()),
  maxzoom: Nullable(Type.Integer()),
  layers: Type.Array(TileLayer, { description: 'before, after, height-change, those the job has' }),
});

const TileParams = Type.Object({
  id: JobParams.properties.id,
  layer: Type.String({ minLength: 1, maxLength: 40, description: 'before, after or height-change' }),
  z: Type.Integer({ minimum: 0, maximum: MAX_ZOOM }),
  x: Type.Integer({ minimum: 0, description: 'column, 0 at 180° W' }),
  y: Type.Integer({ minimum: 0, description: 'row, 0 at the north edge' }),
  ext: Type.Unsafe<TileFormat>(Type.String({ enum: [...TILE_FORMATS], description: 'webp (lossy) or png' })),
});

/** The job tile routes; tiles are cached beside the evidence store. */
export const jobTileRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  const tiles = openJobTiles(join(dirname(context.evidenceDir), 'tiles'));
  app.addHook('onClose', () => tiles.close());

  app.get(
    '/jobs/:id/tiles',
    { config: { roles: [...roles] }, schema: { summary: 'the map layers of a job: orthophotos and height change, their tile URLs, bounds and zooms', params: JobParams, response: { 200: TileSet } } },
    async (request) => {
      const job = await findJob(context.db.knex, request.params.id);
      if (!job) throw new NotFoundError(`no job ${request.params.id}`);
      return tileSet(job.id, await tiles.describe(job));
    },
  );

  app.get(
    '/jobs/:id/tiles/:layer/:z/:x/:y.:ext',
    {
      config: { roles: [...roles] },
      schema: {
        summary: 'a 256 px Web Mercator tile of a job layer',
        description: 'WebP (lossy) or PNG with alpha: transparent outside the rasters and at nodata. Height change is after − before − the vertical offset the run fitted.',
        params: TileParams,
        response: {
          200: { description: 'the tile', content: Object.fromEntries(TILE_FORMATS.map((format) => [`image/${format}`, { schema: Type.Unsafe<Buffer>(Type.String({ format: 'binary' })) }])) },
          204: Type.Null({ description: 'nothing of the layer in this tile' }),
          304: Type.Null({ description: 'the tile is the one the If-None-Match ETag names' }),
        },
      },
    },
    async (request, reply) => {
      const { id, layer, z, x, y, ext } = request.params;
      if (!isTileInRange({ z, x, y })) {
        throw new BadInputError(`tile ${z}/${x}/${y} does not exist: at zoom ${z}, x and y run from 0 to ${2 ** z - 1}`, undefined, `params.${x >= 2 ** z ? 'x' : 'y'}`);
      }
      if (!(TILE_LAYERS as readonly string[]).includes(layer)) throw new NotFoundError(`no layer ${layer}: a job's layers are ${TILE_LAYERS.join(', ')}`);
      const job = await findJob(context.db.knex, id);
      if (!job) throw new NotFoundError(`no job ${id}`);
      const tile = await tiles.tile(job, layer as TileLayerName, { z, x, y }, ext);
      reply.header('etag', tile.etag).header('cache-control', `private, max-age=${MAX_AGE_S}`);
      if (request.headers['if-none-match'] === tile.etag) return reply.code(304).send(null);
      if (tile.bytes.length === 0) return reply.code(204).send(null);
      return reply.type(`image/${ext}`).send(tile.bytes);
    },
  );
};

/** The response of `GET /jobs/:id/tiles`. */
function tileSet(jobId: number, layers: LayerDescription[]): Static<typeof TileSet> {
  const described = layers.map((layer): Static<typeof TileLayer> => {
    const format = layer.name === 'height-change' ? 'png' : 'webp';
    return {
      id: layer.name, tiles: [`/api/v1/jobs/${jobId}/tiles/${layer.name}/{z}/{x}/{y}.${format}`], format, bounds: layer.bounds,
      minzoom: layer.minzoom, maxzoom: layer.maxzoom, gsd_m: layer.gsdM,
      ...(layer.name === 'height-change' ? { legend: heightLegend() } : {}),
    };
  });
  if (described.length === 0) return { job: jobId, tile_size: TILE_SIZE, bounds: null, center: null, minzoom: null, maxzoom: null, layers: [] };
  const bounds = unionExtents(layers.map((layer) => layer.bounds));
  const minzoom = Math.min(...layers.map((l) => l.minzoom));
  const maxzoom = Math.max(...layers.map((l) => l.maxzoom));
  return { job: jobId, tile_size: TILE_SIZE, bounds, center: [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, Math.min(maxzoom, minzoom + 2)], minzoom, maxzoom, layers: described };
}

function heightLegend() {
  const hex = (rgb: readonly number[]) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
  return {
    transparent_below_m: TRANSPARENT_BELOW_M, saturates_at_m: SATURATES_AT_M,
    rise: [hex(RISE_COLOURS.low), hex(RISE_COLOURS.high)], fall: [hex(FALL_COLOURS.low), hex(FALL_COLOURS.high)],
  };
}
