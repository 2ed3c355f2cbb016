/**
 * A survey's overlay (issue 17): the standing buildings of one flight and the structures on their
 * roofs are stored as candidates of the survey's job, judged against the plans by the same overlay
 * as a detect's changes, their suspects emitted as cases the same way (actor `zhiwei survey`), and
 * the buildings kept in the register (存量建筑台账), all in one transaction.
 */
import type { Knex } from 'knex';
import type { Database } from '../../db/connect.js';
import type { AnalysisGrid } from '../../raster/types.js';
import type { Building } from '../survey/building.js';
import { emitCases, sameStructureOverlap, type EmitResult } from './emit.js';
import { projectCrsFor, readVerdicts, recordJob, storeCandidates, type OverlayJob, type OverlayVerdict, type StoredCandidate } from './index.js';
import { overlayCandidates } from './sql.js';
import type { Violation } from '../../vocabulary.js';
import { overlapArea } from '../../db/overlap.js';

/** What a survey's overlay did. */
export interface SurveyOverlayResult {
  jobId: number;
  projectEpsg: number;
  /** By building id and rooftop structure id of the survey; `buildingId` is the register building (a structure's: the one it stands on). */
  verdicts: Map<string, OverlayVerdict>;
  /** Each building of the survey as the register now holds it, by its id in the survey. */
  register: Map<string, RegisterEntry>;
  /** Register buildings added, and found again and updated. */
  buildings: { created: number; updated: number };
  /** Buildings and rooftop structures judged suspects. */
  suspects: number;
  cases: EmitResult;
}

/**
 * Stores, judges and registers a survey's buildings (polygons in the grid's CRS). `job` is the
 * survey's (its `beforeDate` null); `dirs` and `evidence` (chip paths by building and structure id,
 * relative to `dirs.outputDir`; none without an orthophoto) as for `overlayAndEmit`. Run inside `finishOutputs`' transaction, it commits with it.
 */
export async function overlaySurvey(
  db: Database,
  job: OverlayJob,
  grid: AnalysisGrid,
  buildings: Building[],
  dirs: { outputDir: string; evidenceDir: string },
  evidence: Map<string, string[]> = new Map(),
): Promise<SurveyOverlayResult> {
  const projectEpsg = await projectCrsFor(db, grid);
  return db.knex.transaction(async (trx) => {
    const jobId = await recordJob(trx, job, 'survey');
    await storeCandidates(trx, jobId, grid, projectEpsg, surveyCandidates(buildings, evidence));
    // a standing building's age is unknown: no recency weight
    const structuresOn = buildings.flatMap((b) => b.rooftopStructures.map((r) => ({ structure: r.id, building: b.id })));
    const judged = await overlayCandidates(trx, { jobId, afterDate: job.afterDate, recency: 1, rules: job.rules, survey: { structuresOn } });
    const suspects = judged - (await foldIntoBuildingCases(trx, jobId, structuresOn));
    const cases = await emitCases(trx, { jobId, afterDate: job.afterDate, actor: 'zhiwei survey', ...dirs });
    const { register, counts } = await updateRegister(trx, jobId, job.afterDate, buildings, await readVerdicts(trx, jobId));
    return { jobId, projectEpsg, verdicts: await readVerdicts(trx, jobId), register, buildings: counts, suspects, cases };
  });
}

/**
 * A rooftop structure on a building that is itself a suspect is part of that building's case, not
 * a case of its own (the whole building is to be verified): it stays a judged candidate with its
 * violation, but no suspect. Returns how many structures were folded.
 */
async function foldIntoBuildingCases(trx: Knex.Transaction, jobId: number, pairs: { structure: string; building: string }[]): Promise<number> {
  if (pairs.length === 0) return 0;
  const { rows } = await trx.raw(
    `UPDATE candidates s SET suspect = false, priority = 0, decision = format('on building %s, itself a suspect: part of its case', b.local_id)
     FROM json_to_recordset(?::json) AS p(structure text, building text), candidates b
     WHERE s.job_id = ? AND s.local_id = p.structure AND s.suspect AND b.job_id = s.job_id AND b.local_id = p.building AND b.suspect
     RETURNING s.id`,
    [JSON.stringify(pairs), jobId],
  );
  return rows.length;
}

/**
 * One candidate per building (a new building standing on the ground: its height change is its
 * roof height) and one per rooftop structure (a rooftop addition: its height change is its height
 * above the roof).
 */
function surveyCandidates(buildings: Building[], evidence: Map<string, string[]>): StoredCandidate[] {
  return buildings.flatMap((b) => [
    {
      candidate: {
        id: b.id, changeKind: 'new_building' as const, polygons: b.polygons, areaM2: b.areaM2, heightChangeM: b.roofHeightM, heightChangeMaxM: b.roofHeightMaxM,
        heightAfterM: b.roofHeightM, confidence: null, reason: `standing building: ${b.floors} floors, ${b.roofForm} roof`, floors: b.floors,
      },
      evidence: evidence.get(b.id) ?? [],
    },
    ...b.rooftopStructures.map((r) => ({
      candidate: {
        id: r.id, changeKind: 'rooftop_addition' as const, polygons: r.polygons, areaM2: r.areaM2, heightChangeM: r.heightAboveRoofM, heightChangeMaxM: r.heightAboveRoofM,
        heightAfterM: r.heightM, confidence: null, reason: `rooftop structure ${r.heightAboveRoofM.toFixed(1)} m above the roof of ${b.id}`,
      },
      evidence: evidence.get(r.id) ?? [],
    })),
  ]);
}

/** A building's state in the register as its survey judged it. */
interface RegisterState {
  legality: 'legal' | 'suspect';
  violation: Violation;
  permit_no: string | null;
  case_id: number | null;
  /** The rooftop structure whose violation and case it carries, null where its own: for the survey's outputs, not a column of the register. */
  through_structure: string | null;
}

/**
 * A building of the survey in the register: its id there, and its legality with the violation,
 * which for a building legal itself but with a suspect rooftop structure is that structure's.
 */
export interface RegisterEntry {
  buildingId: number;
  legality: 'legal' | 'suspect';
  violation: Violation;
  permitNo: string | null;
  caseId: number | null;
  /** The rooftop structure (its id in the survey) whose violation and case the building carries; null where its own. */
  throughStructure: string | null;
}

/**
 * The building's verdict, or where it is legal but a structure on its roof is not, the most
 * urgent such structure's: a building with an unpermitted rooftop structure is a suspect too.
 * Its permit is its own (not one near a no_permit building, valid only later, say).
 */
function registerState(building: Building, verdicts: Map<string, OverlayVerdict>): RegisterState {
  const own = verdicts.get(building.id) as OverlayVerdict;
  const structures = building.rooftopStructures.filter((r) => verdicts.get(r.id)!.suspect).sort((a, b) => verdicts.get(b.id)!.priority - verdicts.get(a.id)!.priority);
  const through = own.suspect ? null : (structures[0]?.id ?? null);
  const worst = own.suspect ? own : through === null ? undefined : verdicts.get(through)!;
  return {
    legality: worst ? 'suspect' : 'legal', violation: worst?.violation ?? 'none',
    permit_no: own.violation === 'no_permit' ? null : own.permitNo, case_id: worst?.caseId ?? null, through_structure: through,
  };
}

/**
 * Updates the register with the job's buildings: each that overlaps a register building by at
 * least half of the smaller outline updates it (the most alike first, each register building at
 * most once), the others are added; each gets an observation of this job, and its candidate and
 * its rooftop structures' candidates name it. A few statements for the whole survey, whatever
 * its size: the buildings' states go in as one JSON parameter.
 */
async function updateRegister(
  trx: Knex.Transaction,
  jobId: number,
  flightDate: string,
  buildings: Building[],
  verdicts: Map<string, OverlayVerdict>,
): Promise<{ register: Map<string, RegisterEntry>; counts: SurveyOverlayResult['buildings'] }> {
  const matches = await registerMatches(trx, jobId);
  const fresh = await newBuildingIds(trx, buildings.length - matches.size);
  const register = new Map<string, RegisterEntry>();
  // the candidates (building and rooftop structures) that name each building
  const links: { local_id: string; building_id: number }[] = [];
  const entries = buildings.map((b) => {
    const state = registerState(b, verdicts);
    const buildingId = matches.get(b.id) ?? (fresh.pop() as number);
    register.set(b.id, { buildingId, legality: state.legality, violation: state.violation, permitNo: state.permit_no, caseId: state.case_id, throughStructure: state.through_structure });
    for (const localId of [b.id, ...b.rooftopStructures.map((r) => r.id)]) links.push({ local_id: localId, building_id: buildingId });
    return { local_id: b.id, building_id: buildingId, fresh: !matches.has(b.id), roof_form: b.roofForm, rooftop_structures: b.rooftopStructures.length, ...state };
  });
  const withEntries = `candidates s JOIN json_to_recordset(?::json) AS m(local_id text, building_id bigint, fresh boolean, roof_form text, rooftop_structures integer,
    legality text, violation text, permit_no text, case_id bigint) ON m.local_id = s.local_id AND s.job_id = ?`;
  const bindings = [JSON.stringify(entries), jobId];
  await trx.raw(
    `INSERT INTO buildings (id, first_job_id, last_job_id, flight_date, area_m2, roof_height_m, roof_height_max_m, floors, roof_form, rooftop_structures,
       legality, violation, permit_no, grid_id, case_id, geom)
     SELECT m.building_id, s.job_id, s.job_id, ?, s.area_m2, s.height_after_m, s.height_change_max_m, s.floors, m.roof_form, m.rooftop_structures,
       m.legality, m.violation, m.permit_no, s.grid_id, m.case_id, s.geom
     FROM ${withEntries} WHERE m.fresh`,
    [flightDate, ...bindings],
  );
  await trx.raw(
    `UPDATE buildings b SET last_job_id = s.job_id, flight_date = ?, area_m2 = s.area_m2, roof_height_m = s.height_after_m, roof_height_max_m = s.height_change_max_m,
       floors = s.floors, roof_form = m.roof_form, rooftop_structures = m.rooftop_structures, legality = m.legality, violation = m.violation,
       permit_no = m.permit_no, grid_id = s.grid_id, case_id = m.case_id, geom = s.geom, updated_at = now()
     FROM ${withEntries} WHERE NOT m.fresh AND b.id = m.building_id`,
    [flightDate, ...bindings],
  );
  await trx.raw(
    `UPDATE candidates s SET building_id = m.building_id FROM json_to_recordset(?::json) AS m(local_id text, building_id bigint)
     WHERE s.job_id = ? AND s.local_id = m.local_id`,
    [JSON.stringify(links), jobId],
  );
  await trx.raw(
    `INSERT INTO building_observations (building_id, job_id, candidate_id, flight_date, area_m2, roof_height_m, roof_height_max_m, floors, roof_form,
       rooftop_structures, legality, violation, permit_no, geom)
     SELECT m.building_id, s.job_id, s.id, ?, s.area_m2, s.height_after_m, s.height_change_max_m, s.floors, m.roof_form,
       m.rooftop_structures, m.legality, m.violation, m.permit_no, s.geom
     FROM ${withEntries}`,
    [flightDate, ...bindings],
  );
  return { register, counts: { created: buildings.length - matches.size, updated: matches.size } };
}

/** Ids for `count` new register buildings, drawn from the table's sequence. */
async function newBuildingIds(trx: Knex.Transaction, count: number): Promise<number[]> {
  const result = await trx.raw(`SELECT nextval(pg_get_serial_sequence('buildings', 'id')) AS id FROM generate_series(1, ?)`, [count]);
  return result.rows.map((r: { id: string }) => Number(r.id));
}

/**
 * The register building each of the job's building candidates is found again as: of the pairs
 * overlapping by at least half of the smaller outline, the most alike (intersection over union)
 * first, each candidate and register building in one pair at most.
 */
async function registerMatches(trx: Knex.Transaction, jobId: number): Promise<Map<string, number>> {
  const pairs = await trx.raw(
    `SELECT s.local_id, b.id AS building_id
     FROM candidates s JOIN buildings b ON ST_Intersects(s.geom, b.geom)
     CROSS JOIN LATERAL (SELECT ${overlapArea('s.geom', 'b.geom')} AS shared) o
     WHERE s.job_id = ? AND s.change_kind = 'new_building' AND o.shared >= ? * least(ST_Area(s.geom), ST_Area(b.geom))
     ORDER BY o.shared / (ST_Area(s.geom) + ST_Area(b.geom) - o.shared) DESC, s.id, b.id`,
    [jobId, sameStructureOverlap],
  );
  const matches = new Map<string, number>();
  const taken = new Set<number>();
  for (const { local_id: localId, building_id: buildingId } of pairs.rows as { local_id: string; building_id: string }[]) {
    if (matches.has(localId) || taken.has(Number(buildingId))) continue;
    matches.set(localId, Number(buildingId));
    taken.add(Number(buildingId));
  }
  return matches;
}
