/**
 * A detect job whose rasters are URLs: the fixture scene's DSMs, converted to COGs and served by a
 * local server with Range support, give the same candidates as the same COGs on disk (DSM-only,
 * no database), and the run fetches each byte about once: the block cache keeps the job's
 * repeated reads of a window (offset, co-registration, strips, evidence) off the network.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDetectJob } from '../src/pipeline/run/detect-job.js';
import { defaultThresholds } from '../src/pipeline/thresholds.js';
import { convertToCog } from '../src/raster/cog-convert.js';

const scene = fileURLToPath(new URL('../fixtures/scene/', import.meta.url));
let dir = '';
let server: Server;
let url = '';
let fetched = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-detect-http-'));
  for (const epoch of ['before', 'after']) await convertToCog(join(scene, epoch, 'dsm.tif'), join(dir, `${epoch}-dsm.tif`));
  server = createServer((req, res) => {
    const file = readFileSync(join(dir, (req.url ?? '/').slice(1)));
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    if (!range) {
      res.writeHead(200, { 'content-length': file.length }).end(file);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : file.length - 1, file.length - 1);
    fetched += end - start + 1;
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${file.length}`, 'content-length': end - start + 1 }).end(file.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs a DSM-only detect on `beforeDsm`/`afterDsm` into `out`; returns the candidates' GeoJSON. */
async function detect(beforeDsm: string, afterDsm: string, out: string): Promise<unknown> {
  const quiet = () => ({ tick() {}, done() {} });
  const job = { beforeDsm, afterDsm, out, model: 'zhiwei-cd-v1', thresholds: defaultThresholds };
  await runDetectJob({ job, layers: [] }, null, { progress: quiet, evidenceDir: '', naming: 'flags' });
  return JSON.parse(await readFile(join(out, 'candidates.geojson'), 'utf8'));
}

describe('detect over HTTP', () => {
  it('finds the same candidates from COG URLs as from the files, fetching each byte about once', async () => {
    const local = await detect(join(dir, 'before-dsm.tif'), join(dir, 'after-dsm.tif'), join(dir, 'local'));
    const remote = await detect(`${url}/before-dsm.tif`, `${url}/after-dsm.tif`, join(dir, 'remote'));
    expect((local as { features: unknown[] }).features.length).toBeGreaterThan(0);
    expect(remote).toEqual(local);
    const sizes = statSync(join(dir, 'before-dsm.tif')).size + statSync(join(dir, 'after-dsm.tif')).size;
    expect(fetched).toBeLessThan(sizes * 1.5);
  });
});
