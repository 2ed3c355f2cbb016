/**
 * openGeoTiff on the files that go wrong (not a TIFF, truncated, no georeferencing, odd sample
 * types), user-defined CRSs, overviews and COGs over HTTP. Files are made with GDAL at test
 * time: missing, these tests skip (fail under CI).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError, NotFoundError } from '../errors.js';
import { requireTool } from '../test-support/tools.js';
import { openGeoTiff } from './geotiff-source.js';

const W = 97;
const H = 61;
const haveGdal = requireTool('gdal_translate');
const georef = ['-a_srs', 'EPSG:4549', '-a_ullr', '500000', '3400000', `${500000 + W}`, `${3400000 - H}`];
const tiled = ['-co', 'TILED=YES', '-co', 'BLOCKXSIZE=16', '-co', 'BLOCKYSIZE=16'];
let dir = '';

/** RGB pixel (x, y) = [x, y, x + y], as raw bytes with an ENVI header GDAL opens. */
function writeRgb(name: string, width: number, height: number, value?: [number, number, number]): void {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(value ?? [x, y, x + y], (y * width + x) * 3);
  }
  writeFileSync(join(dir, `${name}.raw`), data);
  const header = `ENVI\nsamples = ${width}\nlines = ${height}\nbands = 3\nheader offset = 0\nfile type = ENVI Standard\ndata type = 1\ninterleave = bip\nbyte order = 0\n`;
  writeFileSync(join(dir, `${name}.hdr`), header);
}

function gdal(args: string[]): void {
  execFileSync('gdal_translate', ['-q', ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A VRT over rgb.raw whose overview is a 49x31 image of one colour, so its use is visible. */
function overviewVrt(): string {
  const bands = [1, 2, 3].map((band) =>
    `<VRTRasterBand dataType="Byte" band="${band}">` +
    `<SimpleSource><SourceFilename relativeToVRT="1">rgb.raw</SourceFilename><SourceBand>${band}</SourceBand></SimpleSource>` +
    `<Overview><SourceFilename relativeToVRT="1">flat.tif</SourceFilename><SourceBand>${band}</SourceBand></Overview>` +
    '</VRTRasterBand>');
  return `<VRTDataset rasterXSize="${W}" rasterYSize="${H}"><SRS>EPSG:4549</SRS>` +
    `<GeoTransform>500000, 1, 0, 3400000, 0, -1</GeoTransform>${bands.join('')}</VRTDataset>`;
}

/** Serves `dir` over HTTP with Range support, counting the bytes sent. */
function serveFiles(): Promise<{ server: Server; url: string; bytesSent: () => number }> {
  let sent = 0;
  const server = createServer((req, res) => {
    const file = readFileSync(join(dir, decodeURIComponent((req.url ?? '/').slice(1))));
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    if (!range) {
      sent += file.length;
      res.writeHead(200, { 'content-length': file.length }).end(file);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : file.length - 1, file.length - 1);
    sent += end - start + 1;
    res.writeHead(206, {
      'content-range': `bytes ${start}-${end}/${file.length}`,
      'content-length': end - start + 1,
      'accept-ranges': 'bytes',
    }).end(file.subarray(start, end + 1));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}`, bytesSent: () => sent });
    });
  });
}

describe.skipIf(!haveGdal)('openGeoTiff on awkward files', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zhiwei-geotiff-files-'));
    writeRgb('rgb', W, H);
    writeRgb('flat', 49, 31, [7, 8, 9]);
    writeRgb('big', 1024, 1024);
    gdal([...georef, ...tiled, '-co', 'COMPRESS=DEFLATE', 'rgb.raw', 'rgb.tif']);
    gdal(['flat.raw', 'flat.tif']);
    writeFileSync(join(dir, 'with-overview.vrt'), overviewVrt());
    gdal([...tiled, '-co', 'COPY_SRC_OVERVIEWS=YES', 'with-overview.vrt', 'with-overview.tif']);
    gdal([...georef, '-of', 'COG', '-co', 'BLOCKSIZE=256', '-co', 'COMPRESS=DEFLATE', 'big.raw', 'big-cog.tif']);
    gdal(['rgb.raw', 'no-georef.tif']);
    gdal([...georef, '-co', 'NBITS=4', 'flat.raw', 'nbits4.tif']);
    gdal([...georef, '-ot', 'CFloat32', 'rgb.raw', 'complex.tif']);
    const localTm = '+proj=tmerc +lat_0=0 +lon_0=117.5 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs';
    gdal(['-a_srs', localTm, '-a_ullr', '0', `${H}`, `${W}`, '0', 'rgb.raw', 'local-tm.tif']);
    const utmLike = '+proj=tmerc +lat_0=0 +lon_0=117 +k=0.9996 +x_0=400000 +y_0=0 +datum=WGS84 +units=m +no_defs';
    gdal(['-a_srs', utmLike, '-a_ullr', '0', `${H}`, `${W}`, '0', 'rgb.raw', 'local-wgs84.tif']);
    writeFileSync(join(dir, 'not-a-tiff.tif'), 'this is a text file, not an image\n');
    for (const [name, keep] of [['truncated-header', 200], ['truncated-tiles', 0.5]] as const) {
      copyFileSync(join(dir, 'rgb.tif'), join(dir, `${name}.tif`));
      const size = statSync(join(dir, 'rgb.tif')).size;
      truncateSync(join(dir, `${name}.tif`), keep < 1 ? Math.floor(size * keep) : keep);
    }
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a file that is not a TIFF with a BadInputError naming it', async () => {
    const path = join(dir, 'not-a-tiff.tif');
    const error = await openGeoTiff(path).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/not a readable TIFF/);
  });

  it('reports a missing file as not found', async () => {
    await expect(openGeoTiff(join(dir, 'nowhere.tif'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each(['truncated-header', 'truncated-tiles'])('rejects a %s file with a BadInputError naming it', async (name) => {
    const path = join(dir, `${name}.tif`);
    for (const decoder of ['geotiff', 'sharp'] as const) {
      const error = await openGeoTiff(path, { decoder })
        .then((source) => source.readWindow({ x: 0, y: 0, width: W, height: H }))
        .catch((err: unknown) => err);
      expect(error, decoder).toBeInstanceOf(BadInputError);
      expect((error as Error).message).toContain(path);
    }
  });

  it('rejects a TIFF without georeferencing, saying how to add it', async () => {
    const error = await openGeoTiff(join(dir, 'no-georef.tif')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as Error).message).toMatch(/no-georef\.tif has no georeferencing/);
    expect((error as BadInputError).hint).toMatch(/gdal_translate -a_srs/);
  });

  it.each(['nbits4', 'complex'])('rejects the unsupported sample type of %s.tif', async (name) => {
    await expect(openGeoTiff(join(dir, `${name}.tif`))).rejects.toThrow(/unsupported sample type/);
  });

  it('builds a proj4 string for a user-defined Gauss-Krüger zone', async () => {
    const source = await openGeoTiff(join(dir, 'local-tm.tif'));
    expect(source.info.epsg).toBeNull();
    expect(source.info.proj4).toMatch(/^\+proj=tmerc \+lat_0=0 \+lon_0=117\.5 \+k=1 \+x_0=500000 \+y_0=0 \+ellps=GRS80/);
    await source.close();
  });

  it('does not take the geographic EPSG code of a user-defined projected CRS for the raster CRS', async () => {
    const source = await openGeoTiff(join(dir, 'local-wgs84.tif'));
    expect(source.info.epsg).toBeNull();
    expect(source.info.proj4).toMatch(/\+lon_0=117 \+k=0\.9996 \+x_0=400000 .*\+ellps=WGS84/);
    await source.close();
  });

  it.each(['geotiff', 'sharp'] as const)('reads from the overview when downsampling a lot (%s)', async (decoder) => {
    const source = await openGeoTiff(join(dir, 'with-overview.tif'), { decoder });
    const whole = { x: 0, y: 0, width: W, height: H };
    const coarse = await source.readWindow(whole, { outWidth: 24, outHeight: 15 });
    expect(new Set(coarse.data)).toEqual(new Set([7, 8, 9]));
    // 1.5x is closer to full resolution than to the 2x overview, so the full image is used.
    const fine = await source.readWindow(whole, { outWidth: 65, outHeight: 41 });
    expect(fine.data[(40 * 65 + 64) * 3]).toBeGreaterThan(9);
    await source.close();
  });

  it('reads a COG over HTTP with range requests, fetching far less than the file', async () => {
    const { server, url, bytesSent } = await serveFiles();
    try {
      const source = await openGeoTiff(`${url}/big-cog.tif`);
      expect(source.info).toMatchObject({ width: 1024, height: 1024, bandCount: 3, epsg: 4549 });
      const out = await source.readWindow({ x: 600, y: 300, width: 2, height: 1 });
      expect(Array.from(out.data)).toEqual([600 % 256, 300 % 256, 900 % 256, 601 % 256, 300 % 256, 901 % 256]);
      await source.close();
      expect(bytesSent()).toBeLessThan(statSync(join(dir, 'big-cog.tif')).size / 4);
    } finally {
      server.close();
    }
  });
});
