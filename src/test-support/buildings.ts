/**
 * Hand-made building register rows for tests of what reads the register (the API, tiles, exports):
 * a succeeded survey job, its buildings (squares in EPSG:4549 metres from the test area's corner,
 * as `candidates.ts` draws them), each building's observation by the job, and the candidates of
 * its rooftop structures, written with SQL as a survey's overlay would leave them.
 */
import type { Knex } from 'knex';
import { E, N } from './candidates.js';

/** A building as a survey found and judged it. */
export interface TestBuilding {
  /** Name in the returned map. */
  name: string;
  square: [number, number, number, number];
  roofHeightM: number;
  floors: number;
  roofForm?: 'flat' | 'pitched';
  legality: 'legal' | 'suspect';
  violation: string;
  permitNo?: string;
  gridId: string | null;
  /** Register id of the building this survey finds again (updated, one more observation), instead of a new one. */
  registerId?: number;
  /** Rooftop structures: a square and its height above the roof. */
  rooftop?: { square: [number, number, number, number]; heightAboveRoofM: number; violation: string }[];
}

/** SQL of a square as a MultiPolygon in EPSG:4549. */
export function squareSql([x0, y0, x1, y1]: [number, number, number, number]): string {
  const ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]].map(([x, y]) => `${E + x} ${N + y}`).join(',');
  return `ST_GeomFromText('MULTIPOLYGON(((${ring})))', 4549)`;
}

const area = ([x0, y0, x1, y1]: [number, number, number, number]) => (x1 - x0) * (y1 - y0);

/** Records a survey flown on `flightDate` that found `buildings`; returns its job id and the register id of each building by name. */
export async function insertSurvey(knex: Knex, flightDate: string, buildings: TestBuilding[]): Promise<{ jobId: number; ids: Map<string, number> }> {
  return knex.transaction(async (trx) => {
    const [job] = await trx('jobs').insert({ kind: 'survey', state: 'succeeded', spec: '{}', after_date: flightDate, finished_at: trx.fn.now() }).returning('id');
    const jobId = Number(job.id);
    const ids = new Map<string, number>();
    for (const b of buildings) {
      const measured = {
        flight_date: flightDate, area_m2: area(b.square), roof_height_m: b.roofHeightM, roof_height_max_m: b.roofHeightM + 0.5, floors: b.floors,
        roof_form: b.roofForm ?? 'flat', rooftop_structures: b.rooftop?.length ?? 0, legality: b.legality, violation: b.violation, permit_no: b.permitNo ?? null,
        geom: trx.raw(squareSql(b.square)),
      };
      let id = b.registerId;
      if (id === undefined) {
        const [row] = await trx('buildings').insert({ ...measured, first_job_id: jobId, last_job_id: jobId, grid_id: b.gridId }).returning('id');
        id = Number(row.id);
      } else {
        await trx('buildings').where({ id }).update({ ...measured, last_job_id: jobId, grid_id: b.gridId, updated_at: trx.fn.now() });
      }
      ids.set(b.name, id);
      const candidate = {
        job_id: jobId, reason: 'survey', grid_id: b.gridId, building_id: id, suspect: b.legality === 'suspect', violation: b.violation, permit_no: b.permitNo ?? null,
      };
      const [own] = await trx('candidates').insert({
        ...candidate, local_id: b.name, change_kind: 'new_building', area_m2: area(b.square), height_change_m: b.roofHeightM, height_after_m: b.roofHeightM, floors: b.floors,
        geom: trx.raw(squareSql(b.square)),
      }).returning('id');
      await trx('building_observations').insert({ ...measured, building_id: id, job_id: jobId, candidate_id: Number(own.id) });
      for (const [index, r] of (b.rooftop ?? []).entries()) {
        await trx('candidates').insert({
          ...candidate, local_id: `${b.name}-r${index + 1}`, change_kind: 'rooftop_addition', area_m2: area(r.square), height_change_m: r.heightAboveRoofM,
          height_after_m: b.roofHeightM + r.heightAboveRoofM, suspect: r.violation !== 'none', violation: r.violation, geom: trx.raw(squareSql(r.square)),
        });
      }
    }
    return { jobId, ids };
  });
}
