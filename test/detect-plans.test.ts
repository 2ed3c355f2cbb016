/**
 * End to end: the main job of the README's quick start, `zhiwei detect --job` on the fixture scene
 * with its plans, grids and zones, into a database (embedded, or the server when DATABASE_URL is
 * set); a re-run that makes no new case; and refusals that leave nothing behind.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/test-support/cli.js';
import { cliDatabase, type CliDatabase } from '../src/test-support/database.js';

const scene = fileURLToPath(new URL('../fixtures/scene/', import.meta.url));
const job = join(scene, 'job.json');
let cli: CliDatabase;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  cli = await cliDatabase('detect-plans');
  ({ dir, env } = cli);
});
afterAll(() => cli?.remove());

async function features(path: string): Promise<{ properties: Record<string, unknown> }[]> {
  return JSON.parse(await readFile(path, 'utf8')).features;
}

describe('zhiwei detect with plans', () => {
  it('refuses plans without the after flight date before doing anything', async () => {
    const out = join(dir, 'no-date');
    const run = await runCli(['detect', '--job', job, '--after-date', '', '--out', out], undefined, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"--after-date" = "" is not a date (use YYYY-MM-DD)');
    const undated = join(dir, 'undated.json');
    const { 'after-date': _, ...rest } = JSON.parse(await readFile(job, 'utf8'));
    await writeFile(undated, JSON.stringify(Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, k.includes('date') ? v : join(scene, String(v))]))));
    const second = await runCli(['detect', '--job', undated, '--out', out], undefined, env);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('pass --after-date YYYY-MM-DD');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(env.ZHIWEI_DATA_DIR)).toBe(false);
  });

  it('rejects a bad plans file whole, naming the row, and writes no output', async () => {
    const plans = JSON.parse(await readFile(join(scene, 'plans.geojson'), 'utf8'));
    delete plans.features[3].properties.permit_no;
    const bad = join(dir, 'bad-plans.geojson');
    await writeFile(bad, JSON.stringify(plans));
    const out = join(dir, 'bad');
    const run = await runCli(['detect', '--job', job, '--plans', bad, '--out', out], undefined, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad-plans.geojson: row 4: the attribute "permit_no" is missing or empty');
    expect(existsSync(out)).toBe(false);
    expect(await cli.use((db) => db.knex('plans').pluck('id'))).toEqual([]);
  });

  it('writes suspects with violation, permit, grid, zones, priority and case, and stores the cases', async () => {
    const out = join(dir, 'first');
    const run = await runCli(['detect', '--job', job, '--out', out], undefined, env);
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('plans.geojson: 51 plans imported (51 new, 0 updated), project CRS EPSG:4549');
    expect(run.stdout).toMatch(/\d+ suspects, [\d.]+ m² \(job 1, plans valid on 2024-10-01\)/);
    const suspects = await features(join(out, 'suspects.geojson'));
    expect(suspects.length).toBeGreaterThanOrEqual(6);
    for (const { properties } of suspects) {
      expect(properties).toMatchObject({ suspect: true, violation: expect.stringMatching(/^(no_permit|outside_permitted_footprint|exceeds_permitted_height|permit_expired)$/) });
      expect(properties.grid_id).toMatch(/^WG-/);
      expect(Array.isArray(properties.zones)).toBe(true);
      expect(properties.priority).toBeGreaterThan(0);
      expect(typeof properties.case_id).toBe('number');
      // a suspect without a permit shows none as its own, even where a permit valid only later lies under it
      if (properties.violation === 'no_permit') expect(properties.permit_no).toBeNull();
      else expect(properties.permit_no).toMatch(/^建字第/);
    }
    const candidates = await features(join(out, 'candidates.geojson'));
    expect(candidates.filter((c) => c.properties.suspect)).toHaveLength(suspects.length);
    expect(candidates.find((c) => c.properties.change_kind === 'demolition')?.properties.decision).toBe('demolition: evidence for re-inspection, not a new case');
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.cases).toEqual({ created: suspects.length, updated: 0, reopened: 0, unchanged: 0, reinspections: 0 });
    await cli.use(async (db) => {
      expect(await db.knex('cases').where({ state: 'detected' }).pluck('id')).toHaveLength(suspects.length);
      expect((await db.knex('evidence').where({ kind: 'detection' }).pluck('id')).length).toBe(3 * suspects.length);
    });
  });

  it('makes no new case when run again on the same inputs', async () => {
    const first = await features(join(dir, 'first', 'suspects.geojson'));
    const out = join(dir, 'again');
    const run = await runCli(['detect', '--job', job, '--out', out], undefined, env);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('plans.geojson: all 51 plans as stored; nothing changed');
    expect(run.stdout).toContain(`cases: 0 new, 0 updated, 0 reopened, ${first.length} found again as recorded (no news)`);
    const again = await features(join(out, 'suspects.geojson'));
    expect(again.map((f) => f.properties.case_id).sort()).toEqual(first.map((f) => f.properties.case_id).sort());
    await cli.use(async (db) => {
      expect(await db.knex('cases').pluck('id')).toHaveLength(first.length);
      expect(await db.knex('jobs').pluck('id')).toHaveLength(2);
    });
  });
});
