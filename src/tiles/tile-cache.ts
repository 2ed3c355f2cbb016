/**
 * Rendered tiles on disk: `<dir>/<job id>/<layer>/<version>/<z>/<x>/<y>.<ext>`, where the version
 * is a digest of what the tile was drawn from (the raster files' sizes and modification times,
 * the fitted offset), so that a replaced raster is never served stale. An empty file stands for a
 * tile with nothing to draw. Files are written under a temporary name and renamed; concurrent
 * requests for one tile render it once. When a layer's first tile of a new version is written,
 * the older versions' folders are removed.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically } from '../files.js';
import type { TileAddress } from '../geo/web-mercator.js';

/** Where a tile lives in the cache. */
export interface TileKey extends TileAddress {
  job: number;
  layer: string;
  version: string;
  ext: string;
}

/** The tile cache under one folder. */
export interface TileCache {
  /** The tile's bytes (empty: nothing to draw), from disk, else from `render` (once, whoever else asks meanwhile). */
  get(key: TileKey, render: () => Promise<Buffer | null>): Promise<Buffer>;
}

/** A cache in `dir` (created when the first tile is written). */
export function tileCache(dir: string): TileCache {
  const rendering = new Map<string, Promise<Buffer>>();

  const renderAndStore = async (key: TileKey, path: string, render: () => Promise<Buffer | null>): Promise<Buffer> => {
    const bytes = (await render()) ?? Buffer.alloc(0);
    const layerDir = join(dir, String(key.job), key.layer);
    const versionDir = join(layerDir, key.version);
    const created = await mkdir(versionDir, { recursive: true });
    if (created !== undefined) await removeOtherVersions(layerDir, key.version);
    await mkdir(join(versionDir, String(key.z), String(key.x)), { recursive: true });
    await writeAtomically(path, (partial) => writeFile(partial, bytes)).catch((err: NodeJS.ErrnoException) => {
      // the version was superseded while this tile rendered: serve it, keep nothing
      if (err.code !== 'ENOENT') throw err;
    });
    return bytes;
  };

  const get = async (key: TileKey, render: () => Promise<Buffer | null>): Promise<Buffer> => {
    const path = join(dir, String(key.job), key.layer, key.version, String(key.z), String(key.x), `${key.y}.${key.ext}`);
    // a render in flight is shared; one that just finished has stored its file
    const inFlight = rendering.get(path);
    if (inFlight) return inFlight;
    const stored = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (stored) return stored;
    let pending = rendering.get(path);
    if (!pending) {
      pending = renderAndStore(key, path, render).finally(() => rendering.delete(path));
      rendering.set(path, pending);
    }
    return pending;
  };

  return { get };
}

async function removeOtherVersions(layerDir: string, version: string): Promise<void> {
  const entries = await readdir(layerDir);
  await Promise.all(entries.filter((name) => name !== version).map((name) => rm(join(layerDir, name), { recursive: true, force: true })));
}
