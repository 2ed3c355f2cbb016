import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidencePath } from '../../../../../cases/evidence-store.js';
import { candidate } from '../../../../../test-support/candidates.js';
import { jpegBytes, multipart, openTestService, type TestService } from '../../../../../test-support/service.js';
import { testBackends } from '../../../../../test-support/database.js';

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
    cases = await service.detect('2024-06-01', [candidate('a', 'new_building', [10, 10, 20, 20]), candidate('b', 'new_building', [40, 10, 50, 20])]);
  });
  afterAll(() => service?.close());

  it('finds an untouched record whole: every event and every file', async () => {
    const id = cases.get('a')!;
    await walkToVerdict(id, jpegBytes('photo a'));
    expect(await verify(id)).toEqual({ case_id: id, ok: true, events: 4, files: 2, broken: null });
  });

  it('names the event whose row was edited behind the trigger', async () => {
    const id = cases.get('a')!;
    const { knex } = service.db;
    await knex.raw('ALTER TABLE case_events DISABLE TRIGGER case_events_append_only');
    try {
      await knex('case_events').where({ case_id: id, seq: 3 }).update({ note: '无需核实' });
    } finally {
      await knex.raw('ALTER TABLE case_events ENABLE TRIGGER case_events_append_only');
    }
    expect(await verify(id)).toMatchObject({ ok: false, broken: { event: 3, reason: expect.stringMatching(/hash does not match its contents/) } });
    await expect(knex('case_events').where({ case_id: id, seq: 3 }).update({ note: 'again' })).rejects.toThrow(/append-only/);
  });

  it('names an event removed from the chain', async () => {
    const id = cases.get('b')!;
    await walkToVerdict(id, jpegBytes('photo b'));
    const { knex } = service.db;
    await knex.raw('ALTER TABLE case_events DISABLE TRIGGER case_events_append_only');
    try {
      await knex('outbox').whereIn('event_id', knex('case_events').where({ case_id: id, seq: 2 }).select('id')).delete();
      await knex('case_events').where({ case_id: id, seq: 2 }).delete();
    } finally {
      await knex.raw('ALTER TABLE case_events ENABLE TRIGGER case_events_append_only');
    }
    expect((await verify(id)).broken).toMatchObject({ event: 3, reason: expect.stringMatching(/an event is missing/) });
  });

  it('names a photo overwritten on disk', async () => {
    const c = (await service.detect('2024-07-01', [candidate('c', 'ground_structure', [100, 100, 106, 106], 3)])).get('c')!;
    const sha256 = await walkToVerdict(c, jpegBytes('photo c'));
    expect((await verify(c)).ok).toBe(true);
    await writeFile(evidencePath(service.evidenceDir, sha256), jpegBytes('a different photo'));
    expect(await verify(c)).toMatchObject({ ok: false, broken: { evidence: { sha256, name: 'event-4-photo-1.jpg' }, reason: expect.stringMatching(/no longer has its recorded SHA-256/) } });
  });
});
