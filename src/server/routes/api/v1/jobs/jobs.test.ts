import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../../app.js';
import { testBackends } from '../../../../../test-support/database.js';
import { openTestService, type TestService } from '../../../../../test-support/service.js';
import { writeSurveyDsm } from '../../../../../test-support/survey-scene.js';

const scene = fileURLToPath(new URL('../../../../../../fixtures/scene/', import.meta.url));

/** The fixture scene's job.json with absolute paths. */
async function sceneSpec(): Promise<Record<string, string>> {
  const spec = JSON.parse(await readFile(join(scene, 'job.json'), 'utf8')) as Record<string, string>;
  return Object.fromEntries(Object.entries(spec).map(([key, value]) => [key, key.endsWith('-date') ? value : join(scene, value)]));
}

describe.each(testBackends())('detect and survey jobs through the API on the %s backend', (backend) => {
  let service: TestService;
  let spec: Record<string, string>;
  const submit = (payload: Record<string, unknown>, user: keyof TestService['auth'] = 'analyst') =>
    service.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: service.auth[user], payload });
  const get = async (url: string, user: keyof TestService['auth'] = 'reviewer') => (await service.app.inject({ url, headers: service.auth[user] })).json();
  const finished = async (id: number) => {
    for (const started = Date.now(); Date.now() - started < 90_000; await new Promise((resolve) => setTimeout(resolve, 200))) {
      const job = await get(`/api/v1/jobs/${id}`);
      if (job.state === 'succeeded' || job.state === 'failed') return job;
    }
    throw new Error(`job ${id} did not finish in 90 s`);
  };

  beforeAll(async () => {
    service = await openTestService(backend);
    spec = await sceneSpec();
  });
  afterAll(() => service?.close());

  it('runs a job on the fixture scene, and a second one queued behind it after it, and lists its suspects', async () => {
    const first = await submit({ ...spec, out: join(service.dir, 'first') });
    expect(first.statusCode).toBe(202);
    const queued = first.json();
    expect(queued).toMatchObject({ state: 'queued', submitted_by: 'analyst', after_date: '2024-10-01', out_dir: join(service.dir, 'first'), summary: null, error: null });
    expect(queued.links).toEqual({ self: `/api/v1/jobs/${queued.id}`, suspects: `/api/v1/cases?job=${queued.id}` });
    expect(first.headers.location).toBe(queued.links.self);
    // the second has no out: it writes to jobs/<id> in the data folder
    const { plans: _, grids: __, zones: ___, ...rasters } = spec;
    const second = (await submit(rasters)).json();
    expect(second.state).toBe('queued');
    expect(second.out_dir).toBe(join(service.dir, 'jobs', String(second.id)));

    const done = await finished(queued.id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('succeeded');
    expect(done.progress).toMatchObject({ done: expect.any(Number), total: expect.any(Number) });
    const { summary } = done;
    expect(summary.suspects).toBeGreaterThanOrEqual(6);
    expect(Object.values(summary.byViolation as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(summary.suspects);
    expect(Object.keys(summary.byGrid).every((grid) => grid.startsWith('WG-'))).toBe(true);
    expect(summary.cases).toEqual({ created: summary.suspects, updated: 0, reopened: 0, unchanged: 0, reinspections: 0 });
    expect(existsSync(join(service.dir, 'first', 'suspects.geojson'))).toBe(true);
    const cases = await get(`${done.links.suspects}&limit=500`);
    expect(cases.cases).toHaveLength(summary.suspects);

    const after = await finished(second.id);
    expect(after.state).toBe('succeeded');
    // the in-process queue runs one job at a time; on the pg-boss queue their steps overlap
    if (backend === 'embedded') expect(new Date(after.started_at).getTime()).toBeGreaterThanOrEqual(new Date(done.finished_at).getTime());
    // the same flights again: every suspect found as its case records it, so no case is news
    expect(after.summary.cases).toMatchObject({ created: 0, updated: 0, unchanged: summary.suspects });
    expect(existsSync(join(after.out_dir, 'summary.json'))).toBe(true);

    const list = await get('/api/v1/jobs');
    expect(list.jobs.map((job: { id: number }) => job.id)).toEqual([second.id, queued.id]);
    expect(list.next_offset).toBeNull();
    const page = await get('/api/v1/jobs?limit=1');
    expect(page).toMatchObject({ jobs: [{ id: second.id }], next_offset: 1 });
    expect((await get('/api/v1/jobs?state=failed')).jobs).toEqual([]);
  });

  it('refuses a bad spec with 400 naming the field, and queues nothing', async () => {
    const before = await service.db.knex('jobs').count({ n: '*' });
    const refused = async (payload: Record<string, unknown>, field: string, detail: RegExp) => {
      const response = await submit(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 400, field, detail: expect.stringMatching(detail) });
    };
    await refused({ ...spec, colour: 'red' }, 'body.colour', /additional properties/);
    const { 'after-date': _, ...undated } = spec;
    await refused(undated, 'body.after-date', /after flight date decides which plans are valid/);
    await refused({ ...spec, 'after-date': '2024-13-01' }, 'body.after-date', /"after-date" = "2024-13-01" is not a date/);
    await refused({ ...spec, 'after-dsm': join(scene, 'missing.tif') }, 'body.after-dsm', /missing\.tif does not exist/);
    await refused({ ...spec, plans: 'plans.geojson' }, 'body.plans', /not an absolute path/);
    await refused({ 'before-dsm': spec['before-dsm'], 'after-date': '2024-10-01' }, 'body.after-dsm', /needed with before-dsm/);
    await refused({ ...spec, threads: 0 }, 'body.threads', /must be >= 1/);
    expect(await service.db.knex('jobs').count({ n: '*' })).toEqual(before);
  });

  it('runs a survey job (kind survey) on a DSM alone: its buildings judged, registered and written; refuses keys of the other kind', async () => {
    const dsm = await writeSurveyDsm(service.dir);
    const out = join(service.dir, 'survey');
    const response = await submit({ kind: 'survey', dsm, date: '2024-10-01', plans: spec.plans, out });
    expect(response.statusCode).toBe(202);
    const queued = response.json();
    expect(queued).toMatchObject({ kind: 'survey', state: 'queued', before_date: null, after_date: '2024-10-01', model: null, out_dir: out });
    const done = await finished(queued.id);
    expect(done).toMatchObject({ kind: 'survey', state: 'succeeded', error: null });
    const { summary } = done;
    expect(summary).toMatchObject({ mode: 'dsm', buildings: 2, rooftopStructures: 1, job_id: queued.id, register: { created: 2, updated: 0 } });
    expect(summary.cases.created).toBe(summary.suspects);
    const buildings = JSON.parse(await readFile(join(out, 'buildings.geojson'), 'utf8')).features.map((f: { properties: Record<string, unknown> }) => f.properties);
    const registered = await service.db.knex('buildings').where({ first_job_id: queued.id }).pluck('id');
    expect(buildings.map((b: { building_id: number }) => b.building_id).sort()).toEqual(registered.map(Number).sort());
    expect(buildings.every((b: { legality: string }) => b.legality === 'legal' || b.legality === 'suspect')).toBe(true);
    expect((await get('/api/v1/jobs?limit=1')).jobs[0]).toMatchObject({ id: queued.id, kind: 'survey' });

    const refused = async (payload: Record<string, unknown>, field: string, detail: RegExp) => {
      const answer = await submit(payload);
      expect(answer.statusCode, JSON.stringify(payload)).toBe(400);
      expect(answer.json()).toMatchObject({ field, detail: expect.stringMatching(detail) });
    };
    await refused({ kind: 'survey', 'after-dsm': dsm, date: '2024-10-01' }, 'body.after-dsm', /after-dsm: not a key of a survey job/);
    await refused({ kind: 'survey', date: '2024-10-01' }, 'body.dsm', /needs the flight's DSM/);
    await refused({ dsm, 'after-date': '2024-10-01' }, 'body.dsm', /dsm: not a key of a detect job/);
    await refused({ kind: 'mapping', dsm }, 'body.kind', /./);
  });

  it('lets analysts submit and analysts, reviewers and supervisors read; others are refused', async () => {
    expect((await submit(spec, 'reviewer')).statusCode).toBe(403);
    expect((await submit(spec, 'officer')).statusCode).toBe(403);
    expect((await service.app.inject({ url: '/api/v1/jobs', headers: service.auth.officer })).statusCode).toBe(403);
    expect((await service.app.inject({ url: '/api/v1/jobs' })).statusCode).toBe(401);
    for (const user of ['analyst', 'reviewer', 'supervisor', 'admin'] as const) {
      expect((await service.app.inject({ url: '/api/v1/jobs', headers: service.auth[user] })).statusCode).toBe(200);
    }
    expect((await service.app.inject({ url: '/api/v1/jobs/999999', headers: service.auth.admin })).json()).toMatchObject({ status: 404, detail: 'no job 999999' });
  });

  it.runIf(backend === 'embedded')('puts the running job back in the queue when the service stops, leaving no output, and fails a job a crash left running', async () => {
    const app = await buildApp({ db: service.db, evidenceDir: service.evidenceDir });
    const out = join(service.dir, 'interrupted');
    const headers = service.auth.analyst;
    const { id } = (await app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: { ...spec, out } })).json();
    for (let job = { state: 'queued' }; job.state !== 'running'; await new Promise((resolve) => setTimeout(resolve, 50))) {
      job = (await app.inject({ url: `/api/v1/jobs/${id}`, headers })).json();
    }
    await app.close();
    expect(await service.db.knex('jobs').where({ id }).first('state', 'started_at', 'progress')).toEqual({ state: 'queued', started_at: null, progress: null });
    expect(existsSync(out)).toBe(false);
    expect((await readdir(service.dir)).filter((name) => name.startsWith('interrupted'))).toEqual([]);

    // as if the service had crashed mid-run: the next start fails the job instead of running it again
    await service.db.knex('jobs').where({ id }).update({ state: 'running', started_at: new Date() });
    const restarted = await buildApp({ db: service.db, evidenceDir: service.evidenceDir });
    try {
      let job = { state: 'running', error: null };
      while (job.state === 'running') job = (await restarted.inject({ url: `/api/v1/jobs/${id}`, headers })).json();
      expect(job).toMatchObject({ state: 'failed', error: 'the service stopped while this job ran; submit it again' });
    } finally {
      await restarted.close();
    }
  });

  it.runIf(backend === 'server')('carries on a job whose service stopped mid-run: another service sharing the database finishes it', async () => {
    const app = await buildApp({ db: service.db, evidenceDir: service.evidenceDir });
    const out = join(service.dir, 'carried-on');
    const headers = service.auth.analyst;
    const { id } = (await app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: { ...spec, out } })).json();
    for (let job = { state: 'queued' }; job.state === 'queued'; await new Promise((resolve) => setTimeout(resolve, 50))) {
      job = (await app.inject({ url: `/api/v1/jobs/${id}`, headers })).json();
    }
    await app.close();
    const done = await finished(id);
    expect(done).toMatchObject({ state: 'succeeded', error: null });
    expect(existsSync(join(out, 'suspects.geojson'))).toBe(true);
  });
});
