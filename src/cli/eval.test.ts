import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli.js';

const truth = fileURLToPath(new URL('../../fixtures/scene/truth.geojson', import.meta.url));
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
});
