import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidencePath } from '../../../../../cases/evidence-store.js';
import { readCaseDossier } from '../../../../../cases/read.js';
import { candidate } from '../../../../../test-support/candidates.js';
import { jpegBytes, multipart, openTestService, type TestService } from '../../../../../test-support/service.js';
import { testBackends } from '../../../../../test-support/database.js';

describe.each(testBackends())('case transitions on the %s backend', (backend) => {
  let service: TestService;
  let cases: Map<string, number>;
  const post = (user: keyof TestService['auth'], id: number, action: string, payload: object = {}) =>
    service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/${action}`, headers: service.auth[user], payload });

  beforeAll(async () => {
    service = await openTestService(backend);
    cases = await service.detect('2024-06-01', [
      candidate('east', 'new_building', [10, 10, 20, 20], 9),
      candidate('west', 'new_building', [250, 10, 260, 20], 6),
      candidate('third', 'ground_structure', [50, 50, 56, 56], 3),
      candidate('retried', 'new_building', [100, 100, 110, 110], 5),
      candidate('keyed', 'new_building', [130, 10, 140, 20], 4),
      candidate('photographed', 'new_building', [130, 100, 140, 110], 4),
      candidate('skewed', 'new_building', [160, 160, 170, 170], 4),
    ]);
  });
  afterAll(() => service?.close());

  it('walks one case from detected to closed with the right roles, photos and GPS', async () => {
    const id = cases.get('east')!;
    expect((await post('reviewer', id, 'triage', { note: '屋顶加建, 需核实' })).json().case.state).toBe('triaged');
    expect((await post('reviewer', id, 'dispatch')).json().case.state).toBe('dispatched');
    const photo = jpegBytes('photo at the door');
    const body = multipart({ lon: '117.000123', lat: '30.270456', note: '现场确认无证建设' }, [photo]);
    const verdict = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/verify-illegal`, headers: { ...service.auth.officer, ...body.headers }, payload: body.payload });
    expect(verdict.statusCode).toBe(200);
    const event = verdict.json().event;
    expect(event).toMatchObject({ kind: 'verified_illegal', from_state: 'dispatched', to_state: 'verified_illegal', actor: 'officer', lon: 117.000123, lat: 30.270456 });
    expect(event.data.photos).toHaveLength(1);
    const sha256 = event.data.photos[0].sha256;
    expect(await readFile(evidencePath(service.evidenceDir, sha256))).toEqual(photo);
    expect((await post('supervisor', id, 'start-disposal')).json().case.state).toBe('disposing');
    expect((await post('officer', id, 'reinspect', { lon: 117.0001, lat: 30.2704, note: '已拆除' })).json().case.state).toBe('reinspected');
    const closed = await post('supervisor', id, 'close');
    expect(closed.statusCode).toBe(200);
    expect(closed.json().case).toMatchObject({ state: 'closed', overdue: false, due_at: null });

    const detail = (await service.app.inject({ url: `/api/v1/cases/${id}`, headers: service.auth.supervisor })).json();
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(['detected', 'triaged', 'dispatched', 'verified_illegal', 'disposing', 'reinspected', 'closed']);
    expect(detail.events[6].prev_hash).toBe(detail.events[5].hash);
    const photoRow = detail.evidence.find((e: { kind: string }) => e.kind === 'photo');
    expect(photoRow).toMatchObject({ sha256, media_type: 'image/jpeg', name: 'event-4-photo-1.jpg', url: `/api/v1/evidence/${sha256}` });
    const file = await service.app.inject({ url: photoRow.url, headers: service.auth.officer });
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.rawPayload).toEqual(photo);

    const dossier = await readCaseDossier(service.db.knex, id, service.evidenceDir);
    expect(dossier.record).toMatchObject({ id, state: 'closed', gridId: 'WG-01', projectOutline: { epsg: 4549 } });
    expect(dossier.events.map((e) => e.hash)).toEqual(detail.events.map((e: { hash: string }) => e.hash));
    expect(dossier.evidence.find((e) => e.kind === 'photo')!.path).toBe(evidencePath(service.evidenceDir, sha256));
  });

  it('refuses a role the action is not for with 403', async () => {
    const id = cases.get('third')!;
    const response = await post('officer', id, 'triage');
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 403, title: 'Forbidden', type: 'urn:zhiwei:problem:forbidden' });
    expect((await post('analyst', id, 'triage')).statusCode).toBe(403);
    expect((await post('reviewer', id, 'close')).statusCode).toBe(403);
  });

  it('answers 404, not 403, to an officer acting on a case outside their grids', async () => {
    const id = cases.get('west')!;
    await post('reviewer', id, 'triage');
    await post('reviewer', id, 'dispatch');
    const response = await post('officer', id, 'verify-illegal');
    expect(response.statusCode).toBe(404);
    expect(response.json().detail).toBe(`no case ${id}`);
    expect((await service.app.inject({ url: `/api/v1/cases/${id}`, headers: service.auth.officer })).statusCode).toBe(404);
    expect((await post('officer2', id, 'false-positive')).json().case.state).toBe('false_positive');
  });

  it('refuses a move the lifecycle does not allow with 409 listing the next states the caller may reach', async () => {
    const id = cases.get('third')!;
    const response = await post('supervisor', id, 'close');
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ status: 409, allowed: [], hint: 'its next states (triaged, dismissed) are for other roles' });
    expect(response.json().detail).toMatch(/is detected: it cannot move to closed/);
    expect((await post('reviewer', id, 'dispatch')).json()).toMatchObject({ status: 409, allowed: ['triaged', 'dismissed'], hint: 'allowed next states: triaged, dismissed' });
    expect((await post('admin', id, 'dismiss')).json().case.state).toBe('dismissed');
    expect((await post('admin', id, 'triage')).json()).toMatchObject({ status: 409, allowed: [] });
  });

  it('records a retried submission once: the same Idempotency-Key returns the recorded event, with the time the device recorded it', async () => {
    const id = cases.get('retried')!;
    await post('reviewer', id, 'triage');
    await post('reviewer', id, 'dispatch');
    const recordedAt = '2024-06-02T08:30:00.000Z';
    const send = () => {
      const body = multipart({ lon: '117.0002', lat: '30.2705', note: '离线时记录', recorded_at: recordedAt }, [jpegBytes('offline photo')]);
      const headers = { ...service.auth.officer, ...body.headers, 'idempotency-key': 'field-3f9c2a71' };
      return service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/verify-illegal`, headers, payload: body.payload });
    };
    const first = await send();
    expect(first.statusCode).toBe(200);
    expect(first.json().event.data).toMatchObject({ submission_id: 'field-3f9c2a71', recorded_at: recordedAt });
    const again = await send();
    expect(again.statusCode).toBe(200);
    expect(again.json().event.hash).toBe(first.json().event.hash);
    const detail = (await service.app.inject({ url: `/api/v1/cases/${id}`, headers: service.auth.officer })).json();
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(['detected', 'triaged', 'dispatched', 'verified_illegal']);
    expect(detail.evidence.filter((e: { kind: string }) => e.kind === 'photo')).toHaveLength(1);
    const other = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/verify-legal`, headers: { ...service.auth.officer, 'idempotency-key': 'field-other-key' }, payload: {} });
    expect(other.statusCode).toBe(409);
  });

  it('scopes an Idempotency-Key to the case, the action and the user, and refuses it with 422 when its content differs', async () => {
    const id = cases.get('keyed')!;
    const send = (user: keyof TestService['auth'], action: string, payload: object = {}) =>
      service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/${action}`, headers: { ...service.auth[user], 'idempotency-key': 'desk-5b1e0c44' }, payload });
    const triaged = await send('reviewer', 'triage', { note: '疑似加建' });
    expect(triaged.statusCode).toBe(200);
    // the same key with another action is another submission: the dismissal is refused by the lifecycle, not answered with the triage
    expect((await send('reviewer', 'dismiss', { note: '疑似加建' })).json()).toMatchObject({ status: 409, allowed: ['dispatched'] });
    expect((await send('reviewer', 'triage', { note: '疑似加建' })).json().event.hash).toBe(triaged.json().event.hash);
    const changed = await send('reviewer', 'triage', { note: '另一条备注' });
    expect(changed.statusCode).toBe(422);
    expect(changed.json()).toMatchObject({ status: 422, field: 'idempotency-key', detail: expect.stringMatching(/^idempotency-key: desk-5b1e0c44 was sent with event 2, whose note differs/) });
    // another user's key is theirs: admin's dispatch with it is recorded
    expect((await send('admin', 'dispatch')).json().event).toMatchObject({ seq: 3, kind: 'dispatched', actor: 'admin' });
    const events = await service.db.knex('case_events').where({ case_id: id }).orderBy('seq').pluck('kind');
    expect(events).toEqual(['detected', 'triaged', 'dispatched']);
  });

  it('stores no photo of a refused transition: one that does not decode, or a retry whose photos differ', async () => {
    const id = cases.get('photographed')!;
    await post('reviewer', id, 'triage');
    await post('reviewer', id, 'dispatch');
    const storedFiles = async () => (await readdir(service.evidenceDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
    const before = await storedFiles();
    const verify = (photos: Buffer[], key?: string) => {
      const body = multipart({ note: '两张照片' }, photos);
      const headers = { ...service.auth.officer, ...body.headers, ...(key ? { 'idempotency-key': key } : {}) };
      return service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/verify-illegal`, headers, payload: body.payload });
    };
    const garbage = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('not the rest of a JPEG')]);
    const undecodable = await verify([jpegBytes('a good photo'), garbage]);
    expect(undecodable.statusCode).toBe(400);
    expect(undecodable.json()).toMatchObject({ field: 'photo 2', detail: expect.stringMatching(/^photo 2: starts like a JPEG image but does not decode as one/) });
    expect(await storedFiles()).toEqual(before);

    const first = await verify([jpegBytes('the first photo')], 'field-7d2c9e10');
    expect(first.statusCode).toBe(200);
    const afterFirst = await storedFiles();
    expect(afterFirst).toEqual([...before, first.json().event.data.photos[0].sha256].sort());
    const other = await verify([jpegBytes('another photo'), jpegBytes('and one more')], 'field-7d2c9e10');
    expect(other.json()).toMatchObject({ status: 422, detail: expect.stringMatching(/whose photo differs/) });
    expect(await storedFiles()).toEqual(afterFirst);
    expect(await service.db.knex('evidence').where({ case_id: id, kind: 'photo' }).pluck('sha256')).toEqual([first.json().event.data.photos[0].sha256]);
  });

  it('refuses a recorded_at in the future beyond clock skew, a note with NUL, and a multipart body cut short, each with 400 naming the field', async () => {
    const id = cases.get('skewed')!;
    const events = async () => (await service.db.knex('case_events').where({ case_id: id })).length;
    const before = await events();
    const soon = new Date(Date.now() + 60_000).toISOString();
    const future = await post('admin', id, 'dismiss', { recorded_at: '2999-01-01T00:00:00Z' });
    expect(future.json()).toMatchObject({ status: 400, field: 'recorded_at', detail: expect.stringMatching(/^recorded_at: 2999-01-01T00:00:00Z is in the future/) });
    expect((await post('admin', id, 'dismiss', { note: 'a\u0000b' })).json()).toMatchObject({ status: 400, field: 'body.note' });
    const nul = multipart({ note: 'a\u0000b' }, []);
    const multipartNul = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/dismiss`, headers: { ...service.auth.admin, ...nul.headers }, payload: nul.payload });
    expect(multipartNul.json()).toMatchObject({ status: 400, field: 'body.note' });
    const whole = multipart({ note: '照片未传完' }, [jpegBytes('cut short')]);
    const cut = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/dismiss`, headers: { ...service.auth.admin, ...whole.headers }, payload: whole.payload.subarray(0, whole.payload.length - 100) });
    expect(cut.json()).toMatchObject({ status: 400, field: 'body', detail: expect.stringMatching(/^body: the multipart\/form-data body cannot be read/) });
    expect(await events()).toBe(before);
    // a device clock a minute ahead is skew, not the future
    expect((await post('admin', id, 'dismiss', { recorded_at: soon })).json().event.data.recorded_at).toBe(soon);
  });

  it('refuses a revoked token and an inactive user with 401', async () => {
    const { db } = service;
    const { token } = await (await import('../../../../../db/users.js')).createToken(db.knex, 'reviewer');
    const headers = { authorization: `Bearer ${token}` };
    expect((await service.app.inject({ url: '/api/v1/cases', headers })).statusCode).toBe(200);
    await db.knex('tokens').where({ prefix: token.slice(0, 11) }).update({ revoked_at: new Date() });
    const revoked = await service.app.inject({ url: '/api/v1/cases', headers });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.headers['www-authenticate']).toBe('Bearer');
    await db.knex('users').where({ name: 'analyst' }).update({ active: false });
    expect((await service.app.inject({ url: '/api/v1/cases', headers: service.auth.analyst })).statusCode).toBe(401);
    expect((await service.app.inject({ url: '/api/v1/cases' })).statusCode).toBe(401);
    expect((await service.app.inject({ url: '/api/v1/cases', headers: { authorization: 'Bearer zw_not-a-token' } })).statusCode).toBe(401);
  });
});
