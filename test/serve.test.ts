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
    await cli.use((db) => db.knex('grids').insert(['WG-01', 'WG-02'].map((grid_id) => ({ grid_id, geom: db.knex.raw("ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)))', 4549)") }))));
    const unknownGrid = await runCli(['users', 'add', 'zhang', '--role', 'officer', '--grids', 'WG-01,WG-99'], undefined, env);
    expect(unknownGrid.code).toBe(2);
    expect(unknownGrid.stderr).toMatch(/--grids: no grid WG-99 in the grids layer/);
    // nothing was stored: adding zhang again below would be refused as existing
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

  it('verifies a case record and names each break by its kind', async () => {
    // two cases, detected, triaged and dispatched: one to edit, one to cut
    const [caseId, cutId] = await cli.use(async (db) => {
      const [{ id: jobId }] = await db.knex('jobs').insert({ state: 'succeeded', spec: '{}', after_date: '2024-06-01' }).returning('id');
      const ids: number[] = [];
      for (const x of [0, 20]) {
        const [{ id }] = await db.knex('cases').insert({
          state: 'dispatched', violation: 'no_permit', change_kind: 'new_building', priority: 10, grid_id: 'WG-01', area_m2: 100, first_job_id: jobId, last_job_id: jobId,
          geom: db.knex.raw(`ST_GeomFromText('MULTIPOLYGON(((${x} 0,${x + 10} 0,${x + 10} 10,${x} 10,${x} 0)))')`),
        }).returning('id');
        await db.knex.transaction(async (trx) => {
          await appendCaseEvent(trx, id, { kind: 'detected', fromState: null, toState: 'detected', actor: 'zhiwei detect', at: new Date() });
          await appendCaseEvent(trx, id, { kind: 'triaged', fromState: 'detected', toState: 'triaged', actor: 'li.wei', at: new Date(), note: '需现场核实' });
          await appendCaseEvent(trx, id, { kind: 'dispatched', fromState: 'triaged', toState: 'dispatched', actor: 'li.wei', at: new Date() });
        });
        ids.push(Number(id));
      }
      return ids;
    });
    const intact = await runCli(['cases', 'verify', String(caseId)], undefined, env);
    expect(intact.stdout, intact.stderr).toMatch(new RegExp(`case ${caseId}: record intact \\(3 events, 0 evidence files checked\\)`));
    expect(intact.code).toBe(0);

    await cli.use(async (db) => {
      await db.knex('cases').where({ id: caseId }).update({ state: 'closed', grid_id: 'WG-02' });
      await db.knex.raw('ALTER TABLE case_events DISABLE TRIGGER case_events_append_only');
      await db.knex('case_events').where({ case_id: caseId, seq: 2 }).update({ note: '无需核实' });
      await db.knex('outbox').whereIn('event_id', db.knex('case_events').where({ case_id: cutId, seq: 3 }).select('id')).delete();
      await db.knex('case_events').where({ case_id: cutId, seq: 3 }).delete();
      await db.knex.raw('ALTER TABLE case_events ENABLE TRIGGER case_events_append_only');
    });
    const broken = await runCli(['cases', 'verify', String(caseId)], undefined, env);
    expect(broken.code).toBe(5);
    expect(broken.stderr).toContain(`zhiwei: case ${caseId}: record broken (3 breaks):\n  event_changed at event 2: its hash does not match its contents`);
    expect(broken.stderr).toContain('\n  state_changed: the case is closed, but its chain leaves it dispatched (event 3)');
    expect(broken.stderr).toContain('\n  grid_changed at event 1: the case is in grid WG-02, but event 1 put it in WG-01');
    const cut = await runCli(['cases', 'verify', String(cutId)], undefined, env);
    expect(cut.code).toBe(5);
    expect(cut.stderr).toContain(`zhiwei: case ${cutId}: record broken (1 break):\n  chain_cut at event 3: the case's head is event 3 but its chain ends at event 2: events were deleted from its end\n`);
    expect((await runCli(['cases', 'verify', String(cutId + 1)], undefined, env)).code).toBe(4);
  }, 240_000);
});
