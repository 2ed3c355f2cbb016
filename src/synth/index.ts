/**
 * The synthetic scene generator: a seeded, realistic-looking pair of drone flights over a
 * peri-urban village (orthophotos, DSMs, DTM) with known changes between them, the approved plans,
 * zones and grids, and the truth. `buildScene` gives the vector model, `renderScene` writes it.
 */
import { mkdir } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import { renderRasters, type ProgressFactory } from './render.js';
import { buildScene, type SceneOptions } from './scene.js';
import { ScenePreviews } from './scene-previews.js';
import type { Scene } from './types.js';
import { writeVectorFiles } from './vector-files.js';

/** The scene model and its types, for callers that build or inspect a scene without writing it. */
export { buildScene, type SceneOptions } from './scene.js';
export type { ProgressFactory } from './render.js';
export type { Scene, SceneChange, ApprovedPlan, Zone, Grid, ChangeKind, Violation } from './types.js';

/** How to write a scene. */
export interface RenderOptions {
  /** Also write PNG previews under `preview/`. */
  preview?: boolean;
  progress?: ProgressFactory;
  /** Render block edge in pixels, a multiple of 512 (default 1024); the files' pixels do not depend on it. */
  blockSize?: number;
}

/** Options of `generateScene`: the scene and how to write it. */
export interface GenerateOptions extends SceneOptions, RenderOptions {
  outDir: string;
}

/** What was generated: the model and the files written. */
export interface GeneratedScene {
  scene: Scene;
  files: string[];
}

/** Checks scene options, throwing a BadInputError that names the bad value. */
export function validateSceneOptions(options: SceneOptions): void {
  const { seed, size, gsd = 0.1 } = options;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new BadInputError(`seed ${seed} must be an integer from 0 to 4294967295`);
  if (!Number.isInteger(size) || size < 256 || size > 65536 || size % 256 !== 0) {
    throw new BadInputError(`size ${size} must be a multiple of 256 from 256 to 65536 pixels`, 'try --size 1024 or --size 2048');
  }
  if (!(gsd >= 0.02 && gsd <= 0.5)) throw new BadInputError(`gsd ${gsd} must be between 0.02 and 0.5 metres`);
  if (options.changes !== undefined && typeof options.changes !== 'boolean') throw new BadInputError(`changes ${String(options.changes)} must be true or false`);
}

/** Writes the rasters, vector layers, scene.json and (optionally) previews of a scene to `outDir`. */
export async function renderScene(scene: Scene, outDir: string, options: RenderOptions = {}): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const previews = options.preview ? new ScenePreviews(scene) : undefined;
  const files = await renderRasters(scene, outDir, { progress: options.progress, previews, blockSize: options.blockSize });
  files.push(...(await writeVectorFiles(scene, outDir)));
  if (previews) files.push(...(await previews.write(outDir)));
  return files;
}

/** Builds a scene from options and writes it to `outDir`. */
export async function generateScene(options: GenerateOptions): Promise<GeneratedScene> {
  validateSceneOptions(options);
  const scene = buildScene(options);
  const files = await renderScene(scene, options.outDir, options);
  return { scene, files };
}
