/**
 * End to end: a structure found on the fixture scene becomes a case that is walked to closed
 * (demolished, re-inspected); a later flight that finds the structure standing again (rebuilt
 * after demolition) reopens that case instead of making a new one, and the record stays intact.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_ACTIONS, transitionCase } from '../src/cases/transitions.js';
import { runCli } from '../src/test-support/cli.js';
import { cliDatabase, type CliDatabase } from '../src/test-support/database.js';

const job = fileURLToPath(new URL('../fixtures/scene/job.json', import.meta.url));
let cli: CliDatabase;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  cli = await cliDatabase('reopen');
  ({ dir, env } = cli);
});
afterAll(() => cli?.remove());

describe('a structure rebuilt after its case was closed', () => {
  it('reopens the closed case on the later flight', async () => {
    const first = await runCli(['detect', '--job', job, '--out', join(dir, 'first')], undefined, env);
    expect(first.code).toBe(0);
    const suspects = JSON.parse(await readFile(join(dir, 'first', 'suspects.geojson'), 'utf8')).features;
    const building = suspects.find((f: { properties: { change_kind: string } }) => f.properties.change_kind === 'new_building').properties;
    const caseId = Number(building.case_id);
    await cli.use((db) =>
      db.knex.transaction(async (trx) => {
        for (const action of ['triage', 'dispatch', 'verify-illegal', 'start-disposal', 'reinspect', 'close']) {
          await transitionCase(trx, caseId, CASE_ACTIONS.find((a) => a.action === action)!, { actor: 'test', note: action === 'reinspect' ? 'demolished' : null });
        }
      }),
    );

    const later = await runCli(['detect', '--job', job, '--after-date', '2025-03-01', '--out', join(dir, 'later')], undefined, env);
    expect(later.code).toBe(0);
    const again = JSON.parse(await readFile(join(dir, 'later', 'suspects.geojson'), 'utf8')).features;
    // on the later date a permit that was not yet valid makes one building legal: every other suspect is the same case again
    expect(later.stdout).toContain(`cases: 0 new, ${again.length - 1} updated, 1 reopened`);
    expect(again.map((f: { properties: { case_id: number } }) => f.properties.case_id)).toContain(caseId);
    await cli.use(async (db) => {
      expect((await db.knex('cases').where({ id: caseId }).first('state')).state).toBe('detected');
      const events = await db.knex('case_events').where({ case_id: caseId }).orderBy('seq').pluck('kind');
      expect(events).toEqual(['detected', 'triaged', 'dispatched', 'verified_illegal', 'disposing', 'reinspected', 'closed', 'reopened']);
    });
    const verified = await runCli(['cases', 'verify', String(caseId)], undefined, env);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('record intact');
  }, 180_000);
});
