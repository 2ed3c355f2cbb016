import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/connect.js';
import { ensureProjectEpsg } from '../../db/project-crs.js';
import type { Candidate } from '../candidate.js';
import { overlayAndEmit } from './index.js';
import { candidate, testGrid } from '../../test-support/candidates.js';
import { openTestDatabase, testBackends } from '../../test-support/database.js';
import { eventHash } from '../../cases/events.js';
import { evidencePath } from '../../cases/evidence-store.js';


describe.each(testBackends())('case emission on the %s backend', (backend) => {
  let db: Database;
  let dir: string;
  const run = async (afterDate: string, candidates: Candidate[]) => {
    const outputDir = join(dir, `out-${afterDate}`);
    const evidence = [];
    for (const c of candidates) {
      await mkdir(join(outputDir, 'evidence', c.id), { recursive: true });
      await writeFile(join(outputDir, 'evidence', c.id, 'after.jpg'), `chip of ${c.id} on ${afterDate}`);
      evidence.push({ candidate: c, evidence: [`evidence/${c.id}/after.jpg`] });
    }
    const job = { spec: {}, model: null, beforeDate: null, afterDate, outDir: outputDir, summary: {} };
    return overlayAndEmit(db, job, testGrid, evidence, { outputDir, evidenceDir: join(dir, 'store') });
  };
  const caseCount = async () => Number((await db.knex('cases').count({ n: '*' }))[0].n);

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    dir = await mkdtemp(join(tmpdir(), 'zhiwei-emit-'));
    await ensureProjectEpsg(db.knex, 4549);
    // one plan far away, so that the overlay judges against plans at all
    await db.knex('plans').insert({ permit_no: 'P-1', kind: 'new_building', geom: db.knex.raw("ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 4549)") });
  });
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a case per suspect, and a re-run on the same inputs makes none and no news', async () => {
    const first = await run('2024-06-01', [candidate('c1', 'new_building', [0, 0, 10, 10], 9), candidate('c2', 'ground_structure', [50, 0, 55, 5], 3)]);
    expect(first.cases).toEqual({ created: 2, updated: 0, reopened: 0, unchanged: 0, reinspections: 0 });
    const events = async () => Number((await db.knex('case_events').count({ n: '*' }))[0].n);
    const eventsBefore = await events();
    // the same flight pair again: c1 drawn a little differently (an update), c2 exactly as recorded (no event, no second chip row)
    const again = await run('2024-06-01', [candidate('c1', 'new_building', [0.2, 0.1, 10.1, 10], 9.1), candidate('c2', 'ground_structure', [50, 0, 55, 5], 3)]);
    expect(again.cases).toEqual({ created: 0, updated: 1, reopened: 0, unchanged: 1, reinspections: 0 });
    expect(await events()).toBe(eventsBefore + 1);
    const c2Case = again.verdicts.get('c2')!.caseId!;
    expect(c2Case).toBe(first.verdicts.get('c2')!.caseId);
    expect(await db.knex('evidence').where({ case_id: c2Case }).pluck('id')).toHaveLength(1);
    expect(Number((await db.knex('cases').where({ id: c2Case }).first()).last_job_id)).toBe(again.jobId);
    expect(await caseCount()).toBe(2);
    expect(again.verdicts.get('c1')!.caseId).toBe(first.verdicts.get('c1')!.caseId);
  });

  it('updates the case from a later flight and keeps its evidence in the store by hash', async () => {
    const later = await run('2024-09-01', [candidate('c7', 'new_building', [0, 0, 12, 10], 12)]);
    expect(later.cases.updated).toBe(1);
    const caseId = later.verdicts.get('c7')!.caseId!;
    const row = await db.knex('cases').where({ id: caseId }).first();
    expect(Number(row.height_change_m)).toBe(12);
    expect(Number(row.last_job_id)).toBe(later.jobId);
    // c1's chip of the re-run is the same file as its first, so the case holds it once
    const evidence = await db.knex('evidence').where({ case_id: caseId }).orderBy('id');
    expect(evidence).toHaveLength(2);
    const newest = evidence[1];
    expect(await readFile(evidencePath(join(dir, 'store'), newest.sha256), 'utf8')).toBe('chip of c7 on 2024-09-01');
  });

  it('chains each case record by hash', async () => {
    const events = await db.knex('case_events').orderBy(['case_id', 'seq']);
    const first = events.find((e) => e.seq === 1)!;
    const second = events.find((e) => Number(e.case_id) === Number(first.case_id) && e.seq === 2)!;
    expect(second.prev_hash).toBe(first.hash);
    const recomputed = eventHash({
      caseId: Number(second.case_id), seq: second.seq, kind: second.kind, fromState: second.from_state, toState: second.to_state, actor: second.actor,
      at: new Date(second.at), lon: second.lon, lat: second.lat, note: second.note, data: second.data, prevHash: second.prev_hash,
    });
    expect(recomputed).toBe(second.hash);
    await expect(db.knex('case_events').where({ id: second.id }).update({ note: 'edited' })).rejects.toThrow(/append-only/);
    expect(await db.knex('outbox').pluck('event_id')).toHaveLength(events.length);
  });

  it('attaches a demolition on an open case as re-inspection evidence, not a new case', async () => {
    const before = await caseCount();
    const result = await run('2024-10-01', [candidate('d1', 'demolition', [50, 0, 55, 5], -3)]);
    expect(result.cases).toEqual({ created: 0, updated: 0, reopened: 0, unchanged: 0, reinspections: 1 });
    expect(await caseCount()).toBe(before);
    const event = await db.knex('case_events').where({ kind: 'reinspection_evidence' }).first();
    expect(event.data).toMatchObject({ finding: 'demolished', job_id: result.jobId });
    expect(await db.knex('evidence').where({ kind: 'reinspection' }).pluck('name')).toEqual(['after.jpg']);
  });

  it('reopens a closed case when the structure is found again', async () => {
    const [{ id }] = await db.knex('cases').where('area_m2', '<', 30).select('id');
    await db.knex('cases').where({ id }).update({ state: 'closed' });
    const result = await run('2025-03-01', [candidate('r1', 'ground_structure', [50, 0, 55, 5.2], 3)]);
    expect(result.cases.reopened).toBe(1);
    expect(result.verdicts.get('r1')!.caseId).toBe(Number(id));
    expect((await db.knex('cases').where({ id }).first()).state).toBe('detected');
    const last = await db.knex('case_events').where({ case_id: id }).orderBy('seq', 'desc').first();
    expect(last).toMatchObject({ kind: 'reopened', from_state: 'closed', to_state: 'detected' });
  });
});
