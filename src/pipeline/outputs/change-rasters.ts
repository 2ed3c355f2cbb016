/**
 * The change rasters of a detect run, over the analysis grid, written as Cloud-Optimized GeoTIFFs
 * while the fused strips stream past (one COG writer each, so memory stays bounded by the grid's
 * width):
 * - `height-change.tif` (float32, metres): the after DSM less its fitted vertical offset, minus the
 *   co-registered before DSM; -9999 where either DSM has no data. Not written without DSMs.
 * - `change-probability.tif` (uint8): the model's change probability × 254, rounded; 255 where no
 *   model tile ran. Not written without orthophotos.
 * Neither is written when the grid's CRS has no EPSG code (the GeoKeys written name one); the run
 * then says so in its warnings.
 */
import { join } from 'node:path';
import type { IngestMode } from '../ingest.js';
import { openCogWriter, type CogWriter } from '../../raster/cog-writer.js';
import type { AnalysisGrid } from '../../raster/types.js';
import type { ChangeStrip } from '../types.js';
import { keptArrays, type KeptArrays } from '../height-change.js';

/** Nodata of `height-change.tif`. */
export const HEIGHT_CHANGE_NODATA = -9999;
/** Nodata of `change-probability.tif`; probabilities are stored × 254 in 0–254. */
export const PROBABILITY_NODATA = 255;

/** The change rasters being written. */
export interface ChangeRasters {
  /** Appends a fused strip; strips must come top to bottom, each starting where the last ended. */
  addStrip(strip: ChangeStrip): Promise<void>;
  /** Finishes the files; returns their names in the folder. */
  close(): Promise<string[]>;
  /** Removes what was written. */
  abort(): Promise<void>;
  /** Why no raster is written, for the run's warnings; null when they are. */
  warning: string | null;
}

/** What one change raster holds and how a strip's values are stored in it. */
interface ChangeRasterKind {
  name: string;
  sampleType: 'float32' | 'uint8';
  nodata: number;
  verticalUnits?: number;
  /** The strip's values as stored, in `memory` kept from strip to strip (the writer copies them). */
  samples(strip: ChangeStrip, memory: KeptArrays): Float32Array | Uint8Array;
}

const heightChangeRaster: ChangeRasterKind = {
  name: 'height-change.tif',
  sampleType: 'float32',
  nodata: HEIGHT_CHANGE_NODATA,
  verticalUnits: 9001, // metre
  samples({ heightChange }, memory) {
    const out = memory('height change', heightChange.length, Float32Array);
    for (let i = 0; i < out.length; i++) out[i] = heightChange[i] === heightChange[i] ? heightChange[i] : HEIGHT_CHANGE_NODATA;
    return out;
  },
};

const probabilityRaster: ChangeRasterKind = {
  name: 'change-probability.tif',
  sampleType: 'uint8',
  nodata: PROBABILITY_NODATA,
  samples({ probability }, memory) {
    // plain loops: map and from with a callback cost more than the writing (0.9 s a 4096 px scene)
    const out = memory('probability', probability.length, Uint8Array);
    for (let i = 0; i < out.length; i++) {
      const p = probability[i];
      out[i] = p === p ? Math.round(Math.min(1, Math.max(0, p)) * 254) : PROBABILITY_NODATA;
    }
    return out;
  },
};

/** Opens the change rasters the mode has in `folder`. */
export async function openChangeRasters(folder: string, grid: AnalysisGrid, mode: IngestMode): Promise<ChangeRasters> {
  const { epsg, width, height, geoTransform } = grid;
  const kinds = epsg === null ? [] : [...(mode === 'ortho' ? [] : [heightChangeRaster]), ...(mode === 'dsm' ? [] : [probabilityRaster])];
  const rasters: { kind: ChangeRasterKind; writer: CogWriter }[] = [];
  try {
    for (const kind of kinds) {
      const { name, sampleType, nodata, verticalUnits } = kind;
      const writer = await openCogWriter(join(folder, name), { width, height, bandCount: 1, epsg: epsg!, geoTransform, sampleType, nodata, verticalUnits });
      rasters.push({ kind, writer });
    }
  } catch (err) {
    await Promise.all(rasters.map(({ writer }) => writer.abort()));
    throw err;
  }
  let nextRow = 0;
  const memory = keptArrays();
  return {
    async addStrip(strip) {
      if (strip.y0 !== nextRow) throw new RangeError(`change rasters: a strip from row ${strip.y0}, expected row ${nextRow}`);
      nextRow += strip.height;
      for (const { kind, writer } of rasters) await writer.writeRows(kind.samples(strip, memory));
    },
    async close() {
      for (const { writer } of rasters) await writer.close();
      return kinds.map(({ name }) => name);
    },
    async abort() {
      await Promise.all(rasters.map(({ writer }) => writer.abort()));
    },
    warning: epsg === null ? `the analysis grid's CRS has no EPSG code, so height-change.tif and change-probability.tif were not written (${grid.crs})` : null,
  };
}
