import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidencePath, sha256Of } from '../../../../cases/evidence-store.js';
import { photoMaxBytes } from '../../../../cases/photos.js';
import { candidate } from '../../../../test-support/candidates.js';
import { jpegBytes, multipart, openTestService, type TestService } from '../../../../test-support/service.js';
import { testBackends } from '../../../../test-support/database.js';

describe.each(testBackends())('photos and evidence files on the %s backend', (backend) => {
  let service: TestService;
  let caseId: number;
  const upload = (photos: Buffer[], fields: Record<string, string> = {}, fileField = 'photo') => {
    const body = multipart(fields, photos, fileField);
    return service.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/verify-illegal`, headers: { ...service.auth.officer, ...body.headers }, payload: body.payload });
  };
  const events = async () => (await service.db.knex('case_events').where({ case_id: caseId })).length;

  beforeAll(async () => {
    service = await openTestService(backend);
    caseId = (await service.detect('2024-06-01', [candidate('a', 'new_building', [10, 10, 20, 20])])).get('a')!;
    for (const action of ['triage', 'dispatch']) {
      await service.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/${action}`, headers: service.auth.reviewer, payload: {} });
    }
  });
  afterAll(() => service?.close());

  it('refuses a photo over the size limit with 413 and records nothing', async () => {
    const before = await events();
    const response = await upload([Buffer.concat([jpegBytes('big'), Buffer.alloc(photoMaxBytes)])]);
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await events()).toBe(before);
  });

  it('refuses files that are not JPEG, PNG or WebP by their bytes, whatever their name says', async () => {
    const pdf = await upload([Buffer.from('%PDF-1.7 not a photo')]);
    expect(pdf.statusCode).toBe(400);
    expect(pdf.json().detail).toMatch(/^photo 1: not a JPEG, PNG or WebP image \(its first bytes are 255044462d/);
    expect((await upload([Buffer.alloc(0)])).json().detail).toMatch(/first bytes are missing/);
    expect((await upload([jpegBytes('x')], {}, 'document')).json().detail).toMatch(/^document: files go in "photo" fields/);
    expect((await upload([], { lon: 'east', lat: '30' })).json()).toMatchObject({ status: 400, detail: expect.stringMatching(/^lon: /) });
    expect((await upload([], { state: 'closed' })).json().detail).toMatch(/^state: /);
    expect(await events()).toBe(3);
  });

  it('refuses a move the lifecycle does not allow before storing its photos', async () => {
    const photo = jpegBytes('photo of a refused move');
    const body = multipart({}, [photo]);
    const response = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/close`, headers: { ...service.auth.supervisor, ...body.headers }, payload: body.payload });
    expect(response.json()).toMatchObject({ status: 409, allowed: [], hint: 'its next states (verified_illegal, verified_legal, false_positive) are for other roles' });
    expect(await service.db.knex('evidence').where({ kind: 'photo' })).toEqual([]);
    expect(existsSync(evidencePath(service.evidenceDir, sha256Of(photo)))).toBe(false);
  });

  it('stores photos under their SHA-256, never under the name the client sent, and serves them with their type', async () => {
    const image = () => sharp({ create: { width: 4, height: 3, channels: 3, background: '#a0522d' } });
    const [png, webp] = [await image().png().toBuffer(), await image().webp().toBuffer()];
    const response = await upload([png, webp], { lon: '120.5', lat: '30.25', note: '两处加建' });
    expect(response.statusCode).toBe(200);
    const photos = response.json().event.data.photos;
    expect(photos.map((p: { media_type: string }) => p.media_type)).toEqual(['image/png', 'image/webp']);
    const names = await service.db.knex('evidence').where({ case_id: caseId, kind: 'photo' }).orderBy('id').pluck('name');
    expect(names).toEqual(['event-4-photo-1.png', 'event-4-photo-2.webp']);
    const served = await service.app.inject({ url: `/api/v1/evidence/${photos[1].sha256}`, headers: service.auth.analyst });
    expect(served.headers['content-type']).toBe('image/webp');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.rawPayload).toEqual(webp);
  });

  it('refuses evidence names that are not a SHA-256 and hides files of other grids from an officer', async () => {
    const headers = service.auth.admin;
    for (const name of ['..%2F..%2F..%2Fetc%2Fpasswd', '..%2Fdb', '%2Fetc%2Fpasswd', 'ABCDEF', `${'a'.repeat(64)}%00.jpg`, `${'A'.repeat(64)}`]) {
      const response = await service.app.inject({ url: `/api/v1/evidence/${name}`, headers });
      expect(response.statusCode, name).toBe(400);
      expect(response.json().field, name).toBe('params.sha256');
    }
    expect((await service.app.inject({ url: '/api/v1/evidence/../../../etc/passwd', headers })).statusCode).toBe(404);
    expect((await service.app.inject({ url: `/api/v1/evidence/${'0'.repeat(64)}`, headers })).statusCode).toBe(404);
    const [chip] = await service.db.knex('evidence').where({ kind: 'detection' }).pluck('sha256');
    expect((await service.app.inject({ url: `/api/v1/evidence/${chip}`, headers: service.auth.officer })).statusCode).toBe(200);
    expect((await service.app.inject({ url: `/api/v1/evidence/${chip}`, headers: service.auth.officer2 })).statusCode).toBe(404);
  });
});
