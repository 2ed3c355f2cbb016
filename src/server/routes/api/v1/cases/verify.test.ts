import { rm, writeFile } from 'node:fs/promises';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash } from '../../../../../cases/events.js';
import { evidencePath } from '../../../../../cases/evidence-store.js';
import { toCaseEvent } from '../../../../../cases/read.js';
import { caseHead } from '../../../../../db/migrations/005-case-head.js';
import { candidate } from '../../../../../test-support/candidates.js';
import { jpegBytes, multipart, openTestService, type TestService } from '../../../../../test-support/service.js';
import { testBackends } from '../../../../../test-support/database.js';

/** Runs `work` with the append-only trigger off, as a database superuser could. */
async function behindTheTrigger(knex: Knex, work: () => Promise<unknown>): Promise<void> {
  await knex.raw('ALTER TABLE case_events DISABLE TRIGGER case_events_append_only');
  try {
    await work();
  } finally {
    await knex.raw('ALTER TABLE case_events ENABLE TRIGGER case_events_append_only');
  }
}

/** Deletes event `seq` of a case with its outbox and delivery rows, as a superuser could. */
async function deleteEvent(knex: Knex, caseId: number, seq: number): Promise<void> {
  const event = knex('case_events').where({ case_id: caseId, seq }).select('id');
  await behindTheTrigger(knex, async () => {
    await knex('webhook_deliveries').whereIn('outbox_id', knex('outbox').whereIn('event_id', event).select('id')).delete();
    await knex('outbox').whereIn('event_id', event).delete();
    await knex('case_events').where({ case_id: caseId, seq }).delete();
  });
}

describe.each(testBackends())('case record check on the %s backend', (backend) => {
  let service: TestService;
  let cases: Map<string, number>;
  const verify = async (id: number) => (await service.app.inject({ url: `/api/v1/cases/${id}/verify`, headers: service.auth.supervisor })).json();
  const walkToVerdict = async (id: number, photo: Buffer) => {
    await service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/triage`, headers: service.auth.reviewer, payload: {} });
    await service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/dispatch`, headers: service.auth.reviewer, payload: { note: '请核实' } });
    const body = multipart({ lon: '120.1', lat: '30.2' }, [photo]);
    const response = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/verify-illegal`, headers: { ...service.auth.officer, ...body.headers }, payload: body.payload });
    return response.json().event.data.photos[0].sha256 as string;
  };

  beforeAll(async () => {
    service = await openTestService(backend);
    cases = await service.detect('2024-06-01', [
      candidate('a', 'new_building', [10, 10, 20, 20]), candidate('b', 'new_building', [40, 10, 50, 20]), candidate('c', 'new_building', [70, 10, 80, 20]),
      candidate('d', 'new_building', [100, 10, 110, 20]), candidate('e', 'new_building', [130, 10, 140, 20]),
    ]);
  });
  afterAll(() => service?.close());

  it('finds an untouched record whole: every event up to its head and every file', async () => {
    const id = cases.get('a')!;
    await walkToVerdict(id, jpegBytes('photo a'));
    const last = await service.db.knex('case_events').where({ case_id: id, seq: 4 }).first('hash');
    expect(await verify(id)).toEqual({ case_id: id, ok: true, events: 4, files: 2, head: { hash: last.hash, event_count: 4 }, breaks: [] });
  });

  it('names the event whose row was edited behind the trigger', async () => {
    const id = cases.get('a')!;
    const { knex } = service.db;
    await behindTheTrigger(knex, () => knex('case_events').where({ case_id: id, seq: 3 }).update({ note: '无需核实' }));
    expect((await verify(id)).breaks).toEqual([{ kind: 'event_changed', event: 3, reason: expect.stringMatching(/hash does not match its contents/) }]);
    await expect(knex('case_events').where({ case_id: id, seq: 3 }).update({ note: 'again' })).rejects.toThrow(/append-only/);
  });

  it('names an event removed from the middle of the chain', async () => {
    const id = cases.get('b')!;
    await walkToVerdict(id, jpegBytes('photo b'));
    await deleteEvent(service.db.knex, id, 2);
    expect((await verify(id)).breaks).toEqual([{ kind: 'event_missing', event: 3, reason: expect.stringMatching(/an event is missing/) }]);
  });

  it('names a chain cut at its end: the head the case keeps names the deleted event', async () => {
    const id = cases.get('c')!;
    await walkToVerdict(id, jpegBytes('photo c'));
    await deleteEvent(service.db.knex, id, 4);
    const result = await verify(id);
    expect(result).toMatchObject({ ok: false, events: 3, head: { event_count: 4 } });
    expect(result.breaks).toEqual([{ kind: 'chain_cut', event: 4, reason: expect.stringMatching(/head is event 4 but its chain ends at event 3/) }]);
  });

  it('refuses to move the head other than by appending, so a cut cannot be hidden without lifting the triggers', async () => {
    const id = cases.get('c')!;
    const { knex } = service.db;
    const third = await knex('case_events').where({ case_id: id, seq: 3 }).first('hash');
    await expect(knex('cases').where({ id }).update({ head_hash: third.hash, event_count: 3 })).rejects.toThrow(/moves only to the event appended after it/);
    await expect(knex('cases').where({ id }).update({ event_count: 3 })).rejects.toThrow(/moves only to the event appended after it/);
    const { first_job_id: jobId } = await knex('cases').where({ id }).first('first_job_id');
    const forged = { state: 'detected', violation: 'no_permit', change_kind: 'new_building', priority: 1, area_m2: 1, first_job_id: jobId, last_job_id: jobId, head_hash: third.hash };
    await expect(knex('cases').insert({ ...forged, geom: knex.raw("ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 4549)") })).rejects.toThrow(/a new case has no events yet/);
    expect((await verify(id)).breaks.map((b: { kind: string }) => b.kind)).toEqual(['chain_cut']);
  });

  it('names a case state set outside the chain, and a move made from it', async () => {
    const id = cases.get('d')!;
    const { knex } = service.db;
    await walkToVerdict(id, jpegBytes('photo d'));
    await knex('cases').where({ id }).update({ state: 'closed' });
    expect((await verify(id)).breaks).toEqual([{ kind: 'state_changed', reason: 'the case is closed, but its chain leaves it verified_illegal (event 4): the state was changed outside the chain' }]);
    await knex('cases').where({ id }).update({ state: 'reinspected' });
    const closed = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/close`, headers: service.auth.supervisor, payload: {} });
    expect(closed.statusCode).toBe(200);
    expect((await verify(id)).breaks).toEqual([
      { kind: 'state_changed', event: 5, reason: 'it moved the case from reinspected, but event 4 had left it verified_illegal: the state was changed outside the chain' },
    ]);
  });

  it("names a case moved to another grid (another officer's) and an outline redrawn outside the chain", async () => {
    const id = cases.get('e')!;
    const { knex } = service.db;
    expect((await verify(id)).ok).toBe(true);
    await knex('cases').where({ id }).update({ grid_id: 'WG-02' });
    expect((await verify(id)).breaks).toEqual([{ kind: 'grid_changed', event: 1, reason: 'the case is in grid WG-02, but event 1 put it in WG-01: the grid was changed outside the chain' }]);
    await knex('cases').where({ id }).update({ grid_id: 'WG-01', geom: knex.raw('ST_Multi(ST_Buffer(geom, 1))') });
    expect((await verify(id)).breaks).toEqual([{ kind: 'outline_changed', event: 1, reason: "the case's outline is not the one event 1 recorded: it was changed outside the chain" }]);
  });

  it('finds a case whole that a later flight moved into another grid with a new outline', async () => {
    const g = (await service.detect('2024-08-01', [candidate('g', 'new_building', [190, 10, 200, 20])])).get('g')!;
    const again = (await service.detect('2024-09-01', [candidate('g2', 'new_building', [193, 10, 213, 20])])).get('g2')!;
    expect(again).toBe(g);
    const redetected = await service.db.knex('case_events').where({ case_id: g, seq: 2 }).first('kind', 'data');
    expect(redetected).toMatchObject({ kind: 'redetected', data: { grid_id: 'WG-02', outline_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(await verify(g)).toMatchObject({ ok: true, events: 2, breaks: [] });
  });

  it('names a photo overwritten on disk and a chip gone from the store, and serves neither', async () => {
    const f = (await service.detect('2024-07-01', [candidate('f', 'ground_structure', [160, 100, 166, 106], 3)])).get('f')!;
    const sha256 = await walkToVerdict(f, jpegBytes('photo f'));
    const chip = await service.db.knex('evidence').where({ case_id: f, kind: 'detection' }).first('name', 'sha256');
    expect((await verify(f)).ok).toBe(true);
    await writeFile(evidencePath(service.evidenceDir, sha256), jpegBytes('a different photo'));
    await rm(evidencePath(service.evidenceDir, chip.sha256));
    expect((await verify(f)).breaks).toEqual([
      { kind: 'evidence_missing', evidence: { name: chip.name, sha256: chip.sha256 }, reason: 'the file is missing from the evidence store' },
      { kind: 'evidence_changed', evidence: { name: 'event-4-photo-1.jpg', sha256 }, reason: expect.stringMatching(/no longer has its recorded SHA-256/) },
    ]);
    const served = await service.app.inject({ url: `/api/v1/evidence/${sha256}`, headers: service.auth.supervisor });
    expect(served.statusCode).toBe(409);
    expect(served.json().detail).toBe(`evidence file ${sha256} no longer has its SHA-256 on disk: it was changed and is not served`);
    expect((await service.app.inject({ url: `/api/v1/evidence/${chip.sha256}`, headers: service.auth.supervisor })).statusCode).toBe(404);
  });

  it('checks the grid of a case detected before chains recorded it against the candidate its detection names', async () => {
    const h = (await service.detect('2024-08-15', [candidate('h', 'new_building', [10, 300, 20, 310])])).get('h')!;
    const { knex } = service.db;
    // the chain as a database from before migration 005 has it: a detection without grid and outline
    const detected = toCaseEvent(await knex('case_events').where({ case_id: h, seq: 1 }).first());
    const { grid_id: _grid, outline_sha256: _outline, ...data } = detected.data!;
    await deleteEvent(knex, h, 1);
    await knex.raw('ALTER TABLE cases DISABLE TRIGGER cases_head_on_update');
    try {
      await knex('cases').where({ id: h }).update({ head_hash: null, event_count: 0 });
    } finally {
      await knex.raw('ALTER TABLE cases ENABLE TRIGGER cases_head_on_update');
    }
    const legacy = { ...detected, data, hash: eventHash({ ...detected, data }) };
    await knex('case_events').insert({
      case_id: h, seq: 1, kind: legacy.kind, from_state: null, to_state: 'detected', actor: legacy.actor, at: legacy.at, data: JSON.stringify(data), prev_hash: null, hash: legacy.hash,
    });
    expect(await verify(h)).toMatchObject({ ok: true, head: { hash: legacy.hash, event_count: 1 } });
    await knex('cases').where({ id: h }).update({ grid_id: 'WG-02' });
    expect((await verify(h)).breaks).toEqual([
      { kind: 'grid_changed', event: 1, reason: `the case is in grid WG-02, but candidate ${data.candidate_id} (named by event 1) put it in WG-01: the grid was changed outside the chain` },
    ]);
  });

  it('gives existing cases the head of their chains when migrating', async () => {
    const { knex } = service.db;
    const heads = async () => knex('cases').orderBy('id').select('id', 'head_hash', 'event_count');
    const now = await heads();
    await knex.raw('ALTER TABLE cases DISABLE TRIGGER cases_head_on_update');
    try {
      await knex('cases').update({ head_hash: null, event_count: 0 });
      await knex.raw(caseHead.statements[1]);
    } finally {
      await knex.raw('ALTER TABLE cases ENABLE TRIGGER cases_head_on_update');
    }
    // the cut chain of case c gets the head of what is left of it
    const c = cases.get('c')!;
    const third = await knex('case_events').where({ case_id: c, seq: 3 }).first('hash');
    expect(await heads()).toEqual(now.map((row) => (Number(row.id) === c ? { ...row, head_hash: third.hash, event_count: 3 } : row)));
  });
});
