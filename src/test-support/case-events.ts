/**
 * Cases and case events made by hand, for tests and benches of what reads the outbox.
 */
import type { Knex } from 'knex';
import { appendCaseEvent } from '../cases/events.js';

/** Inserts `count` detected cases (one job, unit squares) and returns their ids. */
export async function insertCases(knex: Knex, count: number): Promise<number[]> {
  const [{ id: jobId }] = await knex('jobs').insert({ state: 'succeeded', spec: '{}' }).returning('id');
  const rows = Array.from({ length: count }, (_, i) => ({
    state: 'detected', violation: 'no_permit', change_kind: 'new_building', priority: 1, area_m2: 1, first_job_id: jobId, last_job_id: jobId,
    geom: knex.raw('ST_Multi(ST_MakeEnvelope(?, 0, ? + 1, 1))', [i, i]),
  }));
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += 500) ids.push(...(await knex('cases').insert(rows.slice(i, i + 500)).returning('id')).map((row) => Number(row.id)));
  return ids;
}

/** Appends `rounds` note events to every case, round by round (so cases interleave), one transaction per round. */
export async function appendRounds(knex: Knex, caseIds: number[], rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await knex.transaction(async (trx) => {
      for (const caseId of caseIds) {
        await appendCaseEvent(trx, caseId, { kind: 'note', fromState: null, toState: null, actor: 'test', at: new Date(), note: `round ${round + 1}` });
      }
    });
  }
}
