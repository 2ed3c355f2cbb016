import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli.js';

const truth = fileURLToPath(new URL('../../fixtures/scene/truth.geojson', import.meta.url));
const buildings = fileURLToPath(new URL('../../fixtures/scene/buildings.geojson', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-eval-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('zhiwei eval', () => {
  it('scores the fixture truth against itself as perfect, per change kind', async () => {
    const { code, stdout } = await runCli(['eval', '--truth', truth, '--pred', truth, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.truth).toBeGreaterThan(5);
    expect(report).toMatchObject({ precision: 1, recall: 1, kindAccuracy: 1, medianAreaError: 0, medianHeightErrorM: 0 });
    expect(Object.keys(report.byKind)).toContain('new_building');
  });

  it('counts every missing change against recall once half the predictions are dropped', async () => {
    const collection = JSON.parse(await readFile(truth, 'utf8'));
    const kept = collection.features.filter((_: unknown, i: number) => i % 2 === 0);
    const pred = join(dir, 'half.geojson');
    await writeFile(pred, JSON.stringify({ ...collection, features: kept }));
    const { stdout } = await runCli(['eval', '--truth', truth, '--pred', pred, '--json']);
    const report = JSON.parse(stdout);
    expect(report.precision).toBe(1);
    expect(report.recall).toBeCloseTo(kept.length / collection.features.length, 10);
  });

  it('prints a table by default', async () => {
    const { stdout } = await runCli(['eval', '--truth', truth, '--pred', truth, '--min-area', '10', '--min-height', '2']);
    expect(stdout).toMatch(/precision\s+100\.0%\s+recall\s+100\.0%/);
    expect(stdout).toMatch(/^new_building/m);
  });

  it('rejects predictions without change_kind, naming the file and feature', async () => {
    const pred = join(dir, 'no-kind.geojson');
    const collection = JSON.parse(await readFile(truth, 'utf8'));
    collection.features[1].properties = {};
    await writeFile(pred, JSON.stringify(collection));
    const { code, stderr } = await runCli(['eval', '--truth', truth, '--pred', pred]);
    expect(code).toBe(2);
    expect(stderr).toContain('no-kind.geojson: feature 1 has no change_kind property');
  });

  it('scores the fixture buildings against themselves as perfect, with --buildings TRUTH RESULT', async () => {
    const { code, stdout } = await runCli(['eval', '--buildings', buildings, buildings, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.truth).toBeGreaterThan(150);
    expect(report).toMatchObject({ recall: 1, precision: 1, medianIou: 1, medianHeightErrorM: 0, floorsRight: 1, roofFormRight: 1 });
    expect(report.violations).toMatchObject({ violationAccuracy: 1, illegalRecall: 1, legalFlagged: 0 });
    expect(Object.keys(report.byUse)).toContain('house');
  });

  it('prints a Chinese and English table of a survey against the truth', async () => {
    const collection = JSON.parse(await readFile(buildings, 'utf8'));
    // the survey missed every third building and made every legal fifth one a no_permit suspect
    const features = collection.features
      .filter((_: unknown, i: number) => i % 3 !== 0)
      .map((f: { properties: Record<string, unknown> }, i: number) =>
        i % 5 === 0 && f.properties.legality === 'legal' ? { ...f, properties: { ...f.properties, legality: 'suspect', violation: 'no_permit' } } : f,
      );
    const result = join(dir, 'survey-buildings.geojson');
    await writeFile(result, JSON.stringify({ ...collection, features }));
    const { code, stdout } = await runCli(['eval', '--buildings', buildings, result]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/召回率 recall 6\d\.\d%\s+精确率 precision 100\.0%/);
    expect(stdout).toMatch(/合法建筑被标记 legal buildings flagged: \d+ of \d+ \(\d+\.\d%\)\n\s+\d+ × none → no_permit/);
    expect(stdout).toMatch(/^house\s+\d+/m);
    expect(stdout).not.toMatch(/→ none/);
  });

  it('refuses --buildings without two building files, naming what is missing', async () => {
    const one = await runCli(['eval', '--buildings', buildings]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('eval --buildings needs two files');
    const changes = await runCli(['eval', '--buildings', buildings, truth]);
    expect(changes.code).toBe(2);
    expect(changes.stderr).toContain('truth.geojson: feature 1 has no roof_height_m number');
  });
});
