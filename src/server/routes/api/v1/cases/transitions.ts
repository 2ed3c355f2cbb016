/**
 * `POST /api/v1/cases/:id/<action>`: one sub-route per lifecycle transition (`triage`, `dismiss`,
 * `dispatch`, `verify-illegal`, ... from `cases/transitions.ts`), each behind its roles and the
 * write rate limit. The body is JSON (`lon`, `lat`, `note`) or multipart/form-data with the same
 * fields and up to ten `photo` files (JPEG, PNG or WebP that decode, 10 MB each), which go to
 * the evidence store by SHA-256 only once the transition's transaction commits. An
 * `Idempotency-Key` header makes a retry safe: the same key from the same user with the same
 * action returns the event it recorded instead of a conflict; with other content it is a 422.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { storeEvidenceAfter, type PendingFile } from '../../../../../cases/evidence-store.js';
import { photoMediaType } from '../../../../../cases/photos.js';
import { readCase } from '../../../../../cases/read.js';
import { CASE_ACTIONS, checkTransition, submittedEvent, transitionCase } from '../../../../../cases/transitions.js';
import { BadInputError } from '../../../../../errors.js';
import type { AppContext } from '../../../../context.js';
import { caller, caseScope } from '../../../../plugins/auth.js';
import { checkStorableValues } from '../../../../plugins/input-values.js';
import { CaseEventSchema } from './detail.js';
import { CaseParams, CaseSummary, caseSummary } from './schemas.js';

/** What is recorded with a transition. */
const TransitionFields = Type.Object(
  {
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180, description: 'WGS84 longitude where it was recorded' })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90, description: 'WGS84 latitude where it was recorded' })),
    note: Type.Optional(Type.String({ maxLength: 4000 })),
    recorded_at: Type.Optional(Type.String({ format: 'date-time', description: 'when the device recorded it, for a submission sent later' })),
  },
  { additionalProperties: false },
);

/** The client's id for a submission (the field page retries what it sent while offline). */
const TransitionHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' })) });

const checkFields = Compile(TransitionFields);

/** How far ahead of the service's clock a device's `recorded_at` may be (clock skew). */
const clockSkewMs = 5 * 60 * 1000;

/** The transition routes. */
export const transitionRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  for (const action of CASE_ACTIONS) {
    app.post(
      `/cases/:id/${action.action}`,
      {
        config: { roles: action.roles, rateLimit: { max: context.writesPerMinute, timeWindow: '1 minute' } },
        schema: {
          summary: `move a case from ${action.from.join(' or ')} to ${action.to}`,
          description:
            'JSON, or multipart/form-data with the same fields and `photo` files (JPEG, PNG, WebP that decode; 10 MB each, 10 at most). ' +
            'With `Idempotency-Key`, a retry by the same user with the same action returns the event it recorded; with other content it is a 422.',
          params: CaseParams,
          headers: TransitionHeaders,
          body: { content: { 'application/json': { schema: TransitionFields } } },
          response: { 200: Type.Object({ event: CaseEventSchema, case: CaseSummary }) },
        },
      },
      async (request) => {
        const { knex } = context.db;
        const scope = caseScope(request);
        const { state } = (await readCase(knex, request.params.id, scope, context.deadlines)).record;
        // refused before any upload is read (a retried submission excepted); checked again inside the transaction
        const submissionId = request.headers['idempotency-key'];
        const { name: actor, role } = caller(request);
        if (submissionId === undefined || !(await submittedEvent(knex, request.params.id, action, actor, submissionId))) checkTransition(request.params.id, state, action, role);
        const { fields, photos } = request.isMultipart() ? await readMultipart(request) : { fields: (request.body ?? {}) as Static<typeof TransitionFields>, photos: [] };
        if ((fields.lon === undefined) !== (fields.lat === undefined)) throw new BadInputError(`${fields.lon === undefined ? 'lon' : 'lat'}: give both lon and lat, or neither`);
        const { recorded_at, ...recorded } = fields;
        const recordedAt = recorded_at === undefined ? undefined : new Date(recorded_at);
        if (recordedAt && recordedAt.getTime() > Date.now() + clockSkewMs) {
          throw new BadInputError(`recorded_at: ${recorded_at} is in the future (the service's clock says ${new Date().toISOString()})`, "set the device's clock", 'recorded_at');
        }
        const input = { actor, role, ...recorded, submissionId, recordedAt };
        const event = await storeEvidenceAfter(context.evidenceDir, photos, (stored) => knex.transaction((trx) => transitionCase(trx, request.params.id, action, { ...input, photos: stored })));
        return {
          event: {
            seq: event.seq, kind: event.kind, from_state: event.fromState, to_state: event.toState, actor: event.actor, at: event.at.toISOString(),
            lon: event.lon ?? null, lat: event.lat ?? null, note: event.note ?? null, data: event.data ?? {}, prev_hash: event.prevHash, hash: event.hash,
          },
          case: caseSummary(await readCase(knex, request.params.id, scope, context.deadlines)),
        };
      },
    );
  }
};

/** The fields and photos of a multipart body; each photo checked to decode as an image, and held until the transition commits. */
async function readMultipart(request: FastifyRequest): Promise<{ fields: Static<typeof TransitionFields>; photos: PendingFile[] }> {
  const raw: Record<string, unknown> = {};
  const photos: PendingFile[] = [];
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'photo') throw new BadInputError(`${part.fieldname}: files go in "photo" fields`);
      const content = await part.toBuffer();
      photos.push({ content, mediaType: await photoMediaType(content, `photo ${photos.length + 1}`) });
    } else {
      raw[part.fieldname] = typeof part.value === 'string' && /^-?\d+(\.\d+)?$/.test(part.value) && part.fieldname !== 'note' ? Number(part.value) : part.value;
    }
  }
  checkStorableValues(raw, 'body');
  if (!checkFields.Check(raw)) {
    const [error] = checkFields.Errors(raw);
    const field = error.instancePath.replace(/^\//, '') || Object.keys(raw).find((key) => !(key in TransitionFields.properties)) || 'body';
    throw new BadInputError(`${field}: ${error.message}`);
  }
  return { fields: raw, photos };
}

