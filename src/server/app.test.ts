import { createServer } from 'node:net';
import knex from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_ACTIONS } from '../cases/transitions.js';
import { candidate } from '../test-support/candidates.js';
import { openTestService, type TestService } from '../test-support/service.js';
import { testBackends } from '../test-support/database.js';
import { buildApp } from './app.js';

describe.each(testBackends())('the service on the %s backend', (backend) => {
  let service: TestService;
  let caseId: number;
  beforeAll(async () => {
    service = await openTestService(backend, { writesPerMinute: 3 });
    caseId = (await service.detect('2024-06-01', [candidate('a', 'new_building', [10, 10, 20, 20])])).get('a')!;
  });
  afterAll(() => service?.close());

  it('answers health and readiness without a token, and readiness fails while a migration is pending', async () => {
    expect((await service.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await service.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
    const { knex } = service.db;
    const [row] = await knex('migrations').where({ name: '002_users' }).delete().returning('*');
    try {
      const behind = await service.app.inject({ url: '/readyz' });
      expect(behind.statusCode).toBe(503);
      expect(behind.json().detail).toMatch(/002_users not run/);
    } finally {
      await knex('migrations').insert(row);
    }
  });

  it('publishes an OpenAPI document with every route, its roles and bearer security, and a readable page', async () => {
    const document = (await service.app.inject({ url: '/api/docs/json' })).json();
    expect(document.openapi).toBe('3.1.0');
    const paths = Object.keys(document.paths);
    const expected = ['/healthz', '/readyz', '/api/v1/cases', '/api/v1/cases/{id}', '/api/v1/cases/{id}/verify', '/api/v1/evidence/{sha256}', '/api/v1/statistics', '/api/v1/exports/{format}',
      '/api/v1/jobs', '/api/v1/jobs/{id}', '/api/v1/jobs/{id}/tiles', '/api/v1/jobs/{id}/tiles/{layer}/{z}/{x}/{y}.{ext}',
      '/api/v1/tiles/{layer}/{z}/{x}/{y}.mvt', '/api/v1/me', '/api/v1/buildings', '/api/v1/buildings/{id}',
      '/api/v1/plans', '/api/v1/zones', '/api/v1/grids', '/api/v1/plans/import', '/api/v1/zones/import', '/api/v1/grids/import',
      ...CASE_ACTIONS.map((a) => `/api/v1/cases/{id}/${a.action}`)];
    expect(paths.sort()).toEqual(expected.sort());
    expect(document.paths['/api/v1/cases/{id}/dispatch'].post.description).toMatch(/Roles: reviewer, admin\./);
    expect(document.paths['/api/v1/cases/{id}/dispatch'].post.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/healthz'].get.security).toEqual([]);
    expect(document.paths['/api/v1/cases'].get.parameters.map((p: { name: string }) => p.name)).toContain('bbox');
    const page = await service.app.inject({ url: '/api/docs' });
    expect(page.statusCode === 200 || page.statusCode === 302).toBe(true);
  });

  it('asks for a bearer token and names the roles on every API operation', async () => {
    const document = (await service.app.inject({ url: '/api/docs/json' })).json();
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, { security: unknown; description?: string }>>)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
        expect(operation.description, `${method} ${path}`).toMatch(/Roles: [a-z, ]+admin\./);
      }
    }
  });

  it('answers unknown routes, unknown ids and malformed requests with problem+json', async () => {
    const unknown = await service.app.inject({ url: '/api/v2/cases' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    const headers = service.auth.admin;
    expect((await service.app.inject({ url: '/api/v1/cases/999999', headers })).json()).toMatchObject({ status: 404, detail: 'no case 999999' });
    expect((await service.app.inject({ url: '/api/v1/cases/abc', headers })).json()).toMatchObject({ status: 400, field: 'params.id' });
    expect((await service.app.inject({ url: '/api/v1/cases/99999999999999999999', headers })).statusCode).toBe(400);
    expect((await service.app.inject({ method: 'POST', url: '/api/v1/cases/999999/triage', headers, payload: {} })).statusCode).toBe(404);
    const malformed = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/triage`, headers: { ...headers, 'content-type': 'application/json' }, payload: '{"note": ' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ type: 'urn:zhiwei:problem:bad_input', title: 'Bad request', status: 400 });
    const extra = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/triage`, headers, payload: { note: 'x', state: 'closed' } });
    expect(extra.statusCode).toBe(400);
    const badLon = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/triage`, headers, payload: { lon: 'east', lat: 30 } });
    expect(badLon.json()).toMatchObject({ status: 400, field: 'body.lon' });
    const halfGps = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/triage`, headers, payload: { lon: 120 } });
    expect(halfGps.json().detail).toMatch(/^lat: give both lon and lat/);
    const text = await service.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/triage`, headers: { ...headers, 'content-type': 'text/plain' }, payload: 'triage please' });
    expect(text.statusCode).toBe(415);
    expect((await service.db.knex('case_events').where({ case_id: caseId })).length).toBe(1);
  });

  it('limits the writes of one user per minute with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await service.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/close`, headers: service.auth.supervisor, payload: {} })).statusCode);
    }
    expect(statuses).toEqual([409, 409, 409, 429]);
    expect((await service.app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/triage`, headers: service.auth.reviewer, payload: {} })).statusCode).toBe(200);
  });

  it('hides the details of an internal failure', async () => {
    const failing = new Proxy(service.db.knex, {
      apply: () => {
        throw new Error('secret connection detail');
      },
    });
    const broken = await buildApp({ db: { ...service.db, knex: failing }, evidenceDir: service.evidenceDir });
    try {
      const response = await broken.inject({ url: '/api/v1/cases', headers: service.auth.admin });
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toMatch(/secret/);
      expect(response.json()).toMatchObject({ status: 500, title: 'Internal server error' });
    } finally {
      await broken.close();
    }
  });
});

describe('the service while its database does not answer', () => {
  it('answers 503 with Retry-After, not 500, to the API and to readiness', async () => {
    // a port nothing listens on: every connection is refused, as while PostgreSQL restarts
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const down = knex({ client: 'pg', connection: `postgres://zhiwei@127.0.0.1:${port}/zhiwei`, pool: { min: 0, max: 2 } });
    const db = { knex: down, backend: 'server' as const, schema: 'zhiwei', location: `127.0.0.1:${port}`, migrated: [], close: () => down.destroy() };
    const app = await buildApp({ db, evidenceDir: '/nonexistent/evidence' });
    try {
      for (const url of ['/api/v1/cases', '/readyz']) {
        const response = await app.inject({ url, headers: { authorization: 'Bearer zw_any-token' } });
        expect(response.statusCode, url).toBe(503);
        expect(response.headers['retry-after'], url).toBe('10');
        expect(response.json(), url).toMatchObject({ status: 503, title: 'Service unavailable', detail: expect.stringMatching(/^the database does not answer/) });
      }
    } finally {
      await app.close();
      await down.destroy();
    }
  });
});
