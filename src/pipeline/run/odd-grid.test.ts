/**
 * The bundled scene cropped so that the analysis grid is 601 x 783 px: an odd width and height,
 * a last column of model tiles 153 px wide (stride 224) and a last fusion segment shorter than
 * the others. Real flights have arbitrary sizes; every other fixture and bench scene is even, and
 * an odd strip once broke the fusion thread (45829ef).
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crsTransform } from '../../geo/crs.js';
import { readPolygonCollection, transformPolygons, type PolygonRings } from '../../geo/geojson.js';
import { polygonsArea } from '../../geo/measure.js';
import { intersectionOverUnion } from '../../eval/objects.js';
import { openGeoTiff } from '../../raster/geotiff-source.js';
import { writeGeoTiff } from '../../raster/geotiff-writer.js';
import { allocateSamples } from '../../raster/resample.js';
import { quietProgress } from '../../test-support/progress.js';
import { resolveDetectJob, runDetectJob, type JobSpec } from './detect-job.js';

const scene = fileURLToPath(new URL('../../../fixtures/scene/', import.meta.url));
/** The crop, in pixels of the scene's 0.2 m orthophotos. */
const crop = { col: 33, row: 101, width: 601, height: 783 };
/** The scene's orthophotos' top-left corner (EPSG:4549). */
const sceneCorner = [496594, 3350032.8];
/** The crop's extent [minX, minY, maxX, maxY] (EPSG:4549). */
const cropExtent = [
  sceneCorner[0] + crop.col * 0.2,
  sceneCorner[1] - (crop.row + crop.height) * 0.2,
  sceneCorner[0] + (crop.col + crop.width) * 0.2,
  sceneCorner[1] - crop.row * 0.2,
];

/**
 * Writes the pixels of `file` (a scene raster) under `extent` at `pixel` metres with the scene's
 * own GeoTIFF writer: cut from a window on the scene raster's pixel edges, read bilinear at
 * `pixel` (a no-op at its own pixel size).
 */
async function cropRaster(file: string, out: string, extent: number[], pixel: number): Promise<string> {
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
    const path = join(out, file.replace('/', '-'));
    const sampleType = source.info.sampleType as 'uint8' | 'float32';
    await writeGeoTiff(path, { width, height, bandCount, sampleType, epsg: 4549, geoTransform: [extent[0], pixel, 0, extent[3], 0, -pixel], nodata }, { width, height, bandCount, data });
    return path;
  } finally {
    await source.close();
  }
}

type Found = { kind: string; polygons: PolygonRings[]; area: number };

/** A run's candidates in EPSG:4549. */
async function candidates(out: string): Promise<Found[]> {
  const toGrid = crsTransform(4326, 4549);
  const { features } = JSON.parse(await readFile(join(out, 'candidates.geojson'), 'utf8')) as { features: { properties: { change_kind: string }; geometry: { type: string; coordinates: unknown } }[] };
  return features.map((f) => {
    const polygons = transformPolygons((f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates) as PolygonRings[], toGrid);
    return { kind: f.properties.change_kind, polygons, area: polygonsArea(polygons) };
  });
}

const inside = (polygons: PolygonRings[], extent: number[], slack = 0) =>
  polygons.flat(2).every(([x, y]) => x >= extent[0] - slack && x <= extent[2] + slack && y >= extent[1] - slack && y <= extent[3] + slack);

let dir: string;
/** The truth's changes wholly inside the crop, in EPSG:4549. */
let truthInCrop: Found[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zhiwei-odd-grid-'));
  const truth = await readPolygonCollection(join(scene, 'truth.geojson'));
  const toGrid = crsTransform(4326, 4549);
  truthInCrop = truth.features
    .map((f) => {
      const polygons = transformPolygons(f.polygons, toGrid);
      return { kind: String(f.properties.change_kind), polygons, area: polygonsArea(polygons) };
    })
    .filter((t) => inside(t.polygons, cropExtent));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A change raster, and when a pixel of the crop's agrees with the whole scene's. */
const heightChange = { file: 'height-change.tif', agree: (a: number, b: number) => Math.abs(a - b) <= 0.5 };
const probability = { file: 'change-probability.tif', agree: (a: number, b: number) => a >= 127 === b >= 127 }; // 0.5 x 254

/** The cropped rasters of each mode: orthophotos cut at their own 0.2 m with the 0.4 m DSMs around them, or DSMs alone resampled to 0.2 m (at 0.4 m their grid would be even). */
const modes = [
  {
    mode: 'ortho_dsm',
    rasters: async (out: string) => {
      const around = [Math.floor(cropExtent[0] / 0.4) * 0.4, Math.floor(cropExtent[1] / 0.4) * 0.4, Math.ceil(cropExtent[2] / 0.4) * 0.4, Math.ceil(cropExtent[3] / 0.4) * 0.4];
      return {
        'before-ortho': await cropRaster('before/ortho.tif', out, cropExtent, 0.2),
        'after-ortho': await cropRaster('after/ortho.tif', out, cropExtent, 0.2),
        'before-dsm': await cropRaster('before/dsm.tif', out, around, 0.4),
        'after-dsm': await cropRaster('after/dsm.tif', out, around, 0.4),
      };
    },
    scene: { 'before-ortho': 'before/ortho.tif', 'after-ortho': 'after/ortho.tif', 'before-dsm': 'before/dsm.tif', 'after-dsm': 'after/dsm.tif' },
    outputs: [probability, heightChange],
  },
  {
    mode: 'dsm',
    rasters: async (out: string) => ({
      'before-dsm': await cropRaster('before/dsm.tif', out, cropExtent, 0.2),
      'after-dsm': await cropRaster('after/dsm.tif', out, cropExtent, 0.2),
    }),
    scene: { 'before-dsm': 'before/dsm.tif', 'after-dsm': 'after/dsm.tif' },
    outputs: [heightChange],
  },
];

describe.each(modes)('a detect run on an odd grid ($mode)', ({ mode, rasters, scene: files, outputs }) => {
  const run = async (name: string, paths: Record<string, string>) => {
    const spec: JobSpec = { ...paths, out: join(dir, name) };
    return runDetectJob(resolveDetectJob(spec, 'fields'), null, { progress: quietProgress, evidenceDir: join(dir, 'evidence'), naming: 'fields' });
  };

  it('writes change rasters of the odd grid on the crop, and finds the changes inside it as the whole scene does', async () => {
    const input = join(dir, `${mode}-input`);
    await mkdir(input);
    const summary = await run(`${mode}-crop`, await rasters(input));
    expect(summary.mode).toBe(mode);
    await run(`${mode}-whole`, Object.fromEntries(Object.entries(files).map(([key, file]) => [key, join(scene, file)])));
    for (const { file, agree } of outputs) {
      const raster = await openGeoTiff(join(dir, `${mode}-crop`, file));
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
      } finally {
        await Promise.all([raster.close(), whole.close()]);
      }
    }

    const cropped = await candidates(join(dir, `${mode}-crop`));
    for (const found of cropped) expect(inside(found.polygons, cropExtent, 0.01)).toBe(true);
    const expected = (await candidates(join(dir, `${mode}-whole`))).filter((c) => truthInCrop.some((t) => intersectionOverUnion(t, c) > 0));
    expect(expected.length).toBeGreaterThanOrEqual(5);
    for (const c of expected) {
      const best = Math.max(0, ...cropped.filter((f) => f.kind === c.kind).map((f) => intersectionOverUnion(c, f)));
      expect(best, `${c.kind} of ${c.area.toFixed(1)} m² found on the crop`).toBeGreaterThan(0.9);
    }
  });
});
