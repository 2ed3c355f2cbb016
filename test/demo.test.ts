/**
 * A newcomer's first hour: `zhiwei demo`, then `zhiwei detect` on their own flights in the same
 * working folder. The demo stays in its sandbox; the user's run starts clean.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeoTiff } from '../src/raster/geotiff-writer.js';
import { runCli } from '../src/test-support/cli.js';

let cwd: string;
// the default data folder (.zhiwei of the working folder) and the embedded backend, as a new user has them
const newcomer = { ZHIWEI_DATA_DIR: '', DATABASE_URL: '' };
const inDemo = () => ({ ZHIWEI_DATA_DIR: join(cwd, 'demo/data'), DATABASE_URL: '' });

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'zhiwei-newcomer-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

/** A 250 x 250 DSM at 0.4 m in UTM zone 51N (not the demo's CRS): flat ground, and a 12 x 10 m block 6 m high after. */
async function ownDsm(name: string, withBlock: boolean): Promise<string> {
  const size = 250;
  const data = new Float32Array(size * size).fill(20);
  if (withBlock) for (let row = 100; row < 125; row++) for (let col = 100; col < 130; col++) data[row * size + col] = 26;
  const path = join(cwd, name);
  await writeGeoTiff(
    path,
    { width: size, height: size, bandCount: 1, sampleType: 'float32', epsg: 32651, geoTransform: [350_000, 0.4, 0, 3_460_000, 0, -0.4], nodata: -9999 },
    { width: size, height: size, bandCount: 1, data },
  );
  return path;
}

describe('the demo, then a first real run in the same folder', () => {
  it('keeps the demo in its sandbox and lets detect without plans start clean', async () => {
    const demo = await runCli(['demo'], cwd, newcomer);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain('its own sandbox, demo/');
    expect(demo.stdout).toContain('export ZHIWEI_DATA_DIR=demo/data');
    const suspects = JSON.parse(await readFile(join(cwd, 'demo/results/suspects.geojson'), 'utf8'));
    expect(suspects.features.length).toBeGreaterThan(0);
    expect(existsSync(join(cwd, '.zhiwei'))).toBe(false);

    const before = await ownDsm('before.tif', false);
    const after = await ownDsm('after.tif', true);
    const own = await runCli(['detect', '--before-dsm', before, '--after-dsm', after, '--out', 'mine'], cwd, newcomer);
    expect(own.code, own.stderr).toBe(0);
    const candidates = JSON.parse(await readFile(join(cwd, 'mine/candidates.geojson'), 'utf8'));
    expect(candidates.crs_source).toBe('EPSG:32651');
    expect(candidates.features.map((f: { properties: { change_kind: string } }) => f.properties.change_kind)).toEqual(['new_building']);
    expect(existsSync(join(cwd, '.zhiwei'))).toBe(false);

    // the demo's database: its CRS, its one job and its cases, as the demo left them
    const status = await runCli(['db', 'migrate'], cwd, inDemo());
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('project CRS: EPSG:4549');
    expect(status.stdout).toContain(`jobs 1, cases ${suspects.features.length}`);
  }, 300_000);

  it('says which stored plans a detect without plans would use, and how to run without them', async () => {
    const before = join(cwd, 'before.tif');
    const after = join(cwd, 'after.tif');
    const run = await runCli(['detect', '--before-dsm', before, '--after-dsm', after, '--out', 'theirs'], cwd, inDemo());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/holds \d+ approved plans \(from plans\.geojson\)/);
    expect(run.stderr).toContain('--candidates-only');
    expect(existsSync(join(cwd, 'theirs'))).toBe(false);

    const candidatesOnly = await runCli(['detect', '--before-dsm', before, '--after-dsm', after, '--out', 'theirs', '--candidates-only'], cwd, inDemo());
    expect(candidatesOnly.code, candidatesOnly.stderr).toBe(0);
    expect(candidatesOnly.stdout).not.toContain('suspects');
  }, 120_000);
});
