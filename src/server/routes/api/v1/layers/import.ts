/**
 * `POST /api/v1/plans/import`, `/zones/import`, `/grids/import`: one GeoJSON, zipped Shapefile or
 * DXF file as multipart/form-data, imported as `zhiwei plans|zones|grids import` does (one
 * transaction; a bad row rejects the file and stores nothing; a file whose rows are as stored is
 * `unchanged`). For analysts, behind the write rate limit.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { importLayer } from '../../../../../plans/import.js';
import type { AppContext } from '../../../../context.js';
import { importReport, ImportReportSchema, LAYERS } from './schemas.js';
import { layerMaxBytes, withLayerUpload } from './upload.js';

/** The import routes. */
export const layerImportRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  for (const layer of LAYERS) {
    app.post(
      `/${layer}/import`,
      {
        config: { roles: ['analyst'], rateLimit: { max: context.writesPerMinute, timeWindow: '1 minute' } },
        schema: {
          summary: `import ${layer} from GeoJSON, a zipped Shapefile or DXF`,
          description:
            `multipart/form-data: \`file\` (GeoJSON, .zip with .shp/.shx/.dbf/.prj, or ASCII DXF; told by its bytes; ${layerMaxBytes / 1024 / 1024} MB at most), ` +
            'and optionally `crs` (for a file that does not say, e.g. EPSG:4549), `encoding` (Shapefile or DXF text, e.g. GBK), `mapping` (DXF mapping JSON) ' +
            'and `allow_move` (`true` to accept stored outlines moving more than 1 km, and a layer more than 50 km from what the project holds). ' +
            'A bad row, or a layer that cannot lie where its coordinates say, answers 400 naming the row or the extents, and nothing is stored; ' +
            'a file whose rows are all as stored answers status `unchanged`.',
          response: { 200: ImportReportSchema },
        },
      },
      async (request) => importReport(await withLayerUpload(request, (upload) => importLayer(context.db, layer, upload.path, upload.options, upload.name))),
    );
  }
};
