/**
 * End to end: the real `zhiwei detect` on the bundled fixture scene, and its refusals of bad
 * input, each with a clear message, a non-zero exit and no output folder.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeoTiff } from '../src/raster/geotiff-writer.js';
import { runCli } from '../src/test-support/cli.js';

const scene = fileURLToPath(new URL('../fixtures/scene/', import.meta.url));
const testdata = fileURLToPath(new URL('../src/model/testdata/', import.meta.url));
const before = { ortho: join(scene, 'before/ortho.tif'), dsm: join(scene, 'before/dsm.tif') };
const after = { ortho: join(scene, 'after/ortho.tif'), dsm: join(scene, 'after/dsm.tif') };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-detect-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A 64 x 64 float32 DSM of `value` at the fixture's origin, or elsewhere. */
async function dsm(name: string, options: { value?: number; epsg?: number; originX?: number } = {}): Promise<string> {
  const path = join(dir, name);
  const info = JSON.parse(await readFile(join(scene, 'scene.json'), 'utf8'));
  const [x, y] = info.origin_sw_easting_northing as [number, number];
  await writeGeoTiff(
    path,
    {
      width: 64,
      height: 64,
      bandCount: 1,
      sampleType: 'float32',
      epsg: options.epsg ?? 4549,
      geoTransform: [options.originX ?? x, 0.4, 0, y + 200, 0, -0.4],
      nodata: -9999,
    },
    { width: 64, height: 64, bandCount: 1, data: new Float32Array(64 * 64).fill(options.value ?? 12) },
  );
  return path;
}

describe('zhiwei detect on the fixture scene', () => {
  it('finds the new buildings and demolitions from heights alone (DSM-only mode)', async () => {
    const out = join(dir, 'dsm-only');
    const { code, stdout } = await runCli(['detect', '--before-dsm', before.dsm, '--after-dsm', after.dsm, '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toContain('(dsm mode)');
    const evaluation = await runCli(['eval', '--truth', join(scene, 'truth.geojson'), '--pred', join(out, 'candidates.geojson'), '--min-area', '10', '--min-height', '2', '--json']);
    const report = JSON.parse(evaluation.stdout);
    expect(report.byKind.new_building.recall).toBe(1);
    expect(report.byKind.demolition.recall).toBe(1);
    expect(report.precision).toBeGreaterThanOrEqual(0.9);
  });

  it('writes candidates, a summary and evidence chips from orthophotos and DSMs, from a job spec file', async () => {
    const out = join(dir, 'full');
    const job = join(dir, 'job.json');
    const spec = { 'before-ortho': before.ortho, 'after-ortho': after.ortho, 'before-dsm': before.dsm, 'after-dsm': after.dsm, out };
    await writeFile(job, JSON.stringify(spec));
    const { code, stdout } = await runCli(['detect', '--job', job]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/candidates \(ortho_dsm mode\)/);
    expect(stdout).toMatch(/tiles: \d+ of \d+ inferred/);
    const candidates = JSON.parse(await readFile(join(out, 'candidates.geojson'), 'utf8'));
    expect(candidates.crs_source).toBe('EPSG:4549');
    expect(candidates.features.length).toBeGreaterThan(0);
    const first = candidates.features[0];
    expect(Object.keys(first.properties).sort()).toEqual(
      ['area_m2', 'change_kind', 'confidence', 'evidence', 'height_after_m', 'height_change_m', 'height_change_max_m', 'id', 'reason'].sort(),
    );
    expect(await readdir(join(out, 'evidence', first.properties.id))).toEqual(['after.jpg', 'before.jpg', 'height-change.png']);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(summary.mode).toBe('ortho_dsm');
    expect(summary.stagesMs.infer).toBeGreaterThan(0);
    expect(Math.abs(summary.vertical_offset.offset_m)).toBeGreaterThan(0.05);
  });

  it('runs on orthophotos alone and reports', async () => {
    const out = join(dir, 'ortho-only');
    const { code, stdout } = await runCli(['detect', '--before-ortho', before.ortho, '--after-ortho', after.ortho, '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toContain('(ortho mode)');
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
  });
});

describe('zhiwei detect refuses bad input', () => {
  async function refuses(args: string[], message: RegExp): Promise<void> {
    const out = join(dir, 'refused');
    const { code, stderr } = await runCli(['detect', ...args, '--out', out]);
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect((await readdir(dir)).filter((name) => name.startsWith('refused'))).toEqual([]);
  }

  it('a corrupt TIFF, naming it', async () => {
    const corrupt = join(dir, 'corrupt.tif');
    await copyFile(after.dsm, corrupt);
    await truncate(corrupt, 3000);
    await refuses(['--before-dsm', before.dsm, '--after-dsm', corrupt], /corrupt\.tif is truncated or corrupt/);
  });

  it('epochs that do not overlap', async () => {
    const far = await dsm('far.tif', { originX: 300000 });
    await refuses(['--before-dsm', before.dsm, '--after-dsm', far], /do not overlap/);
  });

  it('an unknown CRS, saying how to reproject', async () => {
    const unknown = await dsm('unknown-crs.tif', { epsg: 2000 });
    await refuses(['--before-dsm', unknown, '--after-dsm', after.dsm], /unknown-crs\.tif[\s\S]*gdalwarp/);
  });

  it('an all-nodata DSM', async () => {
    const empty = await dsm('empty.tif', { value: -9999 });
    await refuses(['--before-dsm', before.dsm, '--after-dsm', empty], /empty\.tif/);
  });

  it('an --out folder holding other files, before reading any raster, leaving the folder as it was', async () => {
    const photos = join(dir, 'photos');
    await mkdir(photos);
    await writeFile(join(photos, 'a.jpg'), 'jpeg');
    // rasters that do not exist: a run that read them first would name them instead
    const { code, stderr } = await runCli(['detect', '--before-dsm', join(dir, 'missing-before.tif'), '--after-dsm', join(dir, 'missing-after.tif'), '--out', photos]);
    expect(stderr).toContain(`${photos} is not empty and does not hold an earlier detect output; it would be replaced`);
    expect(code).toBe(5);
    expect((await readdir(dir)).filter((name) => name.startsWith('photos.'))).toEqual([]);
    expect(await readdir(photos)).toEqual(['a.jpg']);
  });

  it('a model that does not match its manifest', async () => {
    const model = join(dir, 'mismatch.onnx');
    await copyFile(join(testdata, 'renamed-inputs.onnx'), model);
    await copyFile(join(testdata, 'tiny-cd.json'), join(dir, 'mismatch.json'));
    await refuses(['--before-ortho', before.ortho, '--after-ortho', after.ortho, '--model', model], /mismatch/);
  });
});
