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
 * survey's (its `beforeDate` null); `dirs` as for `overlayAndEmit` (a survey's candidates carry no
 * evidence chips). Run inside `finishOutputs`' transaction, it commits with it.
 */
export async function overlaySurvey(
  db: Database,
  job: OverlayJob,
  grid: AnalysisGrid,
  buildings: Building[],
  dirs: { outputDir: string; evidenceDir: string },
): Promise<SurveyOverlayResult> {
  const projectEpsg = await projectCrsFor(db, grid);
  return db.knex.transaction(async (trx) => {
    const jobId = await recordJob(trx, job, 'survey');
    await storeCandidates(trx, jobId, grid, projectEpsg, surveyCandidates(buildings));
    // a standing building's age is unknown: no recency weight
    const suspects = await overlayCandidates(trx, { jobId, afterDate: job.afterDate, recency: 1, rules: job.rules });
    const cases = await emitCases(trx, { jobId, afterDate: job.afterDate, actor: 'zhiwei survey', ...dirs });
    const { register, counts } = await updateRegister(trx, jobId, job.afterDate, buildings, await readVerdicts(trx, jobId));
    return { jobId, projectEpsg, verdicts: await readVerdicts(trx, jobId), register, buildings: counts, suspects, cases };
  });
}

/**
 * One candidate per building (a new building standing on the ground: its height change is its
 * roof height) and one per rooftop structure (a rooftop addition: its height change is its height
 * above the roof).
 */
function surveyCandidates(buildings: Building[]): StoredCandidate[] {
  return buildings.flatMap((b) => [
    {
      candidate: {
        id: b.id, changeKind: 'new_building' as const, polygons: b.polygons, areaM2: b.areaM2, heightChangeM: b.roofHeightM, heightChangeMaxM: b.roofHeightMaxM,
        heightAfterM: b.roofHeightM, confidence: null, reason: `standing building: ${b.floors} floors, ${b.roofForm} roof`, floors: b.floors,
      },
      evidence: [],
    },
    ...b.rooftopStructures.map((r) => ({
      candidate: {
        id: r.id, changeKind: 'rooftop_addition' as const, polygons: r.polygons, areaM2: r.areaM2, heightChangeM: r.heightAboveRoofM, heightChangeMaxM: r.heightAboveRoofM,
        heightAfterM: r.heightM, confidence: null, reason: `rooftop structure ${r.heightAboveRoofM.toFixed(1)} m above the roof of ${b.id}`,
      },
      evidence: [],
    })),
  ]);
}

/** A building's state in the register as its survey judged it. */
interface RegisterState {
  legality: 'legal' | 'suspect';
  violation: Violation;
  permit_no: string | null;
  case_id: number | null;
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
}

/**
 * The building's verdict, or where it is legal but a structure on its roof is not, the most
 * urgent such structure's: a building with an unpermitted rooftop structure is a suspect too.
 * Its permit is its own (not one near a no_permit building, valid only later, say).
 */
function registerState(building: Building, verdicts: Map<string, OverlayVerdict>): RegisterState {
  const own = verdicts.get(building.id) as OverlayVerdict;
  const structures = building.rooftopStructures.map((r) => verdicts.get(r.id) as OverlayVerdict).filter((v) => v.suspect);
  const worst = own.suspect ? own : structures.sort((a, b) => b.priority - a.priority)[0];
  return {
    legality: worst ? 'suspect' : 'legal', violation: worst?.violation ?? 'none',
    permit_no: own.violation === 'no_permit' ? null : own.permitNo, case_id: worst?.caseId ?? null,
  };
}

/**
 * Updates the register with the job's buildings: each that overlaps a register building by at
 * least half of the smaller outline updates it (the most alike first, each register building at
 * most once), the others are added; each gets an observation of this job, and its candidate and
 * its rooftop structures' candidates name it.
 */
async function updateRegister(
  trx: Knex.Transaction,
  jobId: number,
  flightDate: string,
  buildings: Building[],
  verdicts: Map<string, OverlayVerdict>,
): Promise<{ register: Map<string, RegisterEntry>; counts: SurveyOverlayResult['buildings'] }> {
  const { candidateIds, matches } = await registerMatches(trx, jobId);
  const counts = { created: 0, updated: 0 };
  const register = new Map<string, RegisterEntry>();
  for (const building of buildings) {
    const candidateId = candidateIds.get(building.id) as number;
    const state = registerState(building, verdicts);
    const measured = { flight_date: flightDate, roof_form: building.roofForm, rooftop_structures: building.rooftopStructures.length, ...state };
    const existing = matches.get(building.id);
    const id = existing === undefined ? await addBuilding(trx, candidateId, measured) : await updateBuilding(trx, existing, candidateId, measured);
    counts[existing === undefined ? 'created' : 'updated']++;
    register.set(building.id, { buildingId: id, legality: state.legality, violation: state.violation, permitNo: state.permit_no, caseId: state.case_id });
    await trx('candidates').where({ job_id: jobId }).whereIn('local_id', [building.id, ...building.rooftopStructures.map((r) => r.id)]).update({ building_id: id });
    await trx.raw(
      `INSERT INTO building_observations (building_id, job_id, candidate_id, flight_date, area_m2, roof_height_m, roof_height_max_m, floors, roof_form,
         rooftop_structures, legality, violation, permit_no, geom)
       SELECT ?, s.job_id, s.id, ?, s.area_m2, s.height_after_m, s.height_change_max_m, s.floors, ?, ?, ?, ?, ?, s.geom FROM candidates s WHERE s.id = ?`,
      [id, flightDate, building.roofForm, measured.rooftop_structures, state.legality, state.violation, state.permit_no, candidateId],
    );
  }
  return { register, counts };
}

type Measured = RegisterState & { flight_date: string; roof_form: string; rooftop_structures: number };

/** The register columns taken from the building's candidate (its outline in the project CRS, its measurements, grid). */
const fromCandidate = `area_m2 = s.area_m2, roof_height_m = s.height_after_m, roof_height_max_m = s.height_change_max_m, floors = s.floors,
  grid_id = s.grid_id, geom = s.geom, last_job_id = s.job_id`;

async function addBuilding(trx: Knex.Transaction, candidateId: number, m: Measured): Promise<number> {
  const result = await trx.raw(
    `INSERT INTO buildings (first_job_id, last_job_id, flight_date, area_m2, roof_height_m, roof_height_max_m, floors, roof_form, rooftop_structures,
       legality, violation, permit_no, grid_id, case_id, geom)
     SELECT s.job_id, s.job_id, ?, s.area_m2, s.height_after_m, s.height_change_max_m, s.floors, ?, ?, ?, ?, ?, s.grid_id, ?, s.geom
     FROM candidates s WHERE s.id = ? RETURNING id`,
    [m.flight_date, m.roof_form, m.rooftop_structures, m.legality, m.violation, m.permit_no, m.case_id, candidateId],
  );
  return Number(result.rows[0].id);
}

async function updateBuilding(trx: Knex.Transaction, id: number, candidateId: number, m: Measured): Promise<number> {
  await trx.raw(
    `UPDATE buildings b SET ${fromCandidate}, flight_date = ?, roof_form = ?, rooftop_structures = ?, legality = ?, violation = ?, permit_no = ?, case_id = ?,
       updated_at = now()
     FROM candidates s WHERE b.id = ? AND s.id = ?`,
    [m.flight_date, m.roof_form, m.rooftop_structures, m.legality, m.violation, m.permit_no, m.case_id, id, candidateId],
  );
  return id;
}

/**
 * The database ids of the job's building candidates, and the register building each is found
 * again as: of the pairs overlapping by at least half of the smaller outline, the most alike
 * (intersection over union) first, each candidate and register building in one pair at most.
 */
async function registerMatches(trx: Knex.Transaction, jobId: number): Promise<{ candidateIds: Map<string, number>; matches: Map<string, number> }> {
  const ids = await trx('candidates').where({ job_id: jobId, change_kind: 'new_building' }).select('id', 'local_id');
  const pairs = await trx.raw(
    `SELECT s.local_id, b.id AS building_id
     FROM candidates s JOIN buildings b ON ST_Intersects(s.geom, b.geom)
     CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(s.geom, b.geom)) AS shared) o
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
  return { candidateIds: new Map(ids.map((r) => [r.local_id as string, Number(r.id)])), matches };
}
