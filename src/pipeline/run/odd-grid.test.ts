/**
 * The bundled scene cropped so that the analysis grid has an odd width and height, for the detect
 * job (601 x 783 px: a last column of model tiles 153 px wide, stride 224, and a last fusion
 * segment shorter than the others) and the survey (301 x 283 px: a last strip of 27 rows). Real
 * flights have arbitrary sizes; every other fixture and bench scene is even, and an odd strip once
 * broke the fusion thread (45829ef).
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crsTransform } from '../../geo/crs.js';
import { readPolygonCollection, transformPolygons, type PolygonRings } from '../../geo/geojson.js';
import { polygonsArea } from '../../geo/measure.js';
import polygonClipping from 'polygon-clipping';
import { intersectionOverUnion } from '../../eval/objects.js';
import { openGeoTiff } from '../../raster/geotiff-source.js';
import { writeGeoTiff } from '../../raster/geotiff-writer.js';
import { allocateSamples } from '../../raster/resample.js';
import { quietProgress } from '../../test-support/progress.js';
import { resolveDetectJob, runDetectJob, type JobSpec } from './detect-job.js';
import { resolveSurveyJob, runSurveyJob } from './survey-job.js';

const scene = fileURLToPath(new URL('../../../fixtures/scene/', import.meta.url));

/** A box in pixels of the scene's 0.2 m orthophotos. */
type Box = { col: number; row: number; width: number; height: number };
/** The detect job's crop. */
const crop: Box = { col: 33, row: 101, width: 601, height: 783 };
/** The survey's crop, and the even box around it that it is compared with (a whole-scene survey takes 10 s). */
const surveyCrop: Box = { col: 161, row: 289, width: 301, height: 283 };
const surveyAround: Box = { col: 96, row: 224, width: 432, height: 416 };

/** A box's extent [minX, minY, maxX, maxY] (EPSG:4549), from the orthophotos' top-left corner. */
function extentOf({ col, row, width, height }: Box): number[] {
  const [x0, y0] = [496594, 3350032.8];
  return [x0 + col * 0.2, y0 - (row + height) * 0.2, x0 + (col + width) * 0.2, y0 - row * 0.2];
}
const cropExtent = extentOf(crop);
/** Orthophotos of 1201 x 1565 px at 0.1 m from the crop's corner: the grid is the crop's, its last row and column half on them. */
const fineOrthoExtent = [cropExtent[0], cropExtent[3] - 156.5, cropExtent[0] + 120.1, cropExtent[3]];

/** An extent grown to the edges of the scene DSMs' 0.4 m pixels. */
const onDsmPixels = (e: number[]) => [Math.floor(e[0] / 0.4) * 0.4, Math.floor(e[1] / 0.4) * 0.4, Math.ceil(e[2] / 0.4) * 0.4, Math.ceil(e[3] / 0.4) * 0.4];

/**
 * Writes the pixels of `file` (a scene raster) under `extent` at `pixel` metres with the scene's
 * own GeoTIFF writer: cut from a window on the scene raster's pixel edges, read bilinear at
 * `pixel` (a no-op at its own pixel size).
 */
async function cropRaster(file: string, path: string, extent: number[], pixel: number): Promise<void> {
  const source = await openGeoTiff(join(scene, file));
  try {
    const { geoTransform, bandCount, nodata } = source.info;
    const [left, top] = [Math.floor((extent[0] - geoTransform[0]) / geoTransform[1]), Math.floor((extent[3] - geoTransform[3]) / geoTransform[5])];
    const [right, bottom] = [Math.ceil((extent[2] - geoTransform[0]) / geoTransform[1]), Math.ceil((extent[1] - geoTransform[3]) / geoTransform[5])];
    const scale = geoTransform[1] / pixel;
    const window = { x: left, y: top, width: right - left, height: bottom - top };
    const read = await source.readWindow(window, { outWidth: window.width * scale, outHeight: window.height * scale, resample: 'bilinear' });
    const width = Math.round((extent[2] - extent[0]) / pixel);
    const height = Math.round((extent[3] - extent[1]) / pixel);
    const [x0, y0] = [Math.round((extent[0] - geoTransform[0]) / pixel - left * scale), Math.round((geoTransform[3] - extent[3]) / pixel - top * scale)];
    const data = allocateSamples(source.info.sampleType, width * height * bandCount);
    for (let row = 0; row < height; row++) data.set(read.data.subarray(((y0 + row) * read.width + x0) * bandCount, ((y0 + row) * read.width + x0 + width) * bandCount), row * width * bandCount);
    const sampleType = source.info.sampleType as 'uint8' | 'float32';
    await writeGeoTiff(path, { width, height, bandCount, sampleType, epsg: 4549, geoTransform: [extent[0], pixel, 0, extent[3], 0, -pixel], nodata }, { width, height, bandCount, data });
  } finally {
    await source.close();
  }
}

type Found = { kind: string; polygons: PolygonRings[]; area: number; properties: Record<string, unknown> };

/** The features of a run's layer (`candidates`, `buildings`) in EPSG:4549, `kind` their property `kindKey`. */
async function features(out: string, layer: string, kindKey: string): Promise<Found[]> {
  const toGrid = crsTransform(4326, 4549);
  const collection = JSON.parse(await readFile(join(out, `${layer}.geojson`), 'utf8')) as { features: { properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } }[] };
  return collection.features.map(({ properties, geometry }) => {
    const polygons = transformPolygons((geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) as PolygonRings[], toGrid);
    return { kind: String(properties[kindKey]), polygons, area: polygonsArea(polygons), properties };
  });
}

const inside = (polygons: PolygonRings[], extent: number[], margin = 0) =>
  polygons.flat(2).every(([x, y]) => x >= extent[0] + margin && x <= extent[2] - margin && y >= extent[1] + margin && y <= extent[3] - margin);

/** The best outline overlap (IoU) of `feature` among `others` of its kind. */
const bestOverlap = (feature: Found, others: Found[]) => Math.max(0, ...others.filter((o) => o.kind === feature.kind).map((o) => intersectionOverUnion(feature, o)));

let dir: string;
const cropped = (file: string) => join(dir, 'crop', file);
/** The truth's changes wholly inside the crop, in EPSG:4549. */
let truthInCrop: Pick<Found, 'polygons' | 'area'>[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-odd-grid-'));
  const truth = await readPolygonCollection(join(scene, 'truth.geojson'));
  const toGrid = crsTransform(4326, 4549);
  truthInCrop = truth.features
    .map((f) => {
      const polygons = transformPolygons(f.polygons, toGrid);
      return { polygons, area: polygonsArea(polygons) };
    })
    .filter((t) => inside(t.polygons, cropExtent));
  await mkdir(join(dir, 'crop'));
  for (const flight of ['before', 'after']) {
    await cropRaster(`${flight}/ortho.tif`, cropped(`${flight}-ortho.tif`), cropExtent, 0.2);
    await cropRaster(`${flight}/dsm.tif`, cropped(`${flight}-dsm.tif`), onDsmPixels(cropExtent), 0.4);
    await cropRaster(`${flight}/dsm.tif`, cropped(`${flight}-dsm-0.2.tif`), cropExtent, 0.2);
    await cropRaster(`${flight}/ortho.tif`, cropped(`${flight}-ortho-0.1.tif`), fineOrthoExtent, 0.1);
  }
  const [survey, around] = [extentOf(surveyCrop), extentOf(surveyAround)];
  await cropRaster('after/ortho.tif', cropped('survey-ortho.tif'), survey, 0.2);
  await cropRaster('after/dsm.tif', cropped('survey-dsm.tif'), onDsmPixels(survey), 0.4);
  await cropRaster('after/dsm.tif', cropped('survey-dsm-0.2.tif'), survey, 0.2);
  await cropRaster('after/ortho.tif', cropped('around-ortho.tif'), around, 0.2);
  await cropRaster('after/dsm.tif', cropped('around-dsm.tif'), around, 0.4);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A change raster, and when a pixel of the crop's agrees with the whole scene's. */
type ChangeRaster = { file: string; agree: (a: number, b: number) => boolean };
const heightChange: ChangeRaster = { file: 'height-change.tif', agree: (a: number, b: number) => Math.abs(a - b) <= 0.5 };
const probability: ChangeRaster = { file: 'change-probability.tif', agree: (a: number, b: number) => a >= 127 === b >= 127 }; // 0.5 x 254

/**
 * The rasters of each run, cropped and whole: orthophotos cut at their own 0.2 m with the 0.4 m
 * DSMs around them, or resampled to 0.1 m; or DSMs alone resampled to 0.2 m (at 0.4 m their grid
 * would be even).
 */
const orthoDsm = { 'before-ortho': 'before/ortho.tif', 'after-ortho': 'after/ortho.tif', 'before-dsm': 'before/dsm.tif', 'after-dsm': 'after/dsm.tif' };
const runs: { name: string; mode: string; crop: Record<string, string>; scene: Record<string, string>; outputs: ChangeRaster[] }[] = [
  {
    name: 'ortho_dsm',
    mode: 'ortho_dsm',
    crop: { 'before-ortho': 'before-ortho.tif', 'after-ortho': 'after-ortho.tif', 'before-dsm': 'before-dsm.tif', 'after-dsm': 'after-dsm.tif' },
    scene: orthoDsm,
    outputs: [probability, heightChange],
  },
  {
    name: 'ortho_dsm, orthophotos at 0.1 m',
    mode: 'ortho_dsm',
    crop: { 'before-ortho': 'before-ortho-0.1.tif', 'after-ortho': 'after-ortho-0.1.tif', 'before-dsm': 'before-dsm.tif', 'after-dsm': 'after-dsm.tif' },
    scene: orthoDsm,
    outputs: [probability, heightChange],
  },
  {
    name: 'dsm',
    mode: 'dsm',
    crop: { 'before-dsm': 'before-dsm-0.2.tif', 'after-dsm': 'after-dsm-0.2.tif' },
    scene: { 'before-dsm': 'before/dsm.tif', 'after-dsm': 'after/dsm.tif' },
    outputs: [heightChange],
  },
];

/** The whole scene's run of each mode, made once. */
const wholeRuns = new Map<string, Promise<unknown>>();

/** Paths of the cropped or whole rasters. */
const paths = (files: Record<string, string>, folder: string) => Object.fromEntries(Object.entries(files).map(([key, file]) => [key, join(folder, file)]));

describe.each(runs)('a detect run on an odd grid ($name)', ({ name, mode, crop: cropFiles, scene: files, outputs }) => {
  const run = async (out: string, rasters: Record<string, string>) => {
    const spec: JobSpec = { ...rasters, out: join(dir, out) };
    return runDetectJob(resolveDetectJob(spec, 'fields'), null, { progress: quietProgress, evidenceDir: join(dir, 'evidence'), naming: 'fields' });
  };

  it('writes change rasters of the odd grid on the crop, and finds the changes inside it as the whole scene does', async () => {
    const summary = await run(`${name}-crop`, paths(cropFiles, join(dir, 'crop')));
    expect(summary.mode).toBe(mode);
    if (!wholeRuns.has(mode)) wholeRuns.set(mode, run(`${mode}-whole`, paths(files, scene)));
    await wholeRuns.get(mode);
    for (const { file, agree } of outputs) {
      const raster = await openGeoTiff(join(dir, `${name}-crop`, file));
      const whole = await openGeoTiff(join(dir, `${mode}-whole`, file));
      try {
        expect(raster.info).toMatchObject({ width: crop.width, height: crop.height, epsg: 4549 });
        const [x0, gsdX, , y0, , gsdY] = raster.info.geoTransform;
        expect([x0, gsdX, y0, gsdY].map((v) => Number(v.toFixed(6)))).toEqual([cropExtent[0], 0.2, cropExtent[3], -0.2].map((v) => Number(v.toFixed(6))));
        // the crop's pixels are the whole scene's there, up to its edges (the shift of the before
        // flight reads past them) and resampling: a blank last segment or tile column fails
        const { data } = await raster.readWindow({ x: 0, y: 0, width: crop.width, height: crop.height });
        const cut = (await whole.readWindow({ x: crop.col, y: crop.row, width: crop.width, height: crop.height })).data;
        const nodata = raster.info.nodata;
        let same = 0;
        for (let i = 0; i < data.length; i++) if (data[i] === nodata ? cut[i] === nodata : cut[i] !== nodata && agree(data[i], cut[i])) same++;
        expect(same / data.length).toBeGreaterThan(0.99);
        // every pixel lies under a model tile: the last row and column too, half on the orthophotos at 0.1 m
        if (file === probability.file) expect(data.indexOf(nodata as number)).toBe(-1);
      } finally {
        await Promise.all([raster.close(), whole.close()]);
      }
    }

    const found = await features(join(dir, `${name}-crop`), 'candidates', 'change_kind');
    for (const candidate of found) expect(inside(candidate.polygons, cropExtent, -0.01)).toBe(true);
    const expected = (await features(join(dir, `${mode}-whole`), 'candidates', 'change_kind')).filter((c) => truthInCrop.some((t) => intersectionOverUnion(t, c) > 0));
    expect(expected.length).toBeGreaterThanOrEqual(5);
    for (const c of expected) expect(bestOverlap(c, found), `${c.kind} of ${c.area.toFixed(1)} m² found on the crop`).toBeGreaterThan(0.9);
  });
});

describe('a survey on an odd grid', () => {
  const run = async (out: string, files: Record<string, string>) => {
    const spec = { ...paths(files, join(dir, 'crop')), date: '2024-10-01', out: join(dir, out) };
    return runSurveyJob(resolveSurveyJob(spec, 'fields'), null, { progress: quietProgress, evidenceDir: join(dir, 'evidence'), naming: 'fields' });
  };
  const survey = extentOf(surveyCrop);
  /** The buildings an ortho+DSM survey of the even box around the crop finds a metre or more inside the crop's edge. */
  let expected: Found[];
  beforeAll(async () => {
    await run('survey-around', { ortho: 'around-ortho.tif', dsm: 'around-dsm.tif' });
    expected = (await features(join(dir, 'survey-around'), 'buildings', 'roof_form')).filter((b) => inside(b.polygons, survey, 1));
  });

  it.each([
    { mode: 'ortho_dsm', crop: { ortho: 'survey-ortho.tif', dsm: 'survey-dsm.tif' } },
    { mode: 'dsm', crop: { dsm: 'survey-dsm-0.2.tif' } },
  ] as { mode: string; crop: Record<string, string> }[])('finds and measures the buildings inside the crop as a survey of a larger, even grid does ($mode)', async ({ mode, crop: cropFiles }) => {
    const summary = await run(`survey-${mode}`, cropFiles);
    expect(summary).toMatchObject({ mode, grid: { width: surveyCrop.width, height: surveyCrop.height } });
    const found = await features(join(dir, `survey-${mode}`), 'buildings', 'roof_form');
    // a footprint the crop's edge cuts is regularised past it (as at any grid's edge), but lies mostly on it
    const cropRing: PolygonRings = [[[survey[0], survey[1]], [survey[2], survey[1]], [survey[2], survey[3]], [survey[0], survey[3]], [survey[0], survey[1]]]];
    for (const building of found) expect(polygonsArea(polygonClipping.intersection(building.polygons, [cropRing]) as PolygonRings[])).toBeGreaterThan(building.area / 2);
    expect(expected.length).toBeGreaterThanOrEqual(10);
    for (const building of expected) {
      const match = found.find((f) => f.kind === building.kind && intersectionOverUnion(building, f) > 0.9);
      expect(match?.properties.floors, `the ${building.kind} building of ${building.area.toFixed(1)} m² found on the crop`).toBe(building.properties.floors);
    }
  });
});
