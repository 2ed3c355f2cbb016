/**
 * `GET /api/v1/cases/:id/verify`: recomputes the case's event chain against its head, checks the
 * case's state, grid and outline against the chain and the SHA-256 of its evidence files on disk,
 * and names every break by its kind (`ok: false`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { readCase } from '../../../../../cases/read.js';
import { BREAK_KINDS, verifyCaseChain } from '../../../../../cases/verify.js';
import type { AppContext } from '../../../../context.js';
import { caseScope } from '../../../../plugins/auth.js';
import { Nullable, oneOf } from '../schemas.js';
import { CaseParams } from './schemas.js';

const Verification = Type.Object({
  case_id: Type.Integer(),
  ok: Type.Boolean(),
  events: Type.Integer({ description: 'events checked' }),
  files: Type.Integer({ description: 'evidence files checked' }),
  head: Type.Object(
    { hash: Nullable(Type.String()), event_count: Type.Integer() },
    { description: "the head the case row keeps: its newest event's hash and sequence number" },
  ),
  breaks: Type.Array(
    Type.Object({
      kind: oneOf(BREAK_KINDS),
      event: Type.Optional(Type.Integer({ description: 'sequence number of the event at the break' })),
      evidence: Type.Optional(Type.Object({ name: Type.String(), sha256: Type.String() })),
      reason: Type.String(),
    }),
    { description: 'every break found; empty when the record is whole' },
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
      return {
        case_id: result.caseId, ok: result.ok, events: result.events, files: result.files,
        head: { hash: result.head.hash, event_count: result.head.eventCount }, breaks: result.breaks,
      };
    },
  );
};
