/**
 * `GET /api/v1/evidence/:sha256`: an evidence file from the store, with the media type recorded
 * for it. Files are named by their SHA-256 only (64 hex digits), so no path from a client ever
 * reaches the file system; an officer gets only the files of cases in their grids. A file whose
 * bytes no longer hash to its name is refused (409), not served.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { evidencePath, sha256Of } from '../../../../cases/evidence-store.js';
import { readEvidenceMediaType } from '../../../../cases/read.js';
import { ConflictError, NotFoundError } from '../../../../errors.js';
import type { AppContext } from '../../../context.js';
import { caseScope } from '../../../plugins/auth.js';

const EvidenceParams = Type.Object({ sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the file, lower-case hex' }) });

/** The evidence file route. */
export const evidenceRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  app.get(
    '/evidence/:sha256',
    {
      config: { roles: ['analyst', 'reviewer', 'officer', 'supervisor'] },
      schema: { summary: 'an evidence file (chip or photo)', params: EvidenceParams, response: { 200: Type.Unknown({ description: 'the file' }) } },
    },
    async (request, reply) => {
      const { sha256 } = request.params;
      const mediaType = await readEvidenceMediaType(context.db.knex, sha256, caseScope(request));
      if (mediaType === null) throw new NotFoundError(`no evidence file ${sha256}`);
      // the bytes served are the bytes hashed: a file changed on disk is never passed off as evidence
      const content = await readFile(evidencePath(context.evidenceDir, sha256)).catch(() => null);
      if (content === null) throw new NotFoundError(`evidence file ${sha256} is recorded but missing from the store`);
      if (sha256Of(content) !== sha256) {
        throw new ConflictError(`evidence file ${sha256} no longer has its SHA-256 on disk: it was changed and is not served`, 'zhiwei cases verify ID names every break in the record of its case');
      }
      return reply
        .type(mediaType)
        .header('etag', `"${sha256}"`)
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(content);
    },
  );
};
