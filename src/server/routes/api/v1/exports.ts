/**
 * `GET /api/v1/exports/:format`: the selected cases as a bureau's file (XLSX, CSV, GeoJSON,
 * KML/KMZ, PDF dossier), or with `layer=buildings` the building register (XLSX, CSV, GeoJSON,
 * GeoPackage), from the same format tables and readers as `zhiwei export`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { readBuildings, type BuildingSelection } from '../../../../cases/buildings.js';
import { CASE_STATES } from '../../../../cases/states.js';
import { buildingExportFormat, refuseNoBuildings } from '../../../../export/buildings.js';
import { exportFormats, type ExportFormatName, type ExportOptions } from '../../../../export/index.js';
import { readCases, readDossiers, refuseIncomplete, type CaseSelection } from '../../../../export/read-cases.js';
import { BadInputError } from '../../../../errors.js';
import { VIOLATIONS } from '../../../../vocabulary.js';
import type { AppContext } from '../../../context.js';

const ExportParams = Type.Object({ format: Type.Union(Object.keys(exportFormats).map((name) => Type.Literal(name))) });
const ExportQuery = Type.Object(
  {
    layer: Type.Optional(Type.Union([Type.Literal('cases'), Type.Literal('buildings')], { description: 'cases (default), or buildings: the register surveys fill (xlsx, csv, geojson, gpkg)' })),
    state: Type.Optional(Type.Union(CASE_STATES.map((state) => Type.Literal(state)))),
    violation: Type.Optional(Type.Union(VIOLATIONS.map((violation) => Type.Literal(violation)))),
    grid: Type.Optional(Type.String({ maxLength: 100 })),
    job: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    case: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), { maxItems: 500 })),
    chinese_headers: Type.Optional(Type.Boolean({ description: '中文列名 (xlsx, csv, kml, kmz)' })),
    crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('source')], { description: 'geojson: WGS84 (default) or the project CRS' })),
  },
  { additionalProperties: false },
);

/** The export route. */
export const exportRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  app.get(
    '/exports/:format',
    {
      config: { roles: ['analyst', 'reviewer', 'supervisor'] },
      schema: {
        summary: 'the selected cases as XLSX, CSV, GeoJSON, KML, KMZ or a PDF dossier, or the building register',
        params: ExportParams,
        querystring: ExportQuery,
        response: { 200: Type.Unknown({ description: 'the file' }) },
      },
    },
    async (request, reply) => {
      const name = request.params.format as ExportFormatName;
      const { layer, state, violation, grid, job, case: ids, chinese_headers: chineseHeaders, crs } = request.query;
      if (layer === 'buildings') {
        const file = await buildingExport(context, name, request.query);
        return reply.type(file.mediaType).header('content-disposition', `attachment; filename="zhiwei-buildings.${file.extension}"`).send(file.body);
      }
      const format = exportFormats[name];
      // a page may send chinese_headers with every format: it is ignored where there are no headers; crs would change what a file means
      if (crs && !(format.options as string[]).includes('crs')) throw new BadInputError(`${name} export does not take crs`, 'crs applies to geojson only', 'crs');
      const options: ExportOptions = { ...(chineseHeaders && (format.options as string[]).includes('chineseHeaders') ? { chineseHeaders } : {}), ...(crs ? { crs } : {}) };
      const selection: CaseSelection = { state, violation, gridId: grid, jobId: job, ids };
      const records = await readCases(context.db.knex, selection);
      refuseIncomplete(records.map((r) => r.id), selection);
      const body = format.input === 'records' ? await format.render(records, options) : await format.render(await readDossiers(context.db.knex, records, context.evidenceDir));
      return reply
        .type(format.mediaType)
        .header('content-disposition', `attachment; filename="zhiwei-cases.${format.extension}"`)
        .send(body);
    },
  );
};

/** The building register's file in format `name`, of the buildings the query selects. */
async function buildingExport(context: AppContext, name: string, query: Static<typeof ExportQuery>) {
  const { state, violation, grid, job, case: ids, chinese_headers: chineseHeaders, crs } = query;
  if (state || ids) throw new BadInputError(`${state ? 'state' : 'case'} does not apply to layer=buildings`, 'buildings are selected by violation, grid and job', state ? 'state' : 'case');
  const format = buildingExportFormat(name, 'layer');
  if (crs && !format.options.includes('crs')) throw new BadInputError(`${name} export does not take crs`, 'crs applies to geojson only', 'crs');
  const selection: BuildingSelection = { violations: violation && [violation], grids: grid === undefined ? undefined : [grid], jobId: job };
  const buildings = await readBuildings(context.db.knex, selection);
  refuseNoBuildings(buildings.length, selection);
  const options: ExportOptions = { ...(chineseHeaders && format.options.includes('chineseHeaders') ? { chineseHeaders } : {}), ...(crs ? { crs } : {}) };
  return { mediaType: format.mediaType, extension: format.extension, body: await format.render(buildings, options) };
}
