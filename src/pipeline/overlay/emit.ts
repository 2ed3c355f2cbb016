/**
 * Case emission (DESIGN.md section 4, emit): every suspect of a job becomes a case in state
 * `detected`, or updates the case of the same structure when one exists (its outline overlaps
 * the suspect's by at least half of the smaller of the two), so that a re-run or a later flight
 * never duplicates a case. A structure found again where a case was closed (demolished, then
 * rebuilt) reopens that case. A structure found again as the case records it (same flight date,
 * violation, kind, grid and outline: the same flight pair run again) is not news: the case points
 * at the new candidate without an event, so no webhook repeats it. A demolition found on an open
 * case is attached to it as re-inspection evidence. Evidence chips go into the evidence store, with
 * a row each unless the case has that very file already.
 */
import type { Knex } from 'knex';
import { join } from 'node:path';
import { appendCaseEvent, outlineSha256Sql } from '../../cases/events.js';
import { storeEvidenceFile } from '../../cases/evidence-store.js';
import { OPEN_STATES, type CaseState } from '../../cases/states.js';
import { overlapArea } from '../../db/overlap.js';

/** Least overlap, as a share of the smaller outline, for a suspect to be the structure of a case. */
export const sameStructureOverlap = 0.5;

/** Where the job's evidence chips are and where the store is. */
export interface EmitContext {
  jobId: number;
  /** Who emits: the pipeline's name in the case record (`zhiwei detect`, `zhiwei survey`). */
  actor: string;
  afterDate: string;
  /** Folder the candidates' evidence paths are relative to (the detect output being written). */
  outputDir: string;
  evidenceDir: string;
}

/** What emission did. */
export interface EmitResult {
  created: number;
  updated: number;
  reopened: number;
  /** Found again as their case records them (the same flight pair run again): no event. */
  unchanged: number;
  /** Demolitions attached to open cases as re-inspection evidence. */
  reinspections: number;
}

interface Row {
  id: number;
  change_kind: string;
  evidence: string[];
  case_id: number | null;
  case_state: CaseState | null;
}

/** Emits the job's suspects as cases and its demolitions as re-inspection evidence, inside `trx`. */
export async function emitCases(trx: Knex.Transaction, context: EmitContext): Promise<EmitResult> {
  const result: EmitResult = { created: 0, updated: 0, reopened: 0, unchanged: 0, reinspections: 0 };
  const taken = new Set<number>();
  const now = new Date();
  const actor = context.actor;
  for (const row of await matchedCandidates(trx, context.jobId)) {
    if (row.change_kind === 'demolition') {
      if (row.case_id === null || !(OPEN_STATES as string[]).includes(row.case_state as string)) continue;
      await attachEvidence(trx, row, row.case_id, 'reinspection', context);
      await appendCaseEvent(trx, row.case_id, {
        kind: 'reinspection_evidence', fromState: row.case_state, toState: row.case_state, actor, at: now,
        data: { job_id: context.jobId, candidate_id: row.id, flight_date: context.afterDate, finding: 'demolished' },
      });
      result.reinspections++;
      continue;
    }
    const existing = row.case_id !== null && !taken.has(row.case_id) ? row.case_id : null;
    const caseId = existing ?? (await createCase(trx, row.id, context));
    taken.add(caseId);
    if (existing === null) {
      result.created++;
      await appendCaseEvent(trx, caseId, { kind: 'detected', fromState: null, toState: 'detected', actor, at: now, data: { job_id: context.jobId, candidate_id: row.id, flight_date: context.afterDate } });
    } else {
      const reopen = row.case_state === 'closed';
      const recordedBefore = await recorded(trx, caseId);
      await updateCase(trx, caseId, row.id, context, reopen);
      if (!reopen && recordedBefore === (await recorded(trx, caseId))) {
        result.unchanged++;
      } else {
        await appendCaseEvent(trx, caseId, {
          kind: reopen ? 'reopened' : 'redetected', fromState: row.case_state, toState: reopen ? 'detected' : row.case_state, actor, at: now,
          note: reopen ? 'structure found again where the case was closed: rebuilt after demolition' : null,
          data: { job_id: context.jobId, candidate_id: row.id, flight_date: context.afterDate },
        });
        reopen ? result.reopened++ : result.updated++;
      }
    }
    await trx('candidates').where({ id: row.id }).update({ case_id: caseId });
    await attachEvidence(trx, row, caseId, 'detection', context);
  }
  return result;
}

/**
 * The job's suspects (highest priority first, so the most urgent keeps a contested case) and
 * demolitions, each with the case of the same structure from earlier jobs, if any: among the cases
 * it overlaps enough, the one most like it (intersection over union), so that a structure on a roof
 * keeps its own case and the building under it the building's.
 */
async function matchedCandidates(trx: Knex.Transaction, jobId: number): Promise<Row[]> {
  const result = await trx.raw(
    `SELECT s.id, s.change_kind, s.evidence, m.case_id, m.state AS case_state
     FROM candidates s
     LEFT JOIN LATERAL (
       SELECT k.id AS case_id, k.state
       FROM cases k
       WHERE ST_Intersects(s.geom, k.geom)
         AND ${overlapArea('s.geom', 'k.geom')} >= ? * least(ST_Area(s.geom), ST_Area(k.geom))
       ORDER BY ${overlapArea('s.geom', 'k.geom')} / (ST_Area(s.geom) + ST_Area(k.geom) - ${overlapArea('s.geom', 'k.geom')}) DESC, k.id
       LIMIT 1) m ON true
     WHERE s.job_id = ? AND (s.suspect OR s.change_kind = 'demolition')
     ORDER BY s.suspect DESC, s.priority DESC, s.id`,
    [sameStructureOverlap, jobId],
  );
  return result.rows.map((r: Row) => ({ ...r, id: Number(r.id), case_id: r.case_id === null ? null : Number(r.case_id) }));
}

/** Columns a case takes from its latest candidate. */
const fromCandidate = `violation = s.violation, change_kind = s.change_kind, priority = s.priority, grid_id = s.grid_id, zones = s.zones,
  permit_no = s.permit_no, area_m2 = s.area_m2, height_change_m = s.height_change_m, height_after_m = s.height_after_m,
  last_job_id = s.job_id, last_candidate_id = s.id, geom = s.geom`;

async function createCase(trx: Knex.Transaction, candidateId: number, context: EmitContext): Promise<number> {
  const result = await trx.raw(
    `INSERT INTO cases (state, violation, change_kind, priority, grid_id, zones, permit_no, area_m2, height_change_m, height_after_m,
       first_job_id, last_job_id, last_candidate_id, flight_date, geom)
     SELECT 'detected', violation, change_kind, priority, grid_id, zones, permit_no, area_m2, height_change_m, height_after_m,
       job_id, job_id, id, ?, geom
     FROM candidates s WHERE id = ? RETURNING id`,
    [context.afterDate, candidateId],
  );
  return Number(result.rows[0].id);
}

async function updateCase(trx: Knex.Transaction, caseId: number, candidateId: number, context: EmitContext, reopen: boolean): Promise<void> {
  await trx.raw(
    `UPDATE cases k SET ${fromCandidate}, flight_date = ?, updated_at = now()${reopen ? ", state = 'detected'" : ''}
     FROM candidates s WHERE k.id = ? AND s.id = ?`,
    [context.afterDate, caseId, candidateId],
  );
}

/** What a detection records of a case (its events hold the same): flight date, violation, kind, grid and outline. */
async function recorded(trx: Knex.Transaction, caseId: number): Promise<string> {
  const result = await trx.raw(`SELECT flight_date::text, violation, change_kind, grid_id, ${outlineSha256Sql} AS outline FROM cases WHERE id = ?`, [caseId]);
  return JSON.stringify(result.rows[0]);
}

async function attachEvidence(trx: Knex.Transaction, row: Row, caseId: number, kind: string, context: EmitContext): Promise<void> {
  for (const path of row.evidence) {
    const file = await storeEvidenceFile(context.evidenceDir, join(context.outputDir, path));
    if (await trx('evidence').where({ case_id: caseId, kind, sha256: file.sha256 }).first('id')) continue;
    await trx('evidence').insert({
      case_id: caseId, candidate_id: row.id, kind, name: path.split('/').pop(), sha256: file.sha256, media_type: file.mediaType, bytes: file.bytes,
    });
  }
}
