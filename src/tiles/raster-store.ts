/**
 * The rasters tiles are drawn from, each opened once per file version and kept open for the tiles
 * after it (the least recently used are closed past a limit). A raster read at a reduction its
 * file has no overview for gets a pyramid (`pyramid.ts`), built once per file version, even
 * under concurrent requests, and kept on disk for later runs of the service.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from '../errors.js';
import { openGeoTiff } from '../raster/geotiff-source.js';
import type { RasterSource } from '../raster/types.js';
import { buildPyramid, hasPyramid, internalOverviewFactors, pyramidLevels } from './pyramid.js';
import type { NamedTileRaster } from './render.js';

/** A raster with the version of its file. */
export type StoredRaster = NamedTileRaster & { readonly fingerprint: string };

/** Opened rasters, shared by the tile requests. */
export interface RasterStore {
  /** The version of the file at `path`: its size and modification time (an http(s) URL is taken as unchanging). */
  fingerprint(path: string): Promise<string>;
  /** Runs `work` on the raster at `path`, opening it unless its current version is open. */
  use<T>(path: string, work: (raster: StoredRaster) => Promise<T>): Promise<T>;
  /** Closes every raster (for the service's shutdown). */
  close(): Promise<void>;
}

/** Opens a raster file or URL. */
export type OpenRaster = (path: string) => Promise<RasterSource>;

/** Rasters kept open while no request uses them. */
const KEEP_OPEN = 32;

interface Entry {
  raster: Promise<StoredRaster>;
  /** Requests using it now: it is closed only when none is. */
  users: number;
  /** Everything opened for it, to close. */
  sources: RasterSource[];
}

/** Builds pyramids, each once even when asked for again while it is being built. */
type PyramidBuilds = Map<string, Promise<void>>;

/** A store keeping pyramids under `pyramidsDir` (one folder per file version). */
export function openRasterStore(pyramidsDir: string, openRaster: OpenRaster = (path) => openGeoTiff(path)): RasterStore {
  const entries = new Map<string, Entry>();
  const builds: PyramidBuilds = new Map();
  const open = (path: string, fingerprint: string, sources: RasterSource[]) =>
    openStoredRaster(path, { fingerprint, sources, openRaster, pyramidDir: join(pyramidsDir, fingerprint), builds });

  const closeEntry = async (key: string, entry: Entry) => {
    entries.delete(key);
    await entry.raster.catch(() => undefined);
    await Promise.all(entry.sources.map((source) => source.close()));
  };

  /** Closes idle rasters beyond the limit, least recently used first. */
  const trim = async () => {
    for (const [key, entry] of entries) {
      if (entries.size <= KEEP_OPEN) return;
      if (entry.users === 0) await closeEntry(key, entry);
    }
  };

  const fingerprint = async (path: string): Promise<string> => {
    if (/^https?:\/\//i.test(path)) return digest(path);
    const file = await stat(path).catch(() => null);
    if (!file?.isFile()) throw new NotFoundError(`raster ${path} does not exist any more`);
    return digest(`${path}\n${file.size}\n${file.mtimeMs}`);
  };

  const use = async <T>(path: string, work: (raster: StoredRaster) => Promise<T>): Promise<T> => {
    const key = await fingerprint(path);
    let entry = entries.get(key);
    if (entry) {
      entries.delete(key); // re-inserted last: most recently used
    } else {
      const sources: RasterSource[] = [];
      entry = { raster: open(path, key, sources), users: 0, sources };
    }
    entries.set(key, entry);
    entry.users++;
    try {
      return await work(await entry.raster);
    } catch (err) {
      // a raster that failed to open is opened afresh next time
      if (entries.get(key) === entry && (await isRejected(entry.raster))) await closeEntry(key, entry);
      throw err;
    } finally {
      entry.users--;
      await trim();
    }
  };

  const close = async () => {
    await Promise.all([...builds.values()].map((build) => build.catch(() => undefined)));
    await Promise.all([...entries].map(([key, entry]) => closeEntry(key, entry)));
  };

  return { fingerprint, use, close };
}

/** What opening one raster needs. */
interface OpenContext {
  fingerprint: string;
  /** Where everything opened for the raster goes, to be closed with it. */
  sources: RasterSource[];
  openRaster: OpenRaster;
  pyramidDir: string;
  builds: PyramidBuilds;
}

/**
 * Opens a raster and gives it `levelFor`: the raster itself up to a reduction of 2, or where an
 * internal overview serves the reduction; else the coarsest pyramid level that still has the
 * resolution (the pyramid is built on first need).
 */
async function openStoredRaster(path: string, context: OpenContext): Promise<StoredRaster> {
  const { fingerprint, sources, openRaster, pyramidDir } = context;
  const base = await openRaster(path);
  sources.push(base);
  const overviews = await internalOverviewFactors(path);
  let levels: Promise<{ factor: number; source: RasterSource }[]> | null = null;
  const openLevels = async () => {
    await ensurePyramid(context.builds, base, pyramidDir);
    const opened = [];
    for (const level of pyramidLevels(pyramidDir, base.info.width, base.info.height)) {
      const source = await openRaster(level.path);
      sources.push(source);
      opened.push({ factor: level.factor, source });
    }
    return opened;
  };
  const levelFor = async (scale: number): Promise<RasterSource> => {
    if (scale < 2) return base;
    const needed = 2 ** Math.floor(Math.log2(scale));
    // an internal overview of at least half the reduction serves it (the read decodes 4x the pixels at most)
    if (overviews.some((factor) => factor >= needed / 2 && factor <= needed * 1.01)) return base;
    levels ??= openLevels().catch((err) => {
      levels = null;
      throw err;
    });
    const usable = (await levels).filter((level) => level.factor <= needed);
    return usable.at(-1)?.source ?? base;
  };
  return { name: base.name, info: base.info, fingerprint, levelFor };
}

/** Builds the pyramid of a file version unless it is on disk or being built. */
function ensurePyramid(builds: PyramidBuilds, base: RasterSource, dir: string): Promise<void> {
  let build = builds.get(dir);
  if (!build) {
    build = (async () => {
      if (!(await hasPyramid(dir))) await buildPyramid(base, dir);
    })().finally(() => builds.delete(dir));
    builds.set(dir, build);
  }
  return build;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

async function isRejected(promise: Promise<unknown>): Promise<boolean> {
  return promise.then(() => false, () => true);
}
