/**
 * The real `zhiwei survey` on a small DSM (two buildings, one with a stair room on its roof), from a
 * job spec file, and its refusals of bad input, each with a clear message, a non-zero exit and no
 * output folder. The overlay, the register and the job API are tested in-process (jobs.test.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli.js';
import { writeSurveyDsm } from '../test-support/survey-scene.js';

let dir: string;
let dsm: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-survey-'));
  dsm = await writeSurveyDsm(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function features(path: string): Promise<{ properties: Record<string, unknown> }[]> {
  return JSON.parse(await readFile(path, 'utf8')).features;
}

describe('zhiwei survey', () => {
  it('finds the buildings of a DSM alone with their floors and the stair room on a roof, from a job spec file', async () => {
    const job = join(dir, 'survey.json');
    await writeFile(job, JSON.stringify({ dsm: 'survey-dsm.tif', date: '2024-10-01', out: 'first' }));
    const { code, stdout, stderr } = await runCli(['survey', '--job', job, '--buildings-only']);
    expect(stderr).not.toContain('zhiwei:');
    expect(code).toBe(0);
    expect(stdout).toContain(`2 buildings, 1 rooftop structures (dsm mode) written to ${join(dir, 'first')}`);
    expect(stdout).toMatch(/footprints regularised: [\d.]+ m² of pixels/);
    const out = join(dir, 'first');
    expect((await readdir(out)).sort()).toEqual(['buildings.geojson', 'results.gpkg', 'rooftop-structures.geojson', 'summary.json']);
    const buildings = (await features(join(out, 'buildings.geojson'))).map((f) => f.properties).sort((a, b) => Number(a.floors) - Number(b.floors));
    expect(buildings.map((b) => [b.floors, b.roof_form, b.rooftop_structures])).toEqual([[2, 'flat', 1], [3, 'flat', 0]]);
    expect(buildings[0].roof_height_m).toBeCloseTo(6.5, 0);
    expect(buildings[0].area_m2).toBeGreaterThan(110);
    expect(buildings[0]).not.toHaveProperty('legality');
    const [structure] = (await features(join(out, 'rooftop-structures.geojson'))).map((f) => f.properties);
    expect(structure.building).toBe(buildings[0].id);
    expect(structure.height_above_roof_m).toBeCloseTo(3, 0);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ mode: 'dsm', flight_date: '2024-10-01', buildings: 2, rooftopStructures: 1, ground: 'estimated from the DSM' });
    expect(summary.building_totals).toMatchObject({ count: 2, by_floors: { 2: 1, 3: 1 } });
    expect(summary.stagesMs.buildings).toBeGreaterThan(0);
  });
});

describe('zhiwei survey refuses bad input', () => {
  async function refuses(args: string[], message: string, code = 2): Promise<void> {
    const out = join(dir, 'refused');
    const run = await runCli(['survey', ...args, '--out', out]);
    expect(run.stderr).toContain(message);
    expect(run.code).toBe(code);
    expect(existsSync(out)).toBe(false);
    expect((await readdir(dir)).filter((name) => name.startsWith('refused'))).toEqual([]);
  }

  it('without a DSM or a flight date, or with a date that is not one', async () => {
    await refuses(['--date', '2024-10-01'], "a survey finds buildings by their height, so it needs the flight's DSM\n  hint: pass --dsm FILE");
    await refuses(['--dsm', dsm], 'the flight date decides which plans are valid and dates the buildings in the register\n  hint: pass --date YYYY-MM-DD');
    await refuses(['--dsm', dsm, '--date', '2024-13-01'], '"--date" = "2024-13-01" is not a date (use YYYY-MM-DD)');
  });

  it('a storey height that is not positive, and a detect key in a survey job spec', async () => {
    await refuses(['--dsm', dsm, '--date', '2024-10-01', '--storey-height', '0'], '"--storey-height" = 0 is not a positive number of metres');
    const job = join(dir, 'detect-keys.json');
    await writeFile(job, JSON.stringify({ 'after-dsm': 'survey-dsm.tif', date: '2024-10-01' }));
    await refuses(['--job', job], `${job}: unknown key "after-dsm"\n  hint: job spec keys are the survey flags: ortho, dsm, dtm,`);
  });

  it('an --out folder holding other files, before reading any raster, leaving the folder as it was', async () => {
    const photos = join(dir, 'photos');
    await mkdir(photos);
    await writeFile(join(photos, 'a.jpg'), 'jpeg');
    const run = await runCli(['survey', '--dsm', join(dir, 'missing.tif'), '--date', '2024-10-01', '--out', photos]);
    expect(run.stderr).toContain(`${photos} is not empty and does not hold an earlier survey output; it would be replaced`);
    expect(run.code).toBe(5);
    expect(await readdir(photos)).toEqual(['a.jpg']);
  });
});
