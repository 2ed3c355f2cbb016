/**
 * Renders the scene block by block (1024-pixel blocks, each with margins for blur, DSM smoothing
 * and the longest shadow) and streams each block's tiles into the GeoTIFFs of both flights, so
 * memory stays bounded whatever the raster size.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openGeoTiffWriter, type GeoTiffWriter } from '../raster/geotiff-writer.js';
import type { GeoTransform } from '../geo/geotransform.js';
import type { RasterData } from '../raster/types.js';
import { dsmBlock, dsmFactor, dtmBlock, nodata } from './dsm.js';
import { leanBuildings, leanReach } from './lean.js';
import { colourBlock, type CoreWindow } from './ortho.js';
import { rasterizeBlock, type PixelRegion } from './rasterize.js';
import type { ScenePreviews } from './scene-previews.js';
import { castShadows, shadowLength, skyVisibility } from './shadows.js';
import { BucketIndex } from './spatial.js';
import type { Epoch, Scene, SceneObject } from './types.js';

/** Starts progress reporting for a stage of `total` units. */
export type ProgressFactory = (label: string, total: number, unit: string) => { tick(units?: number): void; done(): void };

/** How to render: progress reporting, preview accumulation, block size. */
export interface RasterOptions {
  progress?: ProgressFactory;
  previews?: ScenePreviews;
  /** Orthophoto pixels per render block side, a multiple of 512 (default 1024); the output does not depend on it. */
  blockSize?: number;
}

/** The GDAL geotransform of a flight's rasters at `factor` times the orthophoto GSD. */
function sceneGeoTransform(scene: Scene, factor = 1): GeoTransform {
  const pixel = scene.gsd * factor;
  return [scene.origin[0], pixel, 0, scene.origin[1] + scene.extent, 0, -pixel];
}

/** Writes before/ and after/ rasters under `outDir`; returns the paths written. */
export async function renderRasters(scene: Scene, outDir: string, options: RasterOptions = {}): Promise<string[]> {
  const index = new BucketIndex<SceneObject>(scene.extent, 32);
  for (const object of scene.objects) index.insert(object);
  const files: string[] = [];
  for (const epoch of ['before', 'after'] as const) files.push(...(await renderFlight(scene, index, epoch, join(outDir, epoch), options)));
  return files;
}

async function renderFlight(scene: Scene, index: BucketIndex<SceneObject>, epoch: Epoch, dir: string, options: RasterOptions): Promise<string[]> {
  const { progress, previews, blockSize = 1024 } = options;
  await mkdir(dir, { recursive: true });
  const { size, epsg } = scene;
  const heightOptions = { width: size / dsmFactor, height: size / dsmFactor, bandCount: 1, sampleType: 'float32' as const, epsg, geoTransform: sceneGeoTransform(scene, dsmFactor), nodata };
  const writers: Record<string, GeoTiffWriter> = {
    ortho: await openGeoTiffWriter(join(dir, 'ortho.tif'), { width: size, height: size, bandCount: 3, sampleType: 'uint8', epsg, geoTransform: sceneGeoTransform(scene) }),
    dsm: await openGeoTiffWriter(join(dir, 'dsm.tif'), heightOptions),
  };
  if (epoch === 'before') writers.dtm = await openGeoTiffWriter(join(dir, 'dtm.tif'), heightOptions);
  const blocks = Math.ceil(size / blockSize);
  const stage = progress?.(`render ${epoch}`, blocks * blocks, 'blocks');
  try {
    for (let by = 0; by < blocks; by++) {
      for (let bx = 0; bx < blocks; bx++) {
        const core: CoreWindow = { x: bx * blockSize, y: by * blockSize, width: Math.min(blockSize, size - bx * blockSize), height: Math.min(blockSize, size - by * blockSize) };
        await renderBlock(scene, index, epoch, core, writers, previews);
        stage?.tick();
      }
    }
    for (const writer of Object.values(writers)) await writer.close();
  } catch (err) {
    for (const writer of Object.values(writers)) await writer.abort();
    throw err;
  } finally {
    stage?.done();
  }
  return Object.keys(writers).map((name) => join(dir, `${name}.tif`));
}

async function renderBlock(scene: Scene, index: BucketIndex<SceneObject>, epoch: Epoch, core: CoreWindow, writers: Record<string, GeoTiffWriter>, previews?: ScenePreviews): Promise<void> {
  const flight = scene.flights[epoch];
  const region = blockRegion(scene, epoch, core);
  // Buildings just outside the region still lean into it.
  const surface = rasterizeBlock(scene, index, epoch, region, leanReach);
  const shadow = castShadows(surface.z, region.width, region.height, scene.gsd, { azimuth: flight.sunAzimuth, elevation: flight.sunElevation });
  const window: CoreWindow = { x: core.x - region.x0, y: core.y - region.y0, width: core.width, height: core.height };
  const sky = skyVisibility(surface.z, region.width, region.height, Math.round(1.2 / scene.gsd));
  const rgb = colourBlock(scene, surface, shadow, sky, leanBuildings(scene, surface), window);
  await writeBlock(writers.ortho, { width: core.width, height: core.height, bandCount: 3, data: rgb }, core.x, core.y);
  const heights = dsmBlock(scene, surface, window);
  const d = { x: core.x / dsmFactor, y: core.y / dsmFactor, width: core.width / dsmFactor, height: core.height / dsmFactor };
  await writeBlock(writers.dsm, { width: d.width, height: d.height, bandCount: 1, data: heights }, d.x, d.y);
  if (writers.dtm) await writeBlock(writers.dtm, { width: d.width, height: d.height, bandCount: 1, data: dtmBlock(scene, d.x, d.y, d.width, d.height) }, d.x, d.y);
  previews?.add(epoch, rgb, heights, core);
}

/** The block's core grown by the lean reach plus 4 pixels all round, and by the longest shadow towards the sun. */
function blockRegion(scene: Scene, epoch: Epoch, core: CoreWindow): PixelRegion {
  const flight = scene.flights[epoch];
  const reach = Math.ceil(shadowLength(scene.maxHeight + 1, { azimuth: flight.sunAzimuth, elevation: flight.sunElevation }) / scene.gsd);
  const az = (flight.sunAzimuth * Math.PI) / 180;
  const towardsX = Math.sin(az);
  const towardsY = -Math.cos(az);
  const margin = 4 + Math.ceil(leanReach / scene.gsd);
  const left = margin + Math.ceil(reach * Math.max(0, -towardsX));
  const right = margin + Math.ceil(reach * Math.max(0, towardsX));
  const top = margin + Math.ceil(reach * Math.max(0, -towardsY));
  const bottom = margin + Math.ceil(reach * Math.max(0, towardsY));
  return { x0: core.x - left, y0: core.y - top, width: core.width + left + right, height: core.height + top + bottom };
}

/** Writes a tile-aligned block as the writer's tiles, one after the other (so files are reproducible). */
async function writeBlock(writer: GeoTiffWriter, block: RasterData, x0: number, y0: number): Promise<void> {
  const t = writer.tileSize;
  const Typed = block.data.constructor as new (length: number) => RasterData['data'];
  for (let ty = 0; ty * t < block.height; ty++) {
    for (let tx = 0; tx * t < block.width; tx++) {
      const width = Math.min(t, block.width - tx * t);
      const height = Math.min(t, block.height - ty * t);
      const data = new Typed(width * height * block.bandCount);
      for (let row = 0; row < height; row++) {
        const from = ((ty * t + row) * block.width + tx * t) * block.bandCount;
        data.set(block.data.subarray(from, from + width * block.bandCount), row * width * block.bandCount);
      }
      await writer.writeTile(x0 / t + tx, y0 / t + ty, { width, height, bandCount: block.bandCount, data });
    }
  }
}
