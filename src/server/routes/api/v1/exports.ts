/**
 * `GET /api/v1/exports/:format`: the selected cases as a bureau's file (XLSX, CSV, GeoJSON,
 * KML/KMZ, PDF dossier), from the same format table and case reader as `zhiwei export`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CASE_STATES } from '../../../../cases/states.js';
import { exportFormats, type ExportFormatName, type ExportOptions } from '../../../../export/index.js';
import { readCases, readDossiers, refuseIncomplete, type CaseSelection } from '../../../../export/read-cases.js';
import { BadInputError } from '../../../../errors.js';
import { VIOLATIONS } from '../../../../vocabulary.js';
import type { AppContext } from '../../../context.js';

const ExportParams = Type.Object({ format: Type.Union(Object.keys(exportFormats).map((name) => Type.Literal(name))) });
const ExportQuery = Type.Object(
  {
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
        summary: 'the selected cases as XLSX, CSV, GeoJSON, KML, KMZ or a PDF dossier',
        params: ExportParams,
        querystring: ExportQuery,
        response: { 200: Type.Unknown({ description: 'the file' }) },
      },
    },
    async (request, reply) => {
      const name = request.params.format as ExportFormatName;
      const format = exportFormats[name];
      const { state, violation, grid, job, case: ids, chinese_headers: chineseHeaders, crs } = request.query;
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
