/**
 * `zhiwei cog` from the command line: what it says when it wrote a COG (the conversion itself is
 * tested in src/raster/cog-convert.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeoTiff } from '../raster/geotiff-writer.js';
import { runCli } from '../test-support/cli.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-cli-cog-'));
  const heights = Float32Array.from({ length: 600 * 400 }, (_, i) => 30 + (i % 600) * 0.01);
  await writeGeoTiff(join(dir, 'dsm.tif'), { width: 600, height: 400, bandCount: 1, sampleType: 'float32', epsg: 4549, geoTransform: [500000, 0.2, 0, 3400000, 0, -0.2], nodata: -9999 }, { width: 600, height: 400, bandCount: 1, data: heights });
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('zhiwei cog', () => {
  it('writes the COG and says its layout', async () => {
    const result = await runCli(['cog', join(dir, 'dsm.tif'), join(dir, 'dsm-cog.tif')]);
    expect(result.stderr).not.toMatch(/zhiwei:/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote ${join(dir, 'dsm-cog.tif')} (600 x 400, 1 x float32, 1 overviews)`);
  });
});
