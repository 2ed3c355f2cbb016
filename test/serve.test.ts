/**
 * End to end: `zhiwei users`, `zhiwei tokens`, `zhiwei serve` and `zhiwei cases verify` as a
 * user runs them, on the embedded database (or the server when DATABASE_URL is set).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendCaseEvent } from '../src/cases/events.js';
import { runCli } from '../src/test-support/cli.js';
import { cliDatabase, type CliDatabase } from '../src/test-support/database.js';
import { serve as serveOn } from '../src/test-support/serve.js';

let cli: CliDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  cli = await cliDatabase('serve');
  ({ env } = cli);
});
afterAll(() => cli?.remove());
const serve = () => serveOn(env);

describe('zhiwei serve, users, tokens and cases verify', () => {
  it('starts on a fresh data folder, answers health without a token and stops on SIGTERM', async () => {
    const server = await serve();
    if (!process.env.DATABASE_URL) expect(server.output()).toMatch(/preparing the embedded database/);
    expect((await fetch(`${server.address}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.address}/readyz`)).json()).toEqual({ status: 'ready' });
    const anonymous = await fetch(`${server.address}/api/v1/cases`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/application\/problem\+json/);
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    expect(server.output()).toMatch(/zhiwei serve: stopped/);
  }, 180_000);

  it('adds users, shows a token once and serves the API to it until it is revoked', async () => {
    expect((await runCli(['users', 'add', 'li.wei', '--role', 'reviewer'], undefined, env)).code).toBe(0);
    const officer = await runCli(['users', 'add', 'zhang', '--role', 'officer', '--grids', 'WG-01,WG-02'], undefined, env);
    expect(officer.stdout).toMatch(/zhang added as officer for grids WG-01, WG-02/);
    const created = await runCli(['tokens', 'create', 'li.wei'], undefined, env);
    const token = created.stdout.trim();
    expect(token).toMatch(/^zw_[\w-]{43}$/);
    expect(created.stderr).toMatch(/cannot be shown again/);

    const server = await serve();
    const cases = await fetch(`${server.address}/api/v1/cases`, { headers: { authorization: `Bearer ${token}` } });
    expect(cases.status).toBe(200);
    expect(await cases.json()).toEqual({ cases: [], next_cursor: null });
    server.child.kill('SIGINT');
    expect(await server.exit).toBe(0);

    const revoked = await runCli(['tokens', 'revoke', token.slice(0, 11)], undefined, env);
    expect(revoked.stdout).toMatch(/of li\.wei revoked/);
    expect((await runCli(['tokens', 'list'], undefined, env)).stdout).toMatch(/li\.wei\t.*\trevoked /);
    expect(await cli.use((db) => db.knex('tokens').pluck('sha256'))).not.toContain(token);
  }, 180_000);

  it('verifies a case record and names the event that was changed', async () => {
    const caseId = await cli.use(async (db) => {
      const [{ id: jobId }] = await db.knex('jobs').insert({ state: 'succeeded', spec: '{}', after_date: '2024-06-01' }).returning('id');
      const [{ id }] = await db.knex('cases').insert({
        state: 'detected', violation: 'no_permit', change_kind: 'new_building', priority: 10, area_m2: 100, first_job_id: jobId, last_job_id: jobId,
        geom: db.knex.raw(`ST_GeomFromText('MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0)))')`),
      }).returning('id');
      await db.knex.transaction(async (trx) => {
        await appendCaseEvent(trx, id, { kind: 'detected', fromState: null, toState: 'detected', actor: 'zhiwei detect', at: new Date() });
        await appendCaseEvent(trx, id, { kind: 'triaged', fromState: 'detected', toState: 'triaged', actor: 'li.wei', at: new Date(), note: '需现场核实' });
      });
      return Number(id);
    });
    const intact = await runCli(['cases', 'verify', String(caseId)], undefined, env);
    expect(intact.stdout, intact.stderr).toMatch(new RegExp(`case ${caseId}: record intact \\(2 events, 0 evidence files checked\\)`));
    expect(intact.code).toBe(0);

    await cli.use(async (db) => {
      await db.knex.raw('ALTER TABLE case_events DISABLE TRIGGER case_events_append_only');
      await db.knex('case_events').where({ case_id: caseId, seq: 2 }).update({ note: '无需核实' });
      await db.knex.raw('ALTER TABLE case_events ENABLE TRIGGER case_events_append_only');
    });
    const broken = await runCli(['cases', 'verify', String(caseId)], undefined, env);
    expect(broken.code).toBe(5);
    expect(broken.stderr).toMatch(new RegExp(`case ${caseId}: record broken at event 2: its hash does not match its contents`));
    expect((await runCli(['cases', 'verify', String(caseId + 1)], undefined, env)).code).toBe(4);
  }, 120_000);
});
