/**
 * `GET /api/v1/cases/:id/verify`: recomputes the case's event chain and the SHA-256 of its
 * evidence files on disk, and names the first broken link (`ok: false`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { readCase } from '../../../../../cases/read.js';
import { verifyCaseChain } from '../../../../../cases/verify.js';
import type { AppContext } from '../../../../context.js';
import { caseScope } from '../../../../plugins/auth.js';
import { Nullable } from '../schemas.js';
import { CaseParams } from './schemas.js';

const Verification = Type.Object({
  case_id: Type.Integer(),
  ok: Type.Boolean(),
  events: Type.Integer({ description: 'events checked' }),
  files: Type.Integer({ description: 'evidence files checked' }),
  broken: Nullable(
    Type.Object({
      event: Type.Optional(Type.Integer({ description: 'sequence number of the first broken event' })),
      evidence: Type.Optional(Type.Object({ name: Type.String(), sha256: Type.String() })),
      reason: Type.String(),
    }),
  ),
});

/** The chain check route. */
export const verifyRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  app.get(
    '/cases/:id/verify',
    {
      config: { roles: ['analyst', 'reviewer', 'officer', 'supervisor'] },
      schema: { summary: 'check that the record of a case is untouched', params: CaseParams, response: { 200: Verification } },
    },
    async (request) => {
      await readCase(context.db.knex, request.params.id, caseScope(request), context.deadlines);
      const result = await verifyCaseChain(context.db.knex, request.params.id, context.evidenceDir);
      return { case_id: result.caseId, ok: result.ok, events: result.events, files: result.files, broken: result.broken };
    },
  );
};
