/**
 * Rasters over HTTP: a COG served by a local server with Range support reads to the same aligned
 * pixels as the file, fetching a small part of it; servers and files that cannot be read by
 * ranges are refused with the URL and the `zhiwei cog` hint.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crsDefinition } from '../geo/crs.js';
import { BadInputError, NotFoundError } from '../errors.js';
import { openCogWriter } from './cog-writer.js';
import { openGeoTiff } from './geotiff-source.js';
import { readAligned } from './read-aligned.js';
import type { AnalysisGrid } from './types.js';

const size = 2048;
const origin: [number, number] = [500000, 3400000];
let dir = '';

/** Serves `dir`; with `ranges` false it ignores Range headers and sends whole files. Counts bytes and requests. */
function serve(ranges: boolean): Promise<{ server: Server; url: string; sent: { bytes: number; requests: number } }> {
  const sent = { bytes: 0, requests: 0 };
  const server = createServer((req, res) => {
    sent.requests++;
    let file: Buffer;
    try {
      file = readFileSync(join(dir, decodeURIComponent((req.url ?? '/').slice(1))));
    } catch {
      res.writeHead(404).end();
      return;
    }
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    if (!range || !ranges) {
      sent.bytes += file.length;
      res.writeHead(200, { 'content-length': file.length }).end(file);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : file.length - 1, file.length - 1);
    sent.bytes += end - start + 1;
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${file.length}`, 'content-length': end - start + 1, 'accept-ranges': 'bytes' })
      .end(file.subarray(start, end + 1));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent }));
  });
}

/** A 2048 px float32 DSM COG at 0.1 m: heights vary with every pixel, a nodata hole at the top left. */
async function writeDsm(path: string): Promise<void> {
  const writer = await openCogWriter(path, {
    width: size, height: size, bandCount: 1, sampleType: 'float32', epsg: 4549, nodata: -9999,
    geoTransform: [origin[0], 0.1, 0, origin[1], 0, -0.1],
  });
  const rows = new Float32Array(size * 64);
  for (let y0 = 0; y0 < size; y0 += 64) {
    for (let i = 0; i < rows.length; i++) {
      const x = i % size;
      const y = y0 + Math.floor(i / size);
      // centimetre noise, as a drone DSM has, so that it compresses as one does
      rows[i] = x < 100 && y < 100 ? -9999 : 20 + Math.sin(x / 7) * 3 + (y % 97) * 0.05 + (((x * 7919) ^ (y * 104729)) % 101) * 0.001;
    }
    await writer.writeRows(rows);
  }
  await writer.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zhiwei-http-source-'));
  await writeDsm(join(dir, 'dsm.tif'));
  const stripes = Buffer.alloc(64 * 64 * 3, 90);
  await sharp(stripes, { raw: { width: 64, height: 64, channels: 3 } }).tiff({ tile: false }).toFile(join(dir, 'striped.tif'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rasters over HTTP', () => {
  it('reads a COG window onto the analysis grid as the local file does, fetching a small part of it', async () => {
    const { server, url, sent } = await serve(true);
    try {
      // 0.2 m grid, 300 x 200 cells near the middle, offset by half a source pixel
      const grid: AnalysisGrid = { crs: crsDefinition(4549), epsg: 4549, geoTransform: [origin[0] + 0.05, 0.2, 0, origin[1] - 0.05, 0, -0.2], width: 1000, height: 1000 };
      const window = { x: 400, y: 500, width: 300, height: 200 };
      const local = await openGeoTiff(join(dir, 'dsm.tif'));
      const remote = await openGeoTiff(`${url}/dsm.tif`);
      expect(remote.info).toEqual(local.info);
      const want = await readAligned(local, grid, window, { resample: 'bilinear' });
      const got = await readAligned(remote, grid, window, { resample: 'bilinear' });
      expect(Array.from(got.valid)).toEqual(Array.from(want.valid));
      expect(got.data).toEqual(want.data);
      // a second read of the window comes from the block cache (the detect job reads DSM windows several times)
      const fetched = sent.bytes;
      await readAligned(remote, grid, window, { resample: 'bilinear' });
      expect(sent.bytes).toBe(fetched);
      // and the nodata hole in the corner stays invalid
      const corner = await readAligned(remote, grid, { x: 0, y: 0, width: 40, height: 40 }, { resample: 'bilinear' });
      expect(corner.valid[5 * 40 + 5]).toBe(0);
      await Promise.all([local.close(), remote.close()]);
      const fileSize = statSync(join(dir, 'dsm.tif')).size;
      expect(sent.bytes).toBeLessThan(fileSize / 4);
      expect(sent.requests).toBeGreaterThan(1);
    } finally {
      server.close();
    }
  });

  it('refuses a server that ignores Range requests, naming the URL and zhiwei cog', async () => {
    const { server, url } = await serve(false);
    try {
      const error = await openGeoTiff(`${url}/dsm.tif`).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(BadInputError);
      expect((error as Error).message).toContain(`${url}/dsm.tif`);
      expect((error as Error).message).toMatch(/does not answer range requests/);
      expect((error as BadInputError).hint).toMatch(/zhiwei cog/);
    } finally {
      server.close();
    }
  });

  it('refuses a striped TIFF over HTTP, saying to convert it with zhiwei cog', async () => {
    const { server, url } = await serve(true);
    try {
      const error = await openGeoTiff(`${url}/striped.tif`).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(BadInputError);
      expect((error as Error).message).toMatch(/striped\.tif is not tiled/);
      expect((error as BadInputError).hint).toMatch(/zhiwei cog IN OUT/);
    } finally {
      server.close();
    }
  });

  it('reports a URL the server does not have as not found, and an unreachable server by its address', async () => {
    const { server, url } = await serve(true);
    try {
      await expect(openGeoTiff(`${url}/missing.tif`)).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      server.close();
    }
    const error = await openGeoTiff(`${url}/dsm.tif`).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as Error).message).toContain(`cannot reach raster ${url}/dsm.tif`);
  });
});
