import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/connect.js';
import { crsDefinition } from '../../geo/crs.js';
import { readGeoPackage } from '../../geo/geopackage.js';
import { openGeoTiff } from '../../raster/geotiff-source.js';
import { writeGeoTiff } from '../../raster/geotiff-writer.js';
import { memorySource } from '../../raster/memory-source.js';
import type { RasterSource } from '../../raster/types.js';
import { openTestDatabase, testBackends } from '../../test-support/database.js';
import { requirePythonModule, requireTool, systemPython } from '../../test-support/tools.js';
import { defaultThresholds } from '../thresholds.js';
import type { ProgressFactory } from '../types.js';
import { ConflictError } from '../../errors.js';
import { cutOffAt, quietProgress } from '../../test-support/progress.js';
import { runDetectJob } from './detect-job.js';
import { runDetect, type DetectJob } from './run-detect.js';

const size = 400;
const gsd = 0.2;
const origin = [500000, 3350000];

type Box = { x0: number; x1: number; y0: number; y1: number; rise: number };
/** The new building of every run: 5 m x 4 m, 3 m high. */
const building: Box = { x0: 200, x1: 225, y0: 100, y1: 120, rise: 3 };
const geoTransform = [origin[0], gsd, 0, origin[1], 0, -gsd] as [number, number, number, number, number, number];

/** Heights (m) of gently rolling ground near `ground` m, plus `rise` metres over the box [x0, x1) x [y0, y1) (pixels). */
function heights(ground: number, box?: Box): Float32Array {
  const data = new Float32Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const inside = box && col >= box.x0 && col < box.x1 && row >= box.y0 && row < box.y1;
      data[row * size + col] = ground + 0.5 * Math.sin(col / 40) * Math.cos(row / 55) + (inside ? box.rise : 0);
    }
  }
  return data;
}

/** A DSM near 50 m (+ `shift`), with the box risen and the `hole` nodata, as an in-memory raster. */
function dsm(name: string, shift: number, box?: Box, hole?: Box): RasterSource {
  const info = { width: size, height: size, bandCount: 1, sampleType: 'float32' as const, epsg: 4549, proj4: crsDefinition(4549), geoTransform, nodata: -9999 };
  const data = heights(50 + shift, box);
  for (let row = hole?.y0 ?? 0; hole && row < hole.y1; row++) data.fill(-9999, row * size + hole.x0, row * size + hole.x1);
  return memorySource(info, { width: size, height: size, bandCount: 1, data }, name);
}

/** An orthophoto of a textured field, with a grey roof over the box, as an in-memory raster. */
function ortho(name: string, box?: Box): RasterSource {
  const info = { width: size, height: size, bandCount: 3, sampleType: 'uint8' as const, epsg: 4549, proj4: crsDefinition(4549), geoTransform, nodata: null };
  const data = new Uint8Array(size * size * 3);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const inside = box && col >= box.x0 && col < box.x1 && row >= box.y0 && row < box.y1;
      const texture = ((col * 37 + row * 91) % 23) - 11;
      data.set(inside ? [180, 178, 175] : [90 + texture, 120 + texture, 70 + texture], (row * size + col) * 3);
    }
  }
  return memorySource(info, { width: size, height: size, bandCount: 3, data }, name);
}

const hasGdal = requireTool('gdalinfo');
const hasCogValidator = requirePythonModule('osgeo_utils.samples.validate_cloud_optimized_geotiff');

/** The band's checksum GDAL reads, and that GDAL's COG validator passes the file (when they are installed). */
function checkWithGdal(path: string): void {
  if (hasGdal) expect(JSON.parse(execFileSync('gdalinfo', ['-json', '-checksum', path], { encoding: 'utf8' })).bands[0].checksum).toBeGreaterThan(0);
  if (hasCogValidator) {
    const validated = spawnSync(systemPython, ['-m', 'osgeo_utils.samples.validate_cloud_optimized_geotiff', path], { encoding: 'utf8' });
    expect(validated.stdout).toContain('is a valid cloud optimized GeoTIFF');
  }
}

/** The value of a change raster under the centre of input pixel (column, row). */
async function valueAt(path: string, column: number, row: number): Promise<number> {
  const raster = await openGeoTiff(path);
  try {
    const [x0, gsdX, , y0, , gsdY] = raster.info.geoTransform;
    const x = Math.floor((origin[0] + (column + 0.5) * gsd - x0) / gsdX);
    const y = Math.floor((origin[1] - (row + 0.5) * gsd - y0) / gsdY);
    return (await raster.readWindow({ x, y, width: 1, height: 1 })).data[0];
  } finally {
    await raster.close();
  }
}

/** The DSM pair of every run: the after flight 0.3 m higher overall, as two photogrammetric flights are, and the new building. */
const pair = () => ({ beforeDsm: dsm('before/dsm', 0), afterDsm: dsm('after/dsm', 0.3, building) });

/** A DSM GeoTIFF of heights near `ground` m, stored in `unit` (m per unit); VerticalUnitsGeoKey when `verticalUnits` is given. */
async function dsmFile(path: string, ground: number, unit: number, verticalUnits?: number, box?: Box): Promise<string> {
  const data = heights(ground, box).map((h) => h / unit);
  await writeGeoTiff(path, { width: size, height: size, bandCount: 1, sampleType: 'float32', epsg: 4549, geoTransform, nodata: -9999, verticalUnits }, { width: size, height: size, bandCount: 1, data });
  return path;
}

const job = (out: string): DetectJob => ({ out, model: 'zhiwei-cd-v1', thresholds: defaultThresholds });

/** Names in the test folder that begin with the output folder's name: the folder and anything beside it. */
async function besides(out: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith(basename(out))).sort();
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-run-detect-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runDetect', () => {
  it('runs a whole DSM-only job on in-memory rasters: a new 5 m x 4 m building 3 m high, found and measured', async () => {
    const out = join(dir, 'out');
    const summary = await runDetect(job(out), pair(), quietProgress);
    expect(summary.mode).toBe('dsm');
    expect(summary.candidates).toBe(1);
    expect(summary.warnings).toEqual([]);
    const collection = JSON.parse(await readFile(join(out, 'candidates.geojson'), 'utf8')) as { features: { properties: { area_m2: number; height_change_m: number; change_kind: string } }[] };
    const [found] = collection.features;
    expect(found.properties.change_kind).toBe('new_building');
    expect(found.properties.area_m2).toBeGreaterThan(20 * 0.9);
    expect(found.properties.area_m2).toBeLessThan(20 * 1.1);
    expect(found.properties.height_change_m).toBeCloseTo(3, 0);
    // the same layer for QGIS, in the grid's CRS
    const [table] = await readGeoPackage(join(out, 'results.gpkg'));
    expect(table).toMatchObject({ name: 'candidates', srs: { organization: 'EPSG', code: 4549 } });
    expect(table.features.map((f) => [f.properties.change_kind, f.properties.area_m2])).toEqual([['new_building', found.properties.area_m2]]);
    if (hasGdal) expect(execFileSync('ogrinfo', ['-so', '-al', join(out, 'results.gpkg')], { encoding: 'utf8' })).toMatch(/Layer name: candidates[\s\S]*Feature Count: 1[\s\S]*ID\["EPSG",4549\]\]/);
  });

  it('writes the offset-corrected height change as a COG over the grid, nodata where a DSM has none, and no probability without orthophotos', async () => {
    const out = join(dir, 'height-change');
    const hole: Box = { x0: 20, x1: 60, y0: 300, y1: 330, rise: 0 };
    await runDetect(job(out), { beforeDsm: dsm('before/dsm', 0, undefined, hole), afterDsm: dsm('after/dsm', 0.3, building) }, quietProgress);
    expect((await readdir(out)).sort()).toEqual(['candidates.geojson', 'evidence', 'height-change.tif', 'results.gpkg', 'summary.json']);
    const path = join(out, 'height-change.tif');
    expect(await valueAt(path, 210, 110)).toBeCloseTo(3, 1); // on the building: the 0.3 m between the flights taken out
    expect(await valueAt(path, 100, 250)).toBeCloseTo(0, 1);
    expect(await valueAt(path, 40, 315)).toBe(-9999);
    checkWithGdal(path);
  });

  it('writes the change probability as a COG in an orthophoto-only run, and no height change', async () => {
    const out = join(dir, 'probability');
    await runDetect(job(out), { beforeOrtho: ortho('before/ortho'), afterOrtho: ortho('after/ortho', building) }, quietProgress);
    expect((await readdir(out)).sort()).toEqual(['candidates.geojson', 'change-probability.tif', 'evidence', 'results.gpkg', 'summary.json']);
    const path = join(out, 'change-probability.tif');
    const raster = await openGeoTiff(path);
    try {
      expect(raster.info).toMatchObject({ width: size, height: size, bandCount: 1, sampleType: 'uint8', nodata: 255, epsg: 4549 });
      const { data } = await raster.readWindow({ x: 0, y: 0, width: size, height: size });
      expect(data.indexOf(255)).toBe(-1); // no nodata: every pixel lies under a model tile
    } finally {
      await raster.close();
    }
    expect(await valueAt(path, 212, 110)).toBeGreaterThan(await valueAt(path, 100, 300)); // the new roof against the unchanged field
    checkWithGdal(path);
  });

  it('measures the building in metres from DSMs stored in US survey feet, and says so in the summary', async () => {
    const usFoot = 1200 / 3937;
    const sources = {
      beforeDsm: await openGeoTiff(await dsmFile(join(dir, 'before-ftus.tif'), 50, usFoot, 9003)),
      afterDsm: await openGeoTiff(await dsmFile(join(dir, 'after-ftus.tif'), 50.3, usFoot, 9003, building)),
    };
    try {
      const out = join(dir, 'feet');
      const summary = await runDetect(job(out), sources, quietProgress);
      expect(summary.candidates).toBe(1);
      expect(summary.height_units).toEqual({ beforeDsm: 'US survey foot, read as metres', afterDsm: 'US survey foot, read as metres' });
      expect(summary.warnings).toEqual([]);
      const [found] = JSON.parse(await readFile(join(out, 'candidates.geojson'), 'utf8')).features;
      expect(found.properties.height_change_m).toBeCloseTo(3, 0);
    } finally {
      await Promise.all(Object.values(sources).map((source) => source.close()));
    }
  });

  it('warns in the summary when the after DSM is in feet that its file does not declare', async () => {
    // ground 150 m above the datum: the after DSM reads about 340 m higher than the before one
    const after = await openGeoTiff(await dsmFile(join(dir, 'after-undeclared-feet.tif'), 150.3, 0.3048, undefined, building));
    try {
      const summary = await runDetect(job(join(dir, 'undeclared')), { beforeDsm: dsm('before/dsm', 100), afterDsm: after }, quietProgress);
      expect(summary.warnings).toHaveLength(1);
      expect(summary.warnings[0]).toMatch(/after-undeclared-feet\.tif lies 3\d\d\.\d m above before\/dsm on flat ground, more than any two height datums differ: are both DSMs in metres\?/);
      expect(JSON.parse(await readFile(join(dir, 'undeclared', 'summary.json'), 'utf8')).warnings).toEqual(summary.warnings);
    } finally {
      await after.close();
    }
  });

  it('removes the fresh folder a killed run left beside the output folder, and keeps one a running process is filling', async () => {
    const out = join(dir, 'leftovers');
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    await mkdir(join(`${out}.partial-${dead}`, 'evidence'), { recursive: true });
    await mkdir(`${out}.partial-${process.ppid}`);
    await runDetect(job(out), pair(), quietProgress);
    expect(await besides(out)).toEqual(['leftovers', `leftovers.partial-${process.ppid}`]);
  });
});

describe.each(testBackends())('a detect run cut off at its last steps, on the %s backend', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db.close();
  });

  const rows = async () => {
    const tables = ['jobs', 'candidates', 'cases', 'case_events', 'outbox'];
    const counts = await Promise.all(tables.map(async (table) => Number((await db.knex(table).count({ n: '*' }))[0].n)));
    return Object.fromEntries(tables.map((table, i) => [table, counts[i]]));
  };
  const none = { jobs: 0, candidates: 0, cases: 0, case_events: 0, outbox: 0 };
  const run = (out: string, progress: ProgressFactory) =>
    runDetect({ ...job(out), afterDate: '2024-10-01' }, pair(), progress, { db, evidenceDir: join(dir, `${backend}-evidence`), afterDate: '2024-10-01' });

  it('refuses an output folder holding other files before importing the plans', async () => {
    const out = join(dir, `${backend}-foreign`);
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'keep me');
    const resolved = { job: { ...job(out), afterDate: '2024-10-01' }, layers: [{ layer: 'plans' as const, file: 'fixtures/scene/plans.geojson' }] };
    const refused = await runDetectJob(resolved, db, { progress: quietProgress, evidenceDir: join(dir, `${backend}-evidence`), naming: 'flags' }).catch((err: Error) => err);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toBe(`${out} is not empty and does not hold an earlier detect output; it would be replaced`);
    expect(Number((await db.knex('plans').count({ n: '*' }))[0].n)).toBe(0);
    expect(await readdir(out)).toEqual(['notes.txt']);
  });

  it('leaves neither a job nor an output folder when cut off after the overlay, before the folder is swapped in', async () => {
    const out = join(dir, `${backend}-before-swap`);
    await expect(run(out, cutOffAt(1))).rejects.toThrow('cut off at results step 1');
    expect(await rows()).toEqual(none);
    expect(await besides(out)).toEqual([]);
  });

  it('leaves only the output folder, without its job, when cut off after the swap; a re-run replaces it and records the job with its case', async () => {
    const out = join(dir, `${backend}-after-swap`);
    await expect(run(out, cutOffAt(3))).rejects.toThrow('cut off at results step 3');
    expect(await rows()).toEqual(none);
    expect(await besides(out)).toEqual([basename(out)]);
    expect(existsSync(join(out, 'suspects.geojson'))).toBe(true);
    expect(existsSync(join(out, 'suspects.qml'))).toBe(true);
    expect((await readGeoPackage(join(out, 'results.gpkg'))).map((t) => [t.name, t.features.length])).toEqual([['candidates', 1], ['suspects', 1]]);
    const summary = await run(out, quietProgress);
    expect(await rows()).toMatchObject({ jobs: 1, candidates: 1, cases: 1 });
    expect((await rows()).outbox).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')).job_id).toBe(summary.job_id);
    expect(await besides(out)).toEqual([basename(out)]);
  });
});
