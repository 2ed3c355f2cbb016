/**
 * `GET /api/v1/cases/:id`: one case with its evidence files (each with the URL it is served
 * from), its event history with hashes, and the history of its place (一户一档): every candidate
 * and case found there across flights and jobs, and the register buildings there with each survey's
 * observation of them.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { placeHistory, type PlaceEvidence } from '../../../../../cases/place-history.js';
import { readCase, readCaseEvents, readCaseEvidence } from '../../../../../cases/read.js';
import type { AppContext } from '../../../../context.js';
import { caseScope } from '../../../../plugins/auth.js';
import { centimetres, Nullable } from '../schemas.js';
import { CaseParams, CaseSummary, caseSummary } from './schemas.js';

const Evidence = Type.Object({ kind: Type.String(), name: Type.String(), sha256: Type.String(), media_type: Type.String(), url: Type.String() });

/** An event of the case record. */
export const CaseEventSchema = Type.Object({
  seq: Type.Integer(), kind: Type.String(), from_state: Nullable(Type.String()), to_state: Nullable(Type.String()), actor: Type.String(), at: Type.String(),
  lon: Nullable(Type.Number()), lat: Nullable(Type.Number()), note: Nullable(Type.String()), data: Type.Record(Type.String(), Type.Unknown()),
  prev_hash: Nullable(Type.String()), hash: Type.String(),
});

const PlaceCandidate = Type.Object({
  id: Type.Integer(), job_id: Type.Integer(), flight_date: Nullable(Type.String()), model: Nullable(Type.String()), change_kind: Type.String(),
  area_m2: Type.Number(), height_change_m: Nullable(Type.Number()), suspect: Nullable(Type.Boolean()), violation: Nullable(Type.String()),
  decision: Nullable(Type.String()), decision_key: Nullable(Type.String()), decision_values: Type.Record(Type.String(), Type.String()),
  case_id: Nullable(Type.Integer()), case_state: Nullable(Type.String()), evidence: Type.Array(Evidence),
});

const PlaceCase = Type.Object({
  id: Type.Integer(), state: Type.String(), violation: Type.String(), change_kind: Type.String(), flight_date: Nullable(Type.String()), evidence: Type.Array(Evidence),
});

const PlaceBuilding = Type.Object({
  id: Type.Integer(), legality: Type.String(), violation: Type.String(), permit_no: Nullable(Type.String()), case_id: Nullable(Type.Integer()),
  observations: Type.Array(Type.Object({
    job_id: Type.Integer(), flight_date: Nullable(Type.String()), area_m2: Type.Number(), roof_height_m: Nullable(Type.Number()), floors: Nullable(Type.Integer()),
    rooftop_structures: Type.Integer(), legality: Type.String(), violation: Type.String(), permit_no: Nullable(Type.String()),
  })),
});

const CaseDetail = Type.Object({
  ...CaseSummary.properties,
  evidence: Type.Array(Evidence),
  events: Type.Array(CaseEventSchema),
  place_history: Type.Object({ candidates: Type.Array(PlaceCandidate), cases: Type.Array(PlaceCase), buildings: Type.Array(PlaceBuilding) }),
});

/** The case detail route. */
export const caseDetailRoutes: FastifyPluginAsyncTypebox<AppContext> = async (app, context) => {
  const evidence = (file: PlaceEvidence) => ({ kind: file.kind, name: file.name, sha256: file.sha256, media_type: file.mediaType, url: `/api/v1/evidence/${file.sha256}` });
  app.get(
    '/cases/:id',
    {
      config: { roles: ['analyst', 'reviewer', 'officer', 'supervisor'] },
      schema: { summary: 'one case with its evidence, events and the history of its place', params: CaseParams, response: { 200: CaseDetail } },
    },
    async (request) => {
      const { knex } = context.db;
      const scope = caseScope(request);
      const found = await readCase(knex, request.params.id, scope, context.deadlines);
      const place = await placeHistory(knex, found.record.id, scope.grids);
      return {
        ...caseSummary(found),
        evidence: (await readCaseEvidence(knex, found.record.id, context.evidenceDir)).map(evidence),
        events: (await readCaseEvents(knex, found.record.id)).map((e) => ({
          seq: e.seq, kind: e.kind, from_state: e.fromState, to_state: e.toState, actor: e.actor, at: e.at.toISOString(), lon: e.lon ?? null, lat: e.lat ?? null,
          note: e.note ?? null, data: e.data ?? {}, prev_hash: e.prevHash, hash: e.hash,
        })),
        place_history: {
          candidates: place.candidates.map((c) => ({
            id: c.id, job_id: c.jobId, flight_date: c.flightDate, model: c.model, change_kind: c.changeKind, area_m2: centimetres(c.areaM2), height_change_m: centimetres(c.heightChangeM),
            suspect: c.suspect, violation: c.violation, decision: c.decision, decision_key: c.decisionKey, decision_values: c.decisionValues, case_id: c.caseId, case_state: c.caseState, evidence: c.evidence.map(evidence),
          })),
          cases: place.cases.map((k) => ({ id: k.id, state: k.state, violation: k.violation, change_kind: k.changeKind, flight_date: k.flightDate, evidence: k.evidence.map(evidence) })),
          buildings: place.buildings.map((b) => ({
            id: b.id, legality: b.legality, violation: b.violation, permit_no: b.permitNo, case_id: b.caseId,
            observations: b.observations.map((o) => ({
              job_id: o.jobId, flight_date: o.flightDate, area_m2: centimetres(o.areaM2), roof_height_m: centimetres(o.roofHeightM), floors: o.floors,
              rooftop_structures: o.rooftopStructures, legality: o.legality, violation: o.violation, permit_no: o.permitNo,
            })),
          })),
        },
      };
    },
  );
};
